import { randomUUID } from 'node:crypto';
import { StorageReadError } from '../errors';
import { recordInstallationByAdmin } from '../phase4/installation_evidence';
import { handleAutoTrigger } from '../phase5/handle_auto_trigger';
import { appVersion } from '../platform';
import { SCHEDULER } from '../scheduled/config';
import { leaseRunning, LedgerRecord } from '../scheduled/decisions';
import * as ledger from '../scheduled/ledger';
import { ensureManualRecord, Ensured, ensureRecords } from '../scheduled/ledger_upgrade';
import { installationTimestampFrom, isRecord } from '../scheduled/scheduler_state';
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
import { causeOf } from './causes';
import { ADMIN } from './config';
import type { ActionDone, AdminPageView, AdminResult, ReportResponse, Words } from './contract';
import { formatInstant } from './format';
import { checkInstallationTime, consequencesOf } from './installation_time';
import { adminPageView } from './status_view';
import { at, reportName, words } from './words';

/**
 * What the admin page can do. Each action re-reads storage, decides with the
 * same rules the page used to offer it (adminPageView), changes a trigger only
 * through the ledger's transitions (src/scheduled/ledger.ts), and writes its
 * audit entry in the same transaction as the change. Reports are built by
 * handleAutoTrigger, the one generation path.
 *
 * Every change is conditional on the ledger record as this action read it, so
 * an action working from a stale read is refused rather than applied, and one
 * whose reply was lost is read back: the answer says what storage holds, or
 * that nobody can say yet, never "nothing was changed" for a change that landed.
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

/** The change may or may not have landed, and a read to tell failed too. */
const unknownOutcome = (what: string): Outcome<never> => ({
  ok: false,
  error: {
    code: 'OUTCOME_UNKNOWN',
    message:
      `Storage did not answer whether ${what} was applied, and reading it back failed too. ` +
      'Reload the page in a minute: the audit log lists it if it was applied, and the trigger shows its state either way.',
  },
});

/** How many older entries one transaction prunes at most (each is an entry and its report). */
const MAX_PRUNED_PER_COMMIT = 6;

const withAudit = (set: Commit['set'], audit: AuditRecord): Commit['set'] => [
  ...set,
  { key: audit.key, value: audit.value, ttl: audit.ttl },
];

export async function getAdminPage(caller: AdminCaller): Promise<Outcome<{ view: AdminPageView; accountId: string }>> {
  const now = Date.now();
  const view = adminPageView(await loadAdminRecords(caller.cloudId), now);
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

/**
 * What an action on one trigger acts on, read strongly (one batch): the evidence, the
 * state, the trigger's DONE key and report, and both ledger records, created first if
 * the installation has none yet (ledger_upgrade.ts).
 */
async function readTrigger(
  cloudId: string,
  trigger: AutoTrigger,
  now: number,
  again = false,
): Promise<{
  evidence: unknown;
  stateRaw: unknown;
  doneRaw: unknown;
  report: unknown;
  records: ledger.Records | 'unreadable' | Extract<Ensured, { kind: 'wait' }>;
}> {
  const refs = [
    keys.installationEvidence(cloudId),
    keys.schedulerState(cloudId),
    keys.done(cloudId, trigger),
    keys.report(cloudId, trigger),
    ledger.recordRef(cloudId, 'AUTO_12H'),
    ledger.recordRef(cloudId, 'AUTO_24H'),
  ];
  const values = await store.readMany(refs);
  const get = (ref: (typeof refs)[number]) => values.get(store.refId(ref));
  const read = {
    AUTO_12H: ledger.recordFrom(get(ledger.recordRef(cloudId, 'AUTO_12H')), 'AUTO_12H'),
    AUTO_24H: ledger.recordFrom(get(ledger.recordRef(cloudId, 'AUTO_24H')), 'AUTO_24H'),
  };
  const base = {
    evidence: get(keys.installationEvidence(cloudId)),
    stateRaw: get(keys.schedulerState(cloudId)),
    doneRaw: get(keys.done(cloudId, trigger)),
    report: get(keys.report(cloudId, trigger)),
  };
  if (read.AUTO_12H === 'unreadable' || read.AUTO_24H === 'unreadable')
    return { ...base, records: 'unreadable' as const };
  if (read.AUTO_12H === null || read.AUTO_24H === null) {
    const ensured = again ? null : await ensureRecords({ cloudId, now, stateRaw: base.stateRaw });
    if (ensured?.kind === 'wait') return { ...base, records: ensured };
    // Created just now: read again, so the DONE key and the report are read after the records exist.
    if (ensured) return readTrigger(cloudId, trigger, now, true);
    return { ...base, records: 'unreadable' };
  }
  return { ...base, records: { AUTO_12H: read.AUTO_12H, AUTO_24H: read.AUTO_24H } };
}

type TriggerRead = Awaited<ReturnType<typeof readTrigger>>;

/** The records an action may move, or why it may not act now. */
function actionable(
  read: TriggerRead,
  trigger: AutoTrigger,
  action: 'retry' | 'reset',
): ledger.Records | Outcome<never> {
  if (read.records === 'unreadable') {
    return refused(
      `${trigger}'s ledger record cannot be read; it is not changed on a guess.`,
      words(action === 'reset' ? 'error.reset.damaged' : 'error.action.damaged', { report: reportName(trigger) }),
    );
  }
  if ('kind' in read.records) {
    return refused(
      `The installation's records are being moved to the ledger (${read.records.reason}); try again after ${formatInstant(read.records.until)}.`,
      words('error.action.upgrading', { until: at(toIso(read.records.until)) }),
    );
  }
  return read.records;
}

/** Retry and Reset act on the installation time's windows: without a usable one there is nothing to act on. */
function installedAtOf(read: TriggerRead, now: number): number | Outcome<never> {
  const installation = installationTimestampFrom(read.evidence, now);
  if (installation.ok) return installation.installedAt;
  return refused('The installation time is not recorded or not usable.', words('error.action.noInstallation'));
}

/** Say what storage holds after a transition that was not answered 2xx, or that nobody can say yet. */
function afterTransition(
  applied: ledger.Applied,
  what: string,
  changedMeanwhile: [string, Words],
  done: () => Outcome,
): Outcome {
  if (applied.kind === 'landed') return done();
  if (applied.kind === 'lost') return refused(...changedMeanwhile);
  return {
    ok: false,
    error: {
      code: 'STORAGE_UNAVAILABLE',
      message: `Storage refused ${what}; it was not applied, and nothing was changed.`,
    },
  };
}

// ---------------------------------------------------------------------------
// 1. A MANUAL report now.

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

  // The number: past the MANUAL record's, and past every number another record shows as used, so
  // none is given twice (an earlier version's resolver, during a rolling deploy, numbers from those).
  const entries = await store.listByPrefix(keys.adminEntryPrefix(cloudId), 1000);
  const given = highestManualSequence({
    cloudId,
    entries,
    manualIndex: records.get(k.legacyIndex),
    manualSequence: records.get(k.sequence),
  });
  const record = await ensureManualRecord(cloudId, now, async () => {
    const prefix = keys.legacyClaimPrefix(cloudId, 'MANUAL');
    return Math.max(given, highestClaimed(await store.listByPrefix(prefix, 1000), prefix));
  });
  const claim = await ledger.claimManual(cloudId, record, randomUUID(), Date.now(), ADMIN.manualClaimLeaseMs, given);
  if (claim.kind === 'busy') {
    return refused(
      `A manual report has been generating since ${formatInstant(claim.since)}; wait for it to finish.`,
      words('error.manual.busy', { started: at(toIso(claim.since)) }),
    );
  }
  if (claim.kind !== 'claimed') {
    return refused('Another manual report took the next number first; try again.', words('error.manual.noNumber'));
  }
  const held = claim.record;
  const sequence = held.progress.attemptCount;
  // Written with the report or the failure, for an earlier version's resolver to number past.
  const sequenceRecord: StoredManualSequence = { schema_version: 1, last_sequence: sequence };
  const sequenceSet = { key: k.sequence, value: sequenceRecord };

  const result = await handleAutoTrigger('MANUAL', {
    cloudId,
    installedAt: installation.ok ? installation.installedAt : null,
    attempt: 1,
    now: () => Date.now(),
    deadlineAt: held.claim!.claimedAt + ADMIN.manualGenerationBudgetMs,
  });
  try {
    if (!result.success) {
      const audit = auditRecord(cloudId, Date.now(), {
        action: 'GENERATE_MANUAL_REPORT',
        accountId,
        outcome: 'failed',
        detail: `Manual report #${sequence} failed: ${result.error}`,
        words: words('audit.manual.failed', { number: sequence, cause: { words: causeOf(result.error) } }),
        changedKeys: [keys.claimRecord(cloudId, 'MANUAL')],
      });
      await ledger.finishManual(cloudId, held, Date.now(), 'failed', { set: withAudit([sequenceSet], audit) });
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
    const reportKey = keys.manualReport(cloudId, generatedAt, sequence);
    const entryKey = keys.manualReportEntry(cloudId, sequence);
    const entry: StoredManualReportEntry = {
      key: reportKey,
      sequence,
      generated_at: result.report.generated_at,
      requested_by: accountId,
    };
    const older = keptReports({ cloudId, entries, manualIndex: undefined, replacedIndex: undefined }).manual.filter(
      (e) => e.sequence !== sequence,
    );
    const dropped = pruned(older, ADMIN.manualReportsKept - 1, ownManual(cloudId));
    const changedKeys = [reportKey, entryKey, ...dropped];
    const audit = auditRecord(cloudId, Date.now(), {
      action: 'GENERATE_MANUAL_REPORT',
      accountId,
      outcome: 'done',
      detail:
        `Manual report #${sequence} stored (${result.sizeBytes} bytes)` +
        (dropped.length > 0 ? `; the oldest beyond ${ADMIN.manualReportsKept} removed` : ''),
      words:
        dropped.length > 0
          ? words('audit.manual.storedPruned', { number: sequence, kept: ADMIN.manualReportsKept })
          : words('audit.manual.stored', { number: sequence }),
      changedKeys,
    });
    // The report, its entry and the claim's release land together: no entry without its
    // report, no report without its entry, and a pruned report goes with its entry.
    const applied = await ledger.finishManual(cloudId, held, Date.now(), 'generated', {
      set: withAudit([{ key: reportKey, value: result.report }, { key: entryKey, value: entry }, sequenceSet], audit),
      delete: dropped,
    });
    if (applied.kind === 'landed') {
      return {
        ok: true,
        words: words(installation.ok ? 'done.manual' : 'done.manualNoInstallation', { number: sequence }),
        changedKeys,
        reportKey,
      };
    }
    if (applied.kind === 'lost') {
      return refused('The manual report took too long; its number was passed over.', words('error.manual.passedOver'));
    }
    return {
      ok: false,
      error: { code: 'STORAGE_UNAVAILABLE', message: 'Storage refused the manual report; it was not stored.' },
    };
  } catch (err) {
    if (err instanceof StorageReadError) return unknownOutcome(`manual report #${sequence}`);
    throw err;
  }
}

// ---------------------------------------------------------------------------
// 2. Retry a trigger now.

/** The backoff ends: the trigger's record and the state, together, conditional like every transition. */
export async function retryTriggerNow(caller: AdminCaller, trigger: AutoTrigger): Promise<Outcome> {
  const { cloudId, accountId } = caller;
  const now = Date.now();
  const offer = adminPageView(await loadAdminRecords(cloudId), now).triggers.find((t) => t.trigger === trigger)!;
  if (!offer.actions.retry.allowed) {
    return refused(`${trigger} cannot be retried now (${offer.status})`, offer.actions.retry.reason);
  }
  const read = await readTrigger(cloudId, trigger, now);
  const records = actionable(read, trigger, 'retry');
  if ('ok' in records) return records;
  const installedAt = installedAtOf(read, now);
  if (typeof installedAt !== 'number') return installedAt;
  const record = records[trigger];
  if (record.status !== 'idle' || record.progress.backoffUntil === null) {
    return refused(
      `${trigger} is no longer backing off; reload the page.`,
      words('error.action.changed', { report: reportName(trigger) }),
    );
  }

  const stateKey = keys.schedulerState(cloudId);
  const changedKeys = [keys.claimRecord(cloudId, trigger), stateKey];
  const audit = auditRecord(cloudId, now, {
    action: 'RETRY_TRIGGER',
    accountId,
    trigger,
    outcome: 'done',
    detail: `Backoff until ${toIso(record.progress.backoffUntil)} cleared after ${record.progress.attemptCount} failed attempt(s)`,
    words: words('audit.retry', { count: record.progress.attemptCount }),
    changedKeys,
  });
  let applied: ledger.Applied;
  try {
    applied = await ledger.retry(context(cloudId, trigger, records, installedAt, read.stateRaw, now), {
      set: withAudit([], audit),
    });
  } catch (err) {
    if (err instanceof StorageReadError) return unknownOutcome(`the retry of ${trigger}`);
    throw err;
  }
  const answer = afterTransition(
    applied,
    `the retry of ${trigger}`,
    [`${trigger} changed meanwhile; reload the page.`, words('error.action.changed', { report: reportName(trigger) })],
    () => ({ ok: true, words: words('done.retry', { report: reportName(trigger) }), changedKeys }),
  );
  if (!answer.ok) return answer;
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
    changedKeys,
  };
}

function context(
  cloudId: string,
  trigger: AutoTrigger,
  records: ledger.Records,
  installedAt: number,
  stateRaw: unknown,
  now: number,
): ledger.AutoContext {
  const lastRun = isRecord(stateRaw) ? parseIsoInstant(stateRaw.last_run_at) : null;
  return { cloudId, trigger, records, installedAt, lastRunAt: lastRun, by: randomUUID(), now };
}

// ---------------------------------------------------------------------------
// 3. Reset a trigger.

/**
 * Reset, as one transition of the trigger's record (ledger.reset): the record moves
 * to the next epoch, from nothing; the DONE key and the report go and the report is
 * set aside with its history entry; the state restarts the trigger; the audit entry
 * is written. All in one transaction, conditional on the record exactly as read here,
 * so a claim or a commit that came in between refuses the Reset, and a holder of a
 * claim taken before it can never commit after it. Refused, for the administrator's
 * sake only, while a generation's lease is running (by this clock): a Reset then
 * would throw its work away.
 */
export async function resetTriggerNow(caller: AdminCaller, trigger: AutoTrigger): Promise<Outcome> {
  const { cloudId, accountId } = caller;
  const now = Date.now();
  const page = await loadAdminRecords(cloudId);
  const offer = adminPageView(page, now).triggers.find((t) => t.trigger === trigger)!;
  if (!offer.actions.reset.allowed) {
    return refused(`${trigger} cannot be reset (${offer.status})`, offer.actions.reset.reason);
  }
  const read = await readTrigger(cloudId, trigger, now);
  const records = actionable(read, trigger, 'reset');
  if ('ok' in records) return records;
  const installedAt = installedAtOf(read, now);
  if (typeof installedAt !== 'number') return installedAt;
  const record: LedgerRecord = records[trigger];
  if (record.progress.epoch >= SCHEDULER.maxEpoch) {
    return refused(
      `${trigger} has been reset ${record.progress.epoch} times; no more resets.`,
      words('error.reset.tooMany', { report: reportName(trigger), count: record.progress.epoch }),
    );
  }
  if (leaseRunning(record, now)) {
    return refused(
      `${trigger} attempt #${record.progress.attemptCount} holds a live claim until ${formatInstant(record.claim!.leaseExpiresAt)}.`,
      words('error.reset.generating', { report: reportName(trigger), until: at(toIso(record.claim!.leaseExpiresAt)) }),
    );
  }

  const doneKey = keys.done(cloudId, trigger);
  const reportKey = keys.report(cloudId, trigger);
  const epoch = record.progress.epoch;
  const sets: Commit['set'][number][] = [];
  const deletes = [read.doneRaw !== undefined ? doneKey : null, read.report !== undefined ? reportKey : null].filter(
    (k): k is string => k !== null,
  );
  let replacedKey: string | null = null;
  if (read.report !== undefined) {
    replacedKey = keys.replacedReport(cloudId, trigger, now, epoch);
    const entryKey = keys.replacedReportEntry(cloudId, trigger, epoch);
    const entry: StoredReplacedReportEntry = {
      key: replacedKey,
      trigger,
      epoch,
      generated_at:
        isRecord(read.report) && typeof read.report.generated_at === 'string' ? read.report.generated_at : null,
      attempt:
        isRecord(read.report) && typeof read.report.attempt === 'number' && read.report.attempt >= 1
          ? read.report.attempt
          : null,
      replaced_at: toIso(now),
      replaced_by: accountId,
    };
    const older = keptReports(page).replaced.filter((e) => e.entryKey !== entryKey);
    sets.push({ key: replacedKey, value: read.report }, { key: entryKey, value: entry });
    deletes.push(...pruned(older, ADMIN.replacedReportsKept - 1, ownReplaced(cloudId)));
  }
  const changedKeys = [
    keys.claimRecord(cloudId, trigger),
    keys.schedulerState(cloudId),
    ...sets.map((s) => s.key),
    ...deletes,
  ];
  const audit = auditRecord(cloudId, now, {
    action: 'RESET_TRIGGER',
    accountId,
    trigger,
    outcome: 'done',
    detail:
      // Admins read this in the audit log; the keys are in changedKeys, the epoch in the ledger record.
      (replacedKey ? 'Its report was set aside (still listed, as replaced); ' : '') +
      `marked not done after ${record.progress.attemptCount} attempt(s); attempts start again from 1`,
    words: words(replacedKey ? 'audit.reset.setAside' : 'audit.reset', { count: record.progress.attemptCount }),
    changedKeys,
  });
  let applied: ledger.Applied;
  try {
    applied = await ledger.reset(context(cloudId, trigger, records, installedAt, read.stateRaw, now), {
      set: withAudit(sets, audit),
      delete: deletes,
    });
  } catch (err) {
    if (err instanceof StorageReadError) return unknownOutcome(`the Reset of ${trigger}`);
    throw err;
  }
  return afterTransition(
    applied,
    `the Reset of ${trigger}`,
    [
      `${trigger} changed meanwhile (a generation, or another administrator); reload the page.`,
      words('error.reset.raced', { report: reportName(trigger) }),
    ],
    () => ({
      ok: true,
      words: words(replacedKey ? 'done.resetSetAside' : 'done.reset', { report: reportName(trigger) }),
      changedKeys,
    }),
  );
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
