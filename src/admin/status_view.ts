import { EVIDENCE_SOURCE_ADMIN, EVIDENCE_SOURCE_EVENT } from '../phase4/installation_evidence';
import { SCHEDULER_BACKOFF } from '../scheduled/backoff';
import { SCHEDULER } from '../scheduled/config';
import {
  AUTO_TRIGGERS,
  backoffActive,
  DoneMarker,
  emptyState,
  forgetUnstoredReports,
  lastChanceAt,
  leaseRunning,
  LedgerRecord,
  SchedulerState,
  stateFromRecords,
} from '../scheduled/decisions';
import { recordFrom, ReadRecord } from '../scheduled/ledger';
import { doneMarkerFrom, installationTimestampFrom, isRecord, parseState } from '../scheduled/scheduler_state';
import { AutoTrigger, keys } from '../storage/keys';
import { toIso, toIsoOrNull } from '../time';
import { AdminRecords, keptReports, parseManualIndex, parseReplacedIndex } from './admin_records';
import { auditEntryView } from './audit_log';
import { ADMIN } from './config';
import { causeOf } from './causes';
import type {
  ActionAvailability,
  AdminPageView,
  InstallationView,
  ReportSummary,
  TriggerStatus,
  TriggerView,
  Words,
} from './contract';
import { healthOf, situationsOf } from './health';
import { at, words } from './words';

/**
 * The admin page's status, as a pure function of what is stored and the time.
 * It reads the records the way the scheduler does (DONE keys are
 * authoritative, an unreadable state counts as empty) so the page never shows
 * a status the scheduler would not act on.
 */

const HOUR = 3_600_000;
/** The guide's alerting threshold: "alert if backoff exceeds 2 hours repeatedly". */
const LONG_BACKOFF_MS = 2 * HOUR;

function installationView(raw: unknown, now: number): { view: InstallationView; installedAt: number | null } {
  const parsed = installationTimestampFrom(raw, now);
  const record = isRecord(raw) ? raw : {};
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  const source =
    record.source === EVIDENCE_SOURCE_EVENT ? 'event' : record.source === EVIDENCE_SOURCE_ADMIN ? 'admin' : 'other';
  if (!parsed.ok) {
    const status = parsed.reason === 'MISSING' ? 'missing' : parsed.reason === 'INVALID' ? 'invalid' : 'in_future';
    return {
      installedAt: null,
      view: {
        status,
        installedAt: status === 'in_future' ? text(record.installation_timestamp) : null,
        source: status === 'missing' ? null : source,
        recordedBy: text(record.recorded_by),
        recordedAt: text(record.recorded_at),
        ageHours: null,
      },
    };
  }
  return {
    installedAt: parsed.installedAt,
    view: {
      status: 'recorded',
      installedAt: toIso(parsed.installedAt),
      source,
      recordedBy: text(record.recorded_by),
      recordedAt: text(record.recorded_at),
      ageHours: Math.round((now - parsed.installedAt) / 360_000) / 10,
    },
  };
}

/**
 * Failed attempts whose backoff was 2 h or more (per the scheduler's own schedule).
 * The ladder's last step repeats, so past the explicit steps every failure counts
 * the same: the loop runs over the ladder's few steps, never over the count, which
 * comes from storage.
 */
function longBackoffsAfter(failures: number): number {
  let n = 0;
  let i = 1;
  for (; i <= failures && SCHEDULER_BACKOFF.delayAfter(i) !== SCHEDULER_BACKOFF.maxDelayMs; i++) {
    if (SCHEDULER_BACKOFF.delayAfter(i) >= LONG_BACKOFF_MS) n++;
  }
  const rest = Math.max(0, failures - i + 1);
  return n + (SCHEDULER_BACKOFF.maxDelayMs >= LONG_BACKOFF_MS ? rest : 0);
}

interface TriggerInputs {
  trigger: AutoTrigger;
  state: SchedulerState;
  marker: DoneMarker | null;
  /** The trigger's ledger record; null before the installation has one. */
  record: LedgerRecord | null;
  installedAt: number | null;
  now: number;
}

function triggerView({ trigger, state, marker, record, installedAt, now }: TriggerInputs): TriggerView {
  const p = state.triggers[trigger];
  const done = marker !== null || record?.status === 'done';
  const generatedAt = marker?.generatedAt ?? p.generatedAt;
  const attemptCount = Math.max(p.attemptCount, marker?.attempt ?? 0);
  // The attempt that succeeded, or that a holder is still generating, has not failed.
  const failedAttempts = done || record?.status === 'held' ? Math.max(0, attemptCount - 1) : attemptCount;
  // Whether a generation is running is the lease's say, by this clock: what the page shows and offers, never
  // what keeps a report single (every change to the record is conditional on it as read).
  const liveClaim =
    !done && record && leaseRunning(record, now)
      ? {
          attempt: record.progress.attemptCount,
          claimedAt: record.claim!.claimedAt,
          leaseExpiresAt: record.claim!.leaseExpiresAt,
        }
      : null;
  const dueAt =
    installedAt === null
      ? null
      : installedAt + (trigger === 'AUTO_12H' ? SCHEDULER.auto12hAfterMs : SCHEDULER.auto24hAfterMs);
  const windowClosesAt = trigger === 'AUTO_12H' && installedAt !== null ? installedAt + SCHEDULER.auto24hAfterMs : null;
  const windowClosed = windowClosesAt !== null && now >= windowClosesAt;
  // Backing off until the close: the window rule left no attempt before it.
  const noAttemptLeft = windowClosesAt !== null && p.backoffUntil !== null && p.backoffUntil >= windowClosesAt;

  let status: TriggerStatus;
  if (done) status = 'done';
  else if (liveClaim) status = 'generating';
  else if (p.missedAt !== null) status = 'missed';
  else if (dueAt === null) status = 'unscheduled';
  else if (windowClosed) status = 'missed';
  else if (now < dueAt) status = 'waiting';
  else if (backoffActive(p, now)) status = 'backing_off';
  else status = 'due';

  // Older than the scheduler function's own time limit (plus the clocks' allowance): Forge has stopped it, or it
  // runs under a longer limit than this app sets. Which, the app cannot tell until the claim's lease has passed.
  const outcomeUnknown =
    liveClaim !== null && now > liveClaim.claimedAt + SCHEDULER.functionTimeoutMs + SCHEDULER.maxClockDisagreementMs;
  const summaries: Record<TriggerStatus, () => Words> = {
    done: () =>
      generatedAt === null
        ? words('trigger.summary.doneStored')
        : failedAttempts > 0
          ? words('trigger.summary.doneAfterFailures', { at: at(toIso(generatedAt)), count: failedAttempts })
          : words('trigger.summary.done', { at: at(toIso(generatedAt)) }),
    generating: () =>
      outcomeUnknown
        ? words('trigger.summary.unaccounted', {
            started: at(toIso(liveClaim!.claimedAt)),
            after: at(toIso(liveClaim!.leaseExpiresAt), true),
          })
        : words('trigger.summary.generating', { started: at(toIso(liveClaim!.claimedAt)) }),
    missed: () =>
      windowClosesAt !== null
        ? words('trigger.summary.missedWindow', { closed: at(toIso(windowClosesAt)) })
        : words('trigger.summary.missedAt', { at: p.missedAt === null ? '—' : at(toIso(p.missedAt)) }),
    unscheduled: () => words('trigger.summary.unscheduled'),
    waiting: () => words('trigger.summary.waiting', { due: at(toIso(dueAt!), true) }),
    backing_off: () =>
      noAttemptLeft
        ? words('trigger.summary.backingOffPastWindow', {
            count: failedAttempts,
            closes: at(toIso(windowClosesAt!), true),
          })
        : lastChance !== null && lastChance === p.backoffUntil
          ? words('trigger.summary.backingOffLastChance', {
              count: failedAttempts,
              next: at(toIso(p.backoffUntil), true),
              closes: at(toIso(windowClosesAt!)),
            })
          : words('trigger.summary.backingOff', { count: failedAttempts, next: at(toIso(p.backoffUntil!), true) }),
    due: () =>
      failedAttempts > 0 ? words('trigger.summary.dueAgain', { count: failedAttempts }) : words('trigger.summary.due'),
  };
  const nextEligibleAt =
    status === 'waiting'
      ? dueAt
      : status === 'due'
        ? now
        : status === 'backing_off' && !noAttemptLeft
          ? p.backoffUntil
          : null;
  const waitingToRetry = (status === 'backing_off' || status === 'due') && failedAttempts > 0;
  const lastChance = waitingToRetry && installedAt !== null ? lastChanceAt(trigger, installedAt, p, now) : null;

  return {
    trigger,
    status,
    summary: summaries[status](),
    dueAt: toIsoOrNull(dueAt),
    windowClosesAt: toIsoOrNull(windowClosesAt),
    nextEligibleAt: toIsoOrNull(nextEligibleAt),
    lastChanceAt: toIsoOrNull(lastChance),
    attemptCount,
    failedAttempts,
    longBackoffs: longBackoffsAfter(failedAttempts),
    backoffUntil: toIsoOrNull(p.backoffUntil),
    lastError: p.lastError && {
      at: toIso(p.lastError.at),
      message: p.lastError.message,
      attempt: p.lastError.attempt,
      cause: causeOf(p.lastError.message),
    },
    generatedAt: toIsoOrNull(generatedAt),
    missedAt: toIsoOrNull(p.missedAt),
    liveClaim: liveClaim && {
      attempt: liveClaim.attempt,
      claimedAt: toIso(liveClaim.claimedAt),
      leaseExpiresAt: toIso(liveClaim.leaseExpiresAt),
    },
    outcomeUnknown,
    reportKey: null,
    // Only while it can still be made: a done or missed trigger needs no alert, its status says it all.
    repeatedLongBackoff: status !== 'done' && status !== 'missed' && longBackoffsAfter(failedAttempts) >= 2,
    actions: {
      retry: retryAvailability(
        status,
        p.backoffUntil,
        status === 'backing_off' && noAttemptLeft ? windowClosesAt : null,
      ),
      reset: resetAvailability({ status, done, windowClosesAt, windowClosed, liveClaim, attemptCount, p }),
    },
  };
}

/** `closesFirst`: the window closes before the wait ends, so without a retry the report is missed then. */
function retryAvailability(
  status: TriggerStatus,
  backoffUntil: number | null,
  closesFirst: number | null,
): ActionAvailability {
  if (status === 'backing_off') {
    return {
      allowed: true,
      reason:
        closesFirst !== null
          ? words('action.retry.allowedPastWindow', { closes: at(toIso(closesFirst)) })
          : words('action.retry.allowed', { next: at(toIso(backoffUntil!)) }),
    };
  }
  const why: Record<Exclude<TriggerStatus, 'backing_off'>, Words> = {
    done: words('action.retry.done'),
    generating: words('action.retry.generating'),
    missed: words('action.retry.missed'),
    unscheduled: words('action.retry.unscheduled'),
    waiting: words('action.retry.waiting'),
    due: words('action.retry.due'),
  };
  return { allowed: false, reason: why[status] };
}

function resetAvailability(a: {
  status: TriggerStatus;
  done: boolean;
  windowClosesAt: number | null;
  windowClosed: boolean;
  liveClaim: { leaseExpiresAt: number } | null;
  attemptCount: number;
  p: SchedulerState['triggers'][AutoTrigger];
}): ActionAvailability {
  if (a.liveClaim) {
    return {
      allowed: false,
      reason: words('action.reset.generating', { until: at(toIso(a.liveClaim.leaseExpiresAt)) }),
    };
  }
  if (a.windowClosed) {
    return { allowed: false, reason: words('action.reset.windowClosed', { closed: at(toIso(a.windowClosesAt!)) }) };
  }
  const untouched =
    !a.done && a.attemptCount === 0 && a.p.missedAt === null && a.p.lastError === null && a.p.backoffUntil === null;
  if (untouched) return { allowed: false, reason: words('action.reset.untouched') };
  return { allowed: true, reason: words(a.done ? 'action.reset.allowedDone' : 'action.reset.allowed') };
}

function reportSummaries(records: AdminRecords, done: Record<AutoTrigger, DoneMarker | null>): ReportSummary[] {
  const autos: ReportSummary[] = AUTO_TRIGGERS.filter((t) => done[t] !== null).map((t) => ({
    key: keys.report(records.cloudId, t),
    kind: t,
    trigger: t,
    generatedAt: toIsoOrNull(done[t]!.generatedAt),
    attempt: done[t]!.attempt,
    by: null,
    replacedAt: null,
  }));
  const kept = keptReports(records);
  return [
    ...autos,
    ...kept.manual.map((r): ReportSummary => ({
      key: r.key,
      kind: 'MANUAL',
      trigger: 'MANUAL',
      generatedAt: r.generated_at,
      attempt: null,
      by: r.requested_by,
      replacedAt: null,
    })),
    ...kept.replaced.map((r): ReportSummary => ({
      key: r.key,
      kind: 'REPLACED',
      trigger: r.trigger,
      generatedAt: r.generated_at,
      attempt: r.attempt,
      by: r.replaced_by,
      replacedAt: r.replaced_at,
    })),
  ];
}

export function adminPageView(records: AdminRecords, now: number): AdminPageView {
  const { view: installation, installedAt } = installationView(records.evidence, now);
  const parsedState = records.state === undefined ? null : parseState(records.state, now);
  const done = {
    AUTO_12H: doneMarkerFrom(records.done.AUTO_12H, now),
    AUTO_24H: doneMarkerFrom(records.done.AUTO_24H, now),
  };
  const ledger = {
    AUTO_12H: recordFrom(records.ledger.AUTO_12H, 'AUTO_12H'),
    AUTO_24H: recordFrom(records.ledger.AUTO_24H, 'AUTO_24H'),
  };
  const usable = (r: ReadRecord): LedgerRecord | null => (r === null || r === 'unreadable' ? null : r);
  // The ledger is what the scheduler acts on; the stored state only mirrors it. An installation that has no
  // records yet (not upgraded) is read the way the earlier version read it: a generation the state records
  // without its DONE key never stored a report.
  const lastRunAt = parsedState?.ok ? parsedState.value.lastRunAt : null;
  const both = usable(ledger.AUTO_12H) && usable(ledger.AUTO_24H);
  const state = both
    ? stateFromRecords(
        { AUTO_12H: usable(ledger.AUTO_12H)!, AUTO_24H: usable(ledger.AUTO_24H)! },
        installedAt,
        lastRunAt,
      )
    : parsedState?.ok
      ? forgetUnstoredReports(parsedState.value, done)
      : emptyState();
  const stateProblem = parsedState && !parsedState.ok ? `The stored state is invalid (${parsedState.reason})` : null;

  const reports = reportSummaries(records, done);
  const triggers = AUTO_TRIGGERS.map((trigger) => {
    const view = triggerView({
      trigger,
      state,
      marker: done[trigger],
      record: usable(ledger[trigger]),
      installedAt,
      now,
    });
    return { ...view, reportKey: reports.find((r) => r.kind === trigger)?.key ?? null };
  });

  const manualIndex = parseManualIndex(records.manualIndex);
  const replacedIndex = parseReplacedIndex(records.replacedIndex);
  const unreadable = keptReports(records).unreadable;
  const historyProblems = [
    ...(manualIndex.ok ? [] : [`The manual report index is invalid (${manualIndex.reason}).`]),
    ...(replacedIndex.ok ? [] : [`The replaced report index is invalid (${replacedIndex.reason}).`]),
    ...unreadable.map((key) => `The report history entry ${key} does not parse.`),
  ];
  const blocked = AUTO_TRIGGERS.filter((t) => ledger[t] === 'unreadable');
  const recordProblems = [
    ...historyProblems,
    ...blocked.map(
      (t) => `${t}'s ledger record cannot be read, so the scheduler does not generate it; it is never guessed at.`,
    ),
    ...AUTO_TRIGGERS.filter((t) => usable(ledger[t])?.status === 'done' && done[t] === null).map(
      (t) => `${t}'s ledger record says its report was stored, but its DONE key is missing; Reset generates it again.`,
    ),
  ];

  const manualRecord = usable(recordFrom(records.ledger.MANUAL, 'MANUAL'));
  const manualBusy =
    manualRecord && leaseRunning(manualRecord, now, ADMIN.manualClaimLeaseMs) ? manualRecord.claim! : null;
  const manualReport = manualBusy
    ? {
        allowed: false,
        reason: words('action.manual.busy', { started: at(toIso(manualBusy.claimedAt)) }),
        inProgressSince: toIso(manualBusy.claimedAt),
      }
    : {
        allowed: true,
        reason: words(installedAt === null ? 'action.manual.allowedNoInstallation' : 'action.manual.allowed', {
          seconds: ADMIN.manualGenerationBudgetMs / 1000,
          kept: ADMIN.manualReportsKept,
        }),
        inProgressSince: null,
      };

  const audit = records.audit
    .map((e) => auditEntryView(e.key, e.value))
    .filter((e): e is NonNullable<typeof e> => e !== null)
    .reverse()
    .slice(0, ADMIN.auditShown);

  const situations = situationsOf({
    installation,
    triggers,
    stateProblem,
    historyProblems: historyProblems.length,
    blocked,
  });
  return {
    now: toIso(now),
    cloudId: records.cloudId,
    installation,
    stateProblem,
    recordProblems,
    triggers,
    health: healthOf(situations, triggers),
    messages: situations.slice(1),
    reports,
    manualReport,
    recordInstallation: {
      ...(installation.status === 'missing'
        ? { allowed: true, reason: words('action.record.allowed') }
        : { allowed: false, reason: words('action.record.recorded') }),
      earliestAt: ADMIN.firstDeployedAt,
    },
    audit,
    limits: { manualReportsKept: ADMIN.manualReportsKept, replacedReportsKept: ADMIN.replacedReportsKept },
    schedule: {
      interval: SCHEDULER.interval,
      intervalMinutes: SCHEDULER.intervalMs / 60_000,
      wakeUps: true,
    },
  };
}
