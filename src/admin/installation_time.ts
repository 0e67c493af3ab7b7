import { SCHEDULER } from '../scheduled/config';
import { ADMIN } from './config';
import type { Words } from './contract';
import { at, words } from './words';

/**
 * An installation time entered by an administrator (for an installation the
 * installed event never reached), and what recording it would do. Pure and
 * shared: the page says it before the admin confirms, and the resolver checks
 * the same rules and says the same when it is done.
 */

export type InstallationTimeCheck = { ok: true; installedAt: number } | { ok: false; reason: Words };

/** Not in the future (by the resolver's clock) and not before the app's first deployment. */
export function checkInstallationTime(installedAt: number | null, now: number): InstallationTimeCheck {
  if (installedAt === null || !Number.isFinite(installedAt)) {
    return { ok: false, reason: words('installation.enter.invalid') };
  }
  if (installedAt > now) return { ok: false, reason: words('installation.enter.future') };
  const earliest = Date.parse(ADMIN.firstDeployedAt);
  if (installedAt < earliest) {
    return {
      ok: false,
      reason: words('installation.enter.tooEarly', { earliest: at(ADMIN.firstDeployedAt) }),
    };
  }
  return { ok: true, installedAt };
}

/**
 * Which reports recording `installedAt` makes due now, leaves to come, or makes
 * missed already, by the scheduler's own windows: the 12-hour report is due
 * from 12 h to 24 h after installation, the 24-hour report from 24 h on.
 */
export function consequencesOf(installedAt: number, now: number): Words {
  const due12 = new Date(installedAt + SCHEDULER.auto12hAfterMs).toISOString();
  const due24 = new Date(installedAt + SCHEDULER.auto24hAfterMs).toISOString();
  const age = now - installedAt;
  if (age >= SCHEDULER.auto24hAfterMs) return words('installation.consequence.missed12Due24', { closed: at(due24) });
  if (age >= SCHEDULER.auto12hAfterMs) {
    return words('installation.consequence.due12', { closes: at(due24, true), due24: at(due24) });
  }
  return words('installation.consequence.later', { due12: at(due12, true), due24: at(due24) });
}
