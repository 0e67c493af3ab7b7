import { randomUUID } from 'node:crypto';
import { recordInstallationByAdmin } from '../phase4/installation_evidence';
import { handleAutoTrigger } from '../phase5/handle_auto_trigger';
import { appVersion } from '../platform';
import { INTERVAL_WORDS, SCHEDULER } from '../scheduled/config';
import { Claim, claimIsLive, clearBackoff, emptyState, newClaim, resetTrigger } from '../scheduled/decisions';
import {
  installationTimestampFrom,
  isRecord,
  parseClaim,
  parseState,
  serializeClaim,
  serializeState,
} from '../scheduled/scheduler_state';
import { keys, store } from '../storage';
import type { AutoTrigger } from '../storage/keys';
import type { Commit } from '../storage/kvs_store';
import { pushWakeUp } from '../scheduled/wake_up_queue';
import { parseIsoInstant, toIso } from '../time';
import {
  keepNewest,
  loadAdminRecords,
  parseManualIndex,
  parseReplacedIndex,
  StoredManualReportIndex,
  StoredReplacedReportIndex,
} from './admin_records';
import { appendAudit, auditRecord, AuditRecord } from './audit_log';
import { ADMIN } from './config';
import type { ActionDone, AdminPageView, AdminResult, ReportResponse } from './contract';
import { formatInstant } from './format';
import { adminPageView } from './status_view';

/**
 * What the admin page can do. Each action re-reads storage, decides with the
 * same rules the page used to offer it (adminPageView), changes state only
 * through the scheduler's own transitions and codecs, and writes its audit
 * entry in the same transaction as the change. Reports are built by
 * handleAutoTrigger, the one generation path.
 */

export interface AdminCaller {
  cloudId: string;
  accountId: string;
}

type Outcome<T extends object = ActionDone> = AdminResult<T>;

const refused = (message: string): Outcome<never> => ({ ok: false, error: { code: 'REFUSED', message } });

/** Transactions hold at most 25 operations (FORGE_FACTS §3). */
const MAX_TRANSACTION_OPERATIONS = 25;

const withAudit = (commit: Commit, audit: AuditRecord): Commit => ({
  ...commit,
  set: [...commit.set, { key: audit.key, value: audit.value, ttl: audit.ttl }],
});

export async function getAdminPage(caller: AdminCaller): Promise<Outcome<{ view: AdminPageView; accountId: string }>> {
  const view = adminPageView(await loadAdminRecords(caller.cloudId), Date.now());
  return { ok: true, view, accountId: caller.accountId };
}

/** `reportKey` has been checked to lie under the caller's site (payloads.ts). */
export async function getReport(reportKey: string): Promise<Outcome<ReportResponse>> {
  const report = await store.read(reportKey);
  if (report === undefined) {
    return { ok: false, error: { code: 'NOT_FOUND', message: `No report is stored under ${reportKey}.` } };
  }
  return { ok: true, key: reportKey, report };
}

// ---------------------------------------------------------------------------
// 1. A MANUAL report now.

async function claimManualSequence(cloudId: string, first: number): Promise<Claim | { busySince: number } | null> {
  for (let sequence = first; sequence < first + ADMIN.maxAbandonedManualClaims; sequence++) {
    const candidate = newClaim(sequence, Date.now(), randomUUID(), ADMIN.manualClaimLeaseMs);
    const key = keys.claim(cloudId, 'MANUAL', sequence);
    if (await store.createIfAbsent(key, serializeClaim(candidate), { value: SCHEDULER.claimTtlDays, unit: 'DAYS' })) {
      return candidate;
    }
    const holder = parseClaim(await store.read(key));
    if (holder && claimIsLive(holder, Date.now())) return { busySince: holder.claimedAt };
    // A generation killed mid-way left this claim; its number is used up.
  }
  return null;
}

export async function generateManualReport(caller: AdminCaller): Promise<Outcome<ActionDone & { reportKey: string }>> {
  const { cloudId, accountId } = caller;
  const indexKey = keys.manualReportIndex(cloudId);
  const records = await store.readMany([keys.installationEvidence(cloudId), indexKey]);
  const installation = installationTimestampFrom(records.get(keys.installationEvidence(cloudId)), Date.now());
  if (!installation.ok) return refused('The installation time is not recorded or not usable; record it first.');
  const parsedIndex = parseManualIndex(records.get(indexKey));
  // An unreadable index restarts at 1; the claims then skip numbers already used.
  const index: StoredManualReportIndex = parsedIndex.ok
    ? parsedIndex.value
    : { schema_version: 1, next_sequence: 1, reports: [] };

  const claim = await claimManualSequence(cloudId, index.next_sequence);
  if (claim === null) return refused('No manual report number could be claimed; try again in a minute.');
  if ('busySince' in claim) {
    return refused(
      `A manual report has been generating since ${formatInstant(claim.busySince)}; wait for it to finish.`,
    );
  }

  const result = await handleAutoTrigger('MANUAL', {
    cloudId,
    installedAt: installation.installedAt,
    attempt: 1,
    now: () => Date.now(),
    deadlineAt: claim.claimedAt + ADMIN.manualGenerationBudgetMs,
  });
  const advanced = { ...index, next_sequence: claim.attempt + 1 };
  if (!result.success) {
    const audit = auditRecord(cloudId, Date.now(), {
      action: 'GENERATE_MANUAL_REPORT',
      accountId,
      outcome: 'failed',
      detail: `Manual report #${claim.attempt} failed: ${result.error}`,
      changedKeys: [indexKey],
    });
    await store.commit(withAudit({ set: [{ key: indexKey, value: advanced }] }, audit));
    return {
      ok: false,
      error: { code: 'GENERATION_FAILED', message: `The manual report could not be generated: ${result.error}` },
    };
  }

  const generatedAt = parseIsoInstant(result.report.generated_at) ?? Date.now();
  const reportKey = keys.manualReport(cloudId, generatedAt, claim.attempt);
  const { kept, dropped } = keepNewest(
    index.reports,
    { key: reportKey, sequence: claim.attempt, generated_at: result.report.generated_at, requested_by: accountId },
    ADMIN.manualReportsKept,
  );
  const changedKeys = [reportKey, indexKey, ...dropped];
  const audit = auditRecord(cloudId, Date.now(), {
    action: 'GENERATE_MANUAL_REPORT',
    accountId,
    outcome: 'done',
    detail:
      `Manual report #${claim.attempt} stored (${result.sizeBytes} bytes)` +
      (dropped.length > 0 ? `; the oldest beyond ${ADMIN.manualReportsKept} removed` : ''),
    changedKeys,
  });
  await store.commit(
    withAudit(
      {
        set: [
          { key: reportKey, value: result.report },
          { key: indexKey, value: { ...advanced, reports: kept } },
        ],
        delete: dropped,
      },
      audit,
    ),
  );
  return { ok: true, message: `Manual report stored as ${reportKey}.`, changedKeys, reportKey };
}

// ---------------------------------------------------------------------------
// 2. Retry a trigger now.

export async function retryTriggerNow(caller: AdminCaller, trigger: AutoTrigger): Promise<Outcome> {
  const { cloudId, accountId } = caller;
  const now = Date.now();
  const records = await loadAdminRecords(cloudId);
  const offer = adminPageView(records, now).triggers.find((t) => t.trigger === trigger)!;
  if (!offer.actions.retry.allowed) return refused(`${trigger} cannot be retried now: ${offer.actions.retry.reason}`);
  const parsed = parseState(records.state);
  if (!parsed.ok) return refused('The scheduler state is unreadable; the scheduler rebuilds it on its next run.');

  const stateKey = keys.schedulerState(cloudId);
  const audit = auditRecord(cloudId, now, {
    action: 'RETRY_TRIGGER',
    accountId,
    trigger,
    outcome: 'done',
    detail: `Backoff until ${offer.backoffUntil} cleared after ${offer.failedAttempts} failed attempt(s)`,
    changedKeys: [stateKey],
  });
  await store.commit(
    withAudit({ set: [{ key: stateKey, value: serializeState(clearBackoff(parsed.value, trigger)) }] }, audit),
  );
  // Wake the scheduler now rather than at the next tick, up to an interval away. The wake-up
  // decides from storage like a tick; if it is not pushed, the tick still comes.
  const woken = await pushWakeUp({ cloud_id: cloudId, wake_at: toIso(now) }, 0).then(
    () => true,
    () => false,
  );
  return {
    ok: true,
    message: woken
      ? `${trigger}'s backoff is cleared; a wake-up event attempts it within seconds.`
      : `${trigger}'s backoff is cleared; the next scheduled run (within the ${INTERVAL_WORDS[SCHEDULER.interval]}) attempts it.`,
    changedKeys: [stateKey],
  };
}

// ---------------------------------------------------------------------------
// 3. Reset a trigger.

/**
 * Claim keys are numbered by attempt and a reset restarts the count at zero,
 * so the trigger's old claims go too: otherwise the scheduler would meet
 * claim #1 again, find its lease long expired and record a failure nobody had.
 */
async function claimsOf(cloudId: string, trigger: AutoTrigger, nextAttempt: number) {
  const listed = await store.listByPrefix(keys.claimPrefix(cloudId, trigger), 1000);
  // The listing is eventually consistent: the claim a generation may have just taken is read directly.
  const nextKey = keys.claim(cloudId, trigger, nextAttempt);
  const next = listed.some((c) => c.key === nextKey) ? undefined : await store.read(nextKey);
  const all = next === undefined ? listed : [...listed, { key: nextKey, value: next }];
  return all.map((c) => ({ key: c.key, claim: parseClaim(c.value) }));
}

export async function resetTriggerNow(caller: AdminCaller, trigger: AutoTrigger): Promise<Outcome> {
  const { cloudId, accountId } = caller;
  const now = Date.now();
  const records = await loadAdminRecords(cloudId);
  const offer = adminPageView(records, now).triggers.find((t) => t.trigger === trigger)!;
  if (!offer.actions.reset.allowed) return refused(`${trigger} cannot be reset: ${offer.actions.reset.reason}`);

  const parsed = records.state === undefined ? null : parseState(records.state);
  const state = parsed?.ok ? parsed.value : emptyState();
  const claims = await claimsOf(cloudId, trigger, state.triggers[trigger].attemptCount + 1);
  // An attempt the scheduler has already recorded (as a failure or as the success) is finished,
  // even while its lease has time left; only a later one can still be generating.
  const live = claims.find((c) => c.claim && c.claim.attempt > offer.attemptCount && claimIsLive(c.claim, Date.now()));
  if (live) {
    return refused(
      `${trigger} attempt #${live.claim!.attempt} holds a live claim until ${formatInstant(live.claim!.leaseExpiresAt)}.`,
    );
  }

  const stateKey = keys.schedulerState(cloudId);
  const doneKey = keys.done(cloudId, trigger);
  const reportKey = keys.report(cloudId, trigger);
  const sets: Array<Commit['set'][number]> = [{ key: stateKey, value: serializeState(resetTrigger(state, trigger)) }];
  const deletes: string[] = [];
  if (records.done[trigger] !== undefined) deletes.push(doneKey);

  const report = await store.read(reportKey);
  let replacedKey: string | null = null;
  if (report !== undefined) {
    replacedKey = keys.replacedReport(cloudId, trigger, now);
    const indexKey = keys.replacedReportIndex(cloudId);
    const parsedIndex = parseReplacedIndex(records.replacedIndex);
    const index: StoredReplacedReportIndex = parsedIndex.ok ? parsedIndex.value : { schema_version: 1, reports: [] };
    const { kept, dropped } = keepNewest(
      index.reports,
      {
        key: replacedKey,
        trigger,
        generated_at: isRecord(report) && typeof report.generated_at === 'string' ? report.generated_at : null,
        attempt: offer.attemptCount > 0 ? offer.attemptCount : null,
        replaced_at: toIso(now),
        replaced_by: accountId,
      },
      ADMIN.replacedReportsKept,
    );
    sets.push({ key: replacedKey, value: report }, { key: indexKey, value: { ...index, reports: kept } });
    deletes.push(reportKey, ...dropped);
  }

  // Old claims are dead (checked above) and behind the attempt count, so removing them early,
  // outside the transaction, changes no decision even if the transaction then fails.
  const room = MAX_TRANSACTION_OPERATIONS - sets.length - deletes.length - 1;
  const claimKeys = claims.map((c) => c.key);
  for (const key of claimKeys.slice(room)) await store.remove(key);

  const changedKeys = [...sets.map((s) => s.key), ...deletes];
  const audit = auditRecord(cloudId, now, {
    action: 'RESET_TRIGGER',
    accountId,
    trigger,
    outcome: 'done',
    detail:
      (replacedKey ? `Report set aside as ${replacedKey}; ` : '') +
      `DONE key, ${offer.attemptCount} attempt(s) and ${claimKeys.length} claim key(s) removed`,
    changedKeys: [...changedKeys, ...claimKeys],
  });
  await store.commit(withAudit({ set: sets, delete: [...deletes, ...claimKeys.slice(0, room)] }, audit));
  return {
    ok: true,
    message:
      `${trigger} is reset` +
      (replacedKey ? ` and its report kept as ${replacedKey}` : '') +
      '; the scheduler generates it again when it is due.',
    changedKeys: [...changedKeys, ...claimKeys],
  };
}

// ---------------------------------------------------------------------------
// 4. Record the installation time.

export async function recordInstallationNow(caller: AdminCaller): Promise<Outcome> {
  const { cloudId, accountId } = caller;
  const now = Date.now();
  const result = await recordInstallationByAdmin(cloudId, accountId, now, appVersion());
  if (!result.recorded) {
    const existing = isRecord(result.existing) ? result.existing : {};
    const text = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
    return refused(
      `The installation time is already recorded (${text(existing.installation_timestamp, 'unreadable')}, ` +
        `source ${text(existing.source, 'unknown')}); it is never overwritten.`,
    );
  }
  const evidenceKey = keys.installationEvidence(cloudId);
  const done: ActionDone = {
    message: `Installation time recorded as ${formatInstant(now)}; the 12-hour report is due at ${formatInstant(now + SCHEDULER.auto12hAfterMs)}.`,
    changedKeys: [evidenceKey],
  };
  // Create-if-absent cannot share a transaction, so the audit entry follows the write.
  try {
    await appendAudit(
      auditRecord(cloudId, now, {
        action: 'RECORD_INSTALLATION',
        accountId,
        outcome: 'done',
        detail: `Installation time recorded as ${toIso(now)} (source admin)`,
        changedKeys: [evidenceKey],
      }),
    );
  } catch {
    return {
      ok: true,
      ...done,
      warning: 'The installation time was recorded, but its audit entry could not be stored.',
    };
  }
  return { ok: true, ...done };
}
