import { runPlatformCheck } from '../platform_check/run_platform_check';
import type { PlatformCheckReport } from '../platform_check/check_report';
import { remainingTimeMs } from '../platform';
import { appendAudit, auditRecord } from './audit_log';
import { ADMIN } from './config';
import type { ActionDone, AdminResult, Words } from './contract';
import type { AdminCaller } from './actions';
import { formatInstant } from './format';
import { at, words } from './words';

/**
 * The admin page's "Check the platform" action: runs the probe suite for this
 * installation and records who ran it and what it found in the audit log. The
 * check writes only its own scratch keys, which it deletes again (and which
 * expire within the hour if it cannot), so the only change it leaves is the
 * audit entry itself.
 *
 * Forge stops the resolver 25 s after `receivedAt` (sooner if the runtime says
 * so): the check sends no probe request once less than ADMIN.platformCheckReserveMs
 * of that is left, so its clean-up and this audit entry are written before the stop.
 */
export async function runPlatformCheckNow(
  caller: AdminCaller,
  receivedAt: number,
): Promise<AdminResult<ActionDone & { report: PlatformCheckReport }>> {
  const remaining = remainingTimeMs();
  const endsAt = Math.min(receivedAt + ADMIN.resolverLimitMs, remaining === null ? Infinity : Date.now() + remaining);
  const run = await runPlatformCheck(caller.cloudId, endsAt - ADMIN.platformCheckReserveMs);
  if (!run.ran) {
    const since = run.since === null ? '' : ` (started ${formatInstant(run.since)})`;
    return {
      ok: false,
      error: {
        code: 'REFUSED',
        message: `A platform check is already running${since}; wait a minute for it to finish.`,
        words:
          run.since === null
            ? words('error.platformCheck.running')
            : words('error.platformCheck.runningSince', { started: at(new Date(run.since).toISOString()) }),
      },
    };
  }
  const { report } = run;
  const count = (v: string) => report.results.filter((r) => r.verdict === v).length;
  const differing = report.results.filter((r) => r.verdict === 'DIFFERS').map((r) => r.id);
  const summary =
    `${count('HOLDS')} hold, ${count('DIFFERS')} differ, ${count('COULD_NOT_CHECK')} could not be checked` +
    (differing.length > 0 ? ` (differ: ${differing.join(', ')})` : '') +
    `; ${report.used.kvsRequests} KVS and ${report.used.jiraRequests} Jira requests` +
    (report.leftBehind.length > 0
      ? `; ${report.leftBehind.length} scratch key(s) left behind, which expire within the hour`
      : '');
  // For the admin: how many answers were as the app expects. The rest (which, and the requests) is for support.
  const said = words('audit.platformCheck', {
    total: report.results.length,
    holds: count('HOLDS'),
    differ: count('DIFFERS'),
    unknown: count('COULD_NOT_CHECK'),
  });
  const audit = auditRecord(caller.cloudId, Date.now(), {
    action: 'RUN_PLATFORM_CHECK',
    accountId: caller.accountId,
    outcome: 'done',
    detail: summary.slice(0, 500),
    words: said,
    changedKeys: report.leftBehind,
  });
  let warning: Words | undefined;
  try {
    await appendAudit(audit);
  } catch {
    warning = words('warning.platformCheck.notAudited');
  }
  return {
    ok: true,
    words: said,
    changedKeys: [audit.key, ...report.leftBehind],
    ...(warning ? { warning } : {}),
    report,
  };
}
