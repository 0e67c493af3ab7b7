import { randomUUID } from 'node:crypto';
import { recordInstallationByAdmin } from '../phase4/installation_evidence';
import { handleAutoTrigger } from '../phase5/handle_auto_trigger';
import { appVersion } from '../platform';
import { SCHEDULER } from '../scheduled/config';
import {
  Claim,
  claimMayBeLive,
  clearBackoff,
  emptyState,
  inEpochs,
  newClaim,
  released,
  resetTrigger,
} from '../scheduled/decisions';
import {
  epochFrom,
  installationTimestampFrom,
  isRecord,
  parseClaim,
  parseState,
  serializeClaim,
  serializeState,
  StoredEpoch,
} from '../scheduled/scheduler_state';
import { keys, store } from '../storage';
import type { AutoTrigger } from '../storage/keys';
import type { Commit } from '../storage/kvs_store';
import { pushWakeUp } from '../scheduled/wake_up_queue';
import { parseIsoInstant, toIso } from '../time';
import {
  highestClaimed,
  highestManualSequence,
  keptReports,
  loadAdminRecords,
  StoredManualReportEntry,
  StoredManualSequence,
  StoredReplacedReportEntry,
} from './admin_records';
import { appendAudit, auditRecord, AuditRecord } from './audit_log';
import { ADMIN } from './config';
import type { ActionDone, AdminPageView, AdminResult, ReportResponse, Words } from './contract';
import { formatInstant } from './format';
import { causeOf } from './causes';
import { checkInstallationTime, consequencesOf } from './installation_time';
import { adminPageView } from './status_view';
import { at, reportName, words } from './words';

/**
 * What the admin page can do. Each action re-reads storage, decides with the
 * same rules the page used to offer it (adminPageView), changes state only
 * through the scheduler's own transitions and codecs, and writes its audit
 * entry in the same transaction as the change. Reports are built by
 * handleAutoTrigger, the one generation path.
 *
 * An action that touches a trigger is conditional on what it read: it takes a
 * create-if-absent claim first (a Reset's fence, a manual report's number), so
 * an action working from a stale read is refused rather than applied.
 * SCHEDULER_HARDENING_DESIGN.md §4.1 argues why no admin action can break
 * exactly-once.
 */

export interface AdminCaller {
  cloudId: string;
  accountId: string;
}

type Outcome<T extends object = ActionDone> = AdminResult<T>;

/** `message` in English for logs and support; `said` for the admin. */
const refused = (message: string, said: Words): Outcome<never> => ({
  ok: false,
  error: { code: 'REFUSED', message, words: said },
});

const claimTtl = { value: SCHEDULER.claimTtlDays, unit: 'DAYS' } as const;

/** How many older entries one transaction prunes at most (each is an entry and its report). */
const MAX_PRUNED_PER_COMMIT = 6;

const withAudit = (commit: Commit, audit: AuditRecord): Commit => ({
  ...commit,
  set: [...commit.set, { key: audit.key, value: audit.value, ttl: audit.ttl }],
});

export async function getAdminPage(caller: AdminCaller): Promise<Outcome<{ view: AdminPageView; accountId: string }>> {
  const now = Date.now();
  const view = adminPageView(await loadAdminRecords(caller.cloudId, now), now);
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

type KeptEntry = { key: string; entryKey: string | null };

/**
 * Keys to delete so that at most `keep` entries remain, oldest first out: each entry with its report.
 * An entry is stored data and names its report by key, so a pair is deleted only when `ours` says both
 * keys are the ones the app derives for that entry: an entry naming anything else (a DONE key, an
 * automatic report) is left in place with what it names, like an earlier version's list entry.
 */
function pruned<E extends KeptEntry>(entries: E[], keep: number, ours: (e: E) => boolean): string[] {
  return entries
    .slice(keep)
    .filter((e) => e.entryKey !== null && ours(e))
    .slice(0, MAX_PRUNED_PER_COMMIT)
    .flatMap((e) => [e.entryKey!, e.key]);
}

const ownManual = (cloudId: string) => (e: StoredManualReportEntry & KeptEntry) =>
  e.entryKey === keys.manualReportEntry(cloudId, e.sequence) && keys.isManualReport(cloudId, e.key, e.sequence);

const ownReplaced = (cloudId: string) => (e: StoredReplacedReportEntry & KeptEntry) =>
  e.entryKey !== null &&
  keys.isReplacedReportEntry(cloudId, e.trigger, e.entryKey) &&
  keys.isReplacedReport(cloudId, e.trigger, e.key);

// ---------------------------------------------------------------------------
// 1. A MANUAL report now.

/**
 * Manual reports are numbered by their claims, which are never reused. The walk
 * starts past `given`, the highest number the records that never expire show as
 * given (highestManualSequence: claims expire after 30 days, their reports and
 * history entries do not), or at the highest claim a (possibly lagging) listing
 * shows, if that is higher. It goes on over numbers already used (released, or
 * abandoned by a killed resolver), so a live claim anywhere ahead is met before a
 * free number: two manual generations never run at once, whatever the listing
 * missed. The one number that can come round again is one a killed generation
 * claimed and no record shows: nothing was stored or audited under it.
 */
async function claimManualSequence(cloudId: string, given: number): Promise<Claim | { busySince: number } | null> {
  const prefix = keys.claimPrefix(cloudId, 'MANUAL');
  const first = Math.max(1, given + 1, highestClaimed(await store.listByPrefix(prefix, 1000), prefix));
  for (let sequence = first; sequence < first + ADMIN.maxAbandonedManualClaims; sequence++) {
    const candidate = newClaim(sequence, Date.now(), randomUUID(), ADMIN.manualClaimLeaseMs);
    const key = keys.claim(cloudId, 'MANUAL', sequence);
    if (await store.createIfAbsent(key, serializeClaim(candidate), claimTtl)) return candidate;
    const holder = parseClaim(await store.read(key));
    if (holder && claimMayBeLive(holder, Date.now(), ADMIN.manualClaimLeaseMs)) return { busySince: holder.claimedAt };
    // Finished, or left by a generation killed mid-way: its number is used up.
  }
  return null;
}

export async function generateManualReport(caller: AdminCaller): Promise<Outcome<ActionDone & { reportKey: string }>> {
  const { cloudId, accountId } = caller;
  const now = Date.now();
  const k = {
    evidence: keys.installationEvidence(cloudId),
    sequence: keys.manualSequence(cloudId),
    legacyIndex: keys.manualReportIndex(cloudId),
  };
  const records = await store.readMany(Object.values(k));
  // A snapshot needs no installation time: without one, the report leaves out what counts from it.
  const installation = installationTimestampFrom(records.get(k.evidence), now);

  const entries = await store.listByPrefix(keys.adminEntryPrefix(cloudId), 1000);
  const given = highestManualSequence({
    cloudId,
    entries,
    manualIndex: records.get(k.legacyIndex),
    manualSequence: records.get(k.sequence),
  });
  const claim = await claimManualSequence(cloudId, given);
  if (claim === null) {
    return refused('No manual report number could be claimed; try again in a minute.', words('error.manual.noNumber'));
  }
  if ('busySince' in claim) {
    return refused(
      `A manual report has been generating since ${formatInstant(claim.busySince)}; wait for it to finish.`,
      words('error.manual.busy', { started: at(toIso(claim.busySince)) }),
    );
  }
  const claimKey = keys.claim(cloudId, 'MANUAL', claim.attempt);
  // Written with the report or the failure: from then on the number is used up for good.
  const sequenceRecord: StoredManualSequence = { schema_version: 1, last_sequence: claim.attempt };
  const sequenceSet = { key: k.sequence, value: sequenceRecord };

  const result = await handleAutoTrigger('MANUAL', {
    cloudId,
    installedAt: installation.ok ? installation.installedAt : null,
    attempt: 1,
    now: () => Date.now(),
    deadlineAt: claim.claimedAt + ADMIN.manualGenerationBudgetMs,
  });
  if (!result.success) {
    const audit = auditRecord(cloudId, Date.now(), {
      action: 'GENERATE_MANUAL_REPORT',
      accountId,
      outcome: 'failed',
      detail: `Manual report #${claim.attempt} failed: ${result.error}`,
      words: words('audit.manual.failed', { number: claim.attempt, cause: { words: causeOf(result.error) } }),
      changedKeys: [claimKey],
    });
    const release = serializeClaim(released(claim, Date.now(), 'failed'));
    await store.commit(withAudit({ set: [{ key: claimKey, value: release, ttl: claimTtl }, sequenceSet] }, audit));
    return {
      ok: false,
      error: {
        code: 'GENERATION_FAILED',
        message: `The manual report could not be generated: ${result.error}`,
        words: words('error.manual.failed', { cause: { words: causeOf(result.error) } }),
      },
    };
  }

  const generatedAt = parseIsoInstant(result.report.generated_at) ?? Date.now();
  const reportKey = keys.manualReport(cloudId, generatedAt, claim.attempt);
  const entryKey = keys.manualReportEntry(cloudId, claim.attempt);
  const entry: StoredManualReportEntry = {
    key: reportKey,
    sequence: claim.attempt,
    generated_at: result.report.generated_at,
    requested_by: accountId,
  };
  const older = keptReports({ cloudId, entries, manualIndex: undefined, replacedIndex: undefined }).manual.filter(
    (e) => e.sequence !== claim.attempt,
  );
  const dropped = pruned(older, ADMIN.manualReportsKept - 1, ownManual(cloudId));
  const changedKeys = [reportKey, entryKey, ...dropped];
  const audit = auditRecord(cloudId, Date.now(), {
    action: 'GENERATE_MANUAL_REPORT',
    accountId,
    outcome: 'done',
    detail:
      `Manual report #${claim.attempt} stored (${result.sizeBytes} bytes)` +
      (dropped.length > 0 ? `; the oldest beyond ${ADMIN.manualReportsKept} removed` : ''),
    words:
      dropped.length > 0
        ? words('audit.manual.storedPruned', { number: claim.attempt, kept: ADMIN.manualReportsKept })
        : words('audit.manual.stored', { number: claim.attempt }),
    changedKeys,
  });
  // The report, its entry and the claim's release land together: no entry without its
  // report, no report without its entry, and a pruned report goes with its entry.
  await store.commit(
    withAudit(
      {
        set: [
          { key: reportKey, value: result.report },
          { key: entryKey, value: entry },
          { key: claimKey, value: serializeClaim(released(claim, Date.now(), 'generated')), ttl: claimTtl },
          sequenceSet,
        ],
        delete: dropped,
      },
      audit,
    ),
  );
  return {
    ok: true,
    words: words(installation.ok ? 'done.manual' : 'done.manualNoInstallation', { number: claim.attempt }),
    changedKeys,
    reportKey,
  };
}

// ---------------------------------------------------------------------------
// 2. Retry a trigger now.

/**
 * Only the state changes, and it is advisory: written over a newer state, it can at
 * worst bring back an older attempt count (the claim walk then finds the newer
 * claims) or an older epoch's progress (void against the epoch key). It can neither
 * add a report nor remove one.
 */
export async function retryTriggerNow(caller: AdminCaller, trigger: AutoTrigger): Promise<Outcome> {
  const { cloudId, accountId } = caller;
  const now = Date.now();
  const records = await loadAdminRecords(cloudId, now);
  const offer = adminPageView(records, now).triggers.find((t) => t.trigger === trigger)!;
  if (!offer.actions.retry.allowed) {
    return refused(`${trigger} cannot be retried now (${offer.status})`, offer.actions.retry.reason);
  }
  const parsed = parseState(records.state, now);
  if (!parsed.ok) {
    return refused(
      'The scheduler state is unreadable; the scheduler rebuilds it on its next run.',
      words('error.retry.stateUnreadable'),
    );
  }
  const epochs = { AUTO_12H: epochFrom(records.epoch.AUTO_12H) ?? 0, AUTO_24H: epochFrom(records.epoch.AUTO_24H) ?? 0 };

  const stateKey = keys.schedulerState(cloudId);
  const audit = auditRecord(cloudId, now, {
    action: 'RETRY_TRIGGER',
    accountId,
    trigger,
    outcome: 'done',
    detail: `Backoff until ${offer.backoffUntil} cleared after ${offer.failedAttempts} failed attempt(s)`,
    words: words('audit.retry', { count: offer.failedAttempts }),
    changedKeys: [stateKey],
  });
  const next = clearBackoff(inEpochs(parsed.value, epochs), trigger);
  await store.commit(withAudit({ set: [{ key: stateKey, value: serializeState(next) }] }, audit));
  // Wake the scheduler now rather than at the next tick, up to an interval away. The wake-up
  // decides from storage like a tick; if it is not pushed, the tick still comes.
  const woken = await pushWakeUp({ cloud_id: cloudId, wake_at: toIso(now) }, 0).then(
    () => true,
    () => false,
  );
  return {
    ok: true,
    words: woken
      ? words('done.retry', { report: reportName(trigger) })
      : words('done.retryAtNextCheck', { report: reportName(trigger), minutes: SCHEDULER.intervalMs / 60_000 }),
    changedKeys: [stateKey],
  };
}

// ---------------------------------------------------------------------------
// 3. Reset a trigger.

/** Claims read per request while walking an epoch (a batch read takes at most 25 keys). */
const WALK_BATCH = 25;
/** An epoch with more claims than this is walked no further (it would take 1,000 failed days). */
const WALK_MAX = 1_000;

/**
 * Every claim of the epoch, by number: claims are taken in order from 1, so the
 * walk reads numbers from 1 until one is absent. A state whose count lies ahead of
 * that gap (it is advisory) is walked from there too, so no claim it knows of is
 * missed. Strongly consistent reads, never a listing.
 */
async function claimsOfEpoch(cloudId: string, trigger: AutoTrigger, epoch: number, counted: number) {
  const found = new Map<number, Claim | null>();
  const walk = async (from: number) => {
    for (let start = from; start < from + WALK_MAX; start += WALK_BATCH) {
      const numbers = Array.from({ length: WALK_BATCH }, (_, i) => start + i);
      const values = await store.readMany(numbers.map((n) => keys.claim(cloudId, trigger, n, epoch)));
      for (const n of numbers) {
        const raw = values.get(keys.claim(cloudId, trigger, n, epoch));
        if (raw === undefined) return;
        found.set(n, parseClaim(raw));
      }
    }
  };
  await walk(1);
  if (counted + 1 > found.size + 1) await walk(counted + 1);
  return { top: Math.max(0, ...found.keys()), claims: [...found] };
}

/**
 * Reset, in four steps, each conditional on the one before:
 *  1. read the trigger's epoch e and walk its claims; refuse while any may be live
 *     (a generation, or another Reset), judged with the clock-skew allowance, and
 *     refuse if one is a Reset's fence already released (e is over: a stale page);
 *  2. take a fence: create-if-absent of claim e/(top+1), kind 'reset'. After it, no
 *     generation can claim in e, and every earlier claim is released or dead, so no
 *     commit can land in e any more. Losing the create (a generation or another
 *     Reset got there first) refuses;
 *  3. only now read the DONE key and the report: nothing can change them under us;
 *  4. one transaction: the epoch moves to e+1, the DONE key and the report go
 *     together, the report's copy and its entry are set aside, the state restarts in
 *     e+1, the fence is released, and the audit entry is written.
 * A Reset killed or refused between 2 and 4 leaves an unreleased fence: after its
 * lease it is abandoned, and the scheduler walks past it as no attempt at all.
 */
export async function resetTriggerNow(caller: AdminCaller, trigger: AutoTrigger): Promise<Outcome> {
  const { cloudId, accountId } = caller;
  const now = Date.now();
  const records = await loadAdminRecords(cloudId, now);
  const offer = adminPageView(records, now).triggers.find((t) => t.trigger === trigger)!;
  if (!offer.actions.reset.allowed) {
    return refused(`${trigger} cannot be reset (${offer.status})`, offer.actions.reset.reason);
  }
  const epoch = epochFrom(records.epoch[trigger]);
  if (epoch === null) {
    return refused(
      `${trigger}'s epoch key does not hold an epoch; it cannot be reset safely.`,
      words('error.reset.damaged', { report: reportName(trigger) }),
    );
  }
  if (epoch >= SCHEDULER.maxEpoch) {
    return refused(
      `${trigger} has been reset ${epoch} times; no more resets.`,
      words('error.reset.tooMany', { report: reportName(trigger), count: epoch }),
    );
  }
  const epochs = { AUTO_12H: epochFrom(records.epoch.AUTO_12H) ?? 0, AUTO_24H: epochFrom(records.epoch.AUTO_24H) ?? 0 };
  const parsed = records.state === undefined ? null : parseState(records.state, now);
  const state = inEpochs(parsed?.ok ? parsed.value : emptyState(), epochs);

  // 1. Every claim of the epoch is over.
  const walked = await claimsOfEpoch(cloudId, trigger, epoch, state.triggers[trigger].attemptCount);
  for (const [attempt, claim] of walked.claims) {
    if (claim?.kind === 'reset' && claim.released !== null) {
      return refused(
        `${trigger} has just been reset by someone else; reload the page.`,
        words('error.reset.justReset', { report: reportName(trigger) }),
      );
    }
    if (claim && claimMayBeLive(claim, Date.now())) {
      return claim.kind === 'reset'
        ? refused(
            `${trigger} is being reset by someone else right now; reload the page.`,
            words('error.reset.beingReset', { report: reportName(trigger) }),
          )
        : refused(
            `${trigger} attempt #${attempt} holds a live claim until ${formatInstant(claim.leaseExpiresAt)}.`,
            words('error.reset.generating', { report: reportName(trigger), until: at(toIso(claim.leaseExpiresAt)) }),
          );
    }
  }

  // 2. The fence.
  const fenceAt = walked.top + 1;
  const fence = newClaim(fenceAt, Date.now(), randomUUID(), SCHEDULER.resetFenceLeaseMs, 'reset');
  const fenceKey = keys.claim(cloudId, trigger, fenceAt, epoch);
  if (!(await store.createIfAbsent(fenceKey, serializeClaim(fence), claimTtl))) {
    return refused(
      `A generation or another reset of ${trigger} has just started; reload the page.`,
      words('error.reset.raced', { report: reportName(trigger) }),
    );
  }

  // 3. What there is to set aside; nothing can commit in this epoch any more.
  const doneKey = keys.done(cloudId, trigger);
  const reportKey = keys.report(cloudId, trigger);
  const current = await store.readMany([doneKey, reportKey]);
  const report = current.get(reportKey);

  // 4. The move.
  const nextEpoch = epoch + 1;
  const epochKey = keys.epoch(cloudId, trigger);
  const stateKey = keys.schedulerState(cloudId);
  const epochRecord: StoredEpoch = { schema_version: 1, epoch: nextEpoch, reset_at: toIso(now) };
  const sets: Array<Commit['set'][number]> = [
    { key: epochKey, value: epochRecord },
    { key: stateKey, value: serializeState(resetTrigger(state, trigger, nextEpoch)) },
    { key: fenceKey, value: serializeClaim(released(fence, Date.now(), 'reset')), ttl: claimTtl },
  ];
  const deletes = [doneKey, reportKey].filter((k) => current.get(k) !== undefined);
  let replacedKey: string | null = null;
  if (report !== undefined) {
    replacedKey = keys.replacedReport(cloudId, trigger, now, epoch);
    const entryKey = keys.replacedReportEntry(cloudId, trigger, epoch);
    const entry: StoredReplacedReportEntry = {
      key: replacedKey,
      trigger,
      epoch,
      generated_at: isRecord(report) && typeof report.generated_at === 'string' ? report.generated_at : null,
      attempt: isRecord(report) && typeof report.attempt === 'number' && report.attempt >= 1 ? report.attempt : null,
      replaced_at: toIso(now),
      replaced_by: accountId,
    };
    const older = keptReports(records).replaced.filter((e) => e.entryKey !== entryKey);
    sets.push({ key: replacedKey, value: report }, { key: entryKey, value: entry });
    deletes.push(...pruned(older, ADMIN.replacedReportsKept - 1, ownReplaced(cloudId)));
  }

  const changedKeys = [...sets.map((s) => s.key), ...deletes];
  const audit = auditRecord(cloudId, now, {
    action: 'RESET_TRIGGER',
    accountId,
    trigger,
    outcome: 'done',
    detail:
      // Admins read this in the audit log; the keys and the epoch are in changedKeys and the stored state.
      (replacedKey ? 'Its report was set aside (still listed, as replaced); ' : '') +
      `marked not done after ${walked.top} attempt(s); attempts start again from 1`,
    words: words(replacedKey ? 'audit.reset.setAside' : 'audit.reset', { count: walked.top }),
    changedKeys,
  });
  await store.commit(withAudit({ set: sets, delete: deletes }, audit));
  return {
    ok: true,
    words: words(replacedKey ? 'done.resetSetAside' : 'done.reset', { report: reportName(trigger) }),
    changedKeys,
  };
}

// ---------------------------------------------------------------------------
// 4. Record the installation time.

/**
 * For an installation the installed event never reached: the time the admin
 * says the app was installed, not in the future and not before the app's first
 * deployment, recorded create-if-absent beside the event's own record (the
 * second source of Phase-4 evidence, SCHEDULER_HARDENING_DESIGN.md §3), and
 * audited. What it makes due or missed follows from the scheduler's own rules.
 */
export async function recordInstallationNow(caller: AdminCaller, installedAtIso: string): Promise<Outcome> {
  const { cloudId, accountId } = caller;
  const now = Date.now();
  const checked = checkInstallationTime(parseIsoInstant(installedAtIso), now);
  if (!checked.ok) return refused(`The installation time ${installedAtIso} cannot be recorded`, checked.reason);
  const installedAt = checked.installedAt;
  const result = await recordInstallationByAdmin(cloudId, accountId, installedAt, now, appVersion());
  if (!result.recorded) {
    const existing = isRecord(result.existing) ? result.existing : {};
    const text = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
    return refused(
      `The installation time is already recorded (${text(existing.installation_timestamp, 'unreadable')}, ` +
        `source ${text(existing.source, 'unknown')}); it is never overwritten.`,
      words('error.record.alreadyRecorded'),
    );
  }
  const evidenceKey = keys.installationEvidence(cloudId);
  const consequences = consequencesOf(installedAt, now);
  const done: ActionDone = {
    words: words('done.record', { at: at(toIso(installedAt)), consequences: { words: consequences } }),
    changedKeys: [evidenceKey],
  };
  // Create-if-absent cannot share a transaction, so the audit entry follows the write.
  try {
    await appendAudit(
      auditRecord(cloudId, now, {
        action: 'RECORD_INSTALLATION',
        accountId,
        outcome: 'done',
        detail: `Installation time recorded as ${toIso(installedAt)}, entered by an administrator at ${toIso(now)}`,
        words: words('audit.record', { at: at(toIso(installedAt)) }),
        changedKeys: [evidenceKey],
      }),
    );
  } catch {
    return { ok: true, ...done, warning: words('warning.record.notAudited') };
  }
  return { ok: true, ...done };
}
