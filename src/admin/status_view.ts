import { EVIDENCE_SOURCE_ADMIN, EVIDENCE_SOURCE_EVENT } from '../phase4/installation_evidence';
import { SCHEDULER_BACKOFF } from '../scheduled/backoff';
import { INTERVAL_WORDS, SCHEDULER } from '../scheduled/config';
import {
  AUTO_TRIGGERS,
  backoffActive,
  claimMayBeLive,
  DoneMarker,
  emptyState,
  forgetUnstoredReports,
  inEpochs,
  lastChanceAt,
  SchedulerState,
} from '../scheduled/decisions';
import {
  doneMarkerFrom,
  epochFrom,
  installationTimestampFrom,
  isRecord,
  parseClaim,
  parseState,
} from '../scheduled/scheduler_state';
import { AutoTrigger, keys } from '../storage/keys';
import { toIso, toIsoOrNull } from '../time';
import { AdminRecords, keptReports, parseManualIndex, parseReplacedIndex } from './admin_records';
import { auditEntryView } from './audit_log';
import { ADMIN } from './config';
import type {
  ActionAvailability,
  AdminPageView,
  Alert,
  InstallationView,
  ReportSummary,
  TriggerStatus,
  TriggerView,
} from './contract';
import { formatInstant, formatRelative } from './format';

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

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

interface TriggerInputs {
  trigger: AutoTrigger;
  state: SchedulerState;
  marker: DoneMarker | null;
  claimRaw: unknown;
  installedAt: number | null;
  now: number;
}

function triggerView({ trigger, state, marker, claimRaw, installedAt, now }: TriggerInputs): TriggerView {
  const p = state.triggers[trigger];
  const done = marker !== null;
  const generatedAt = marker?.generatedAt ?? p.generatedAt;
  const attemptCount = Math.max(p.attemptCount, marker?.attempt ?? 0);
  const failedAttempts = done ? Math.max(0, attemptCount - 1) : attemptCount;
  const claim = done ? null : parseClaim(claimRaw);
  // A Reset's fence at this number is a Reset in progress, not a generation; the Reset itself refuses others.
  const liveClaim = claim && claim.kind === 'attempt' && claimMayBeLive(claim, now) ? claim : null;
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

  const earlier = failedAttempts > 0 ? ` ${plural(failedAttempts, 'earlier attempt')} failed.` : '';
  const summaries: Record<TriggerStatus, () => string> = {
    done: () =>
      generatedAt === null
        ? 'Done: its report is stored.'
        : `Done at ${formatInstant(generatedAt)}${attemptCount > 1 ? ` on attempt #${attemptCount}` : ''}.`,
    generating: () =>
      `Generating: attempt #${liveClaim!.attempt} started ${formatInstant(liveClaim!.claimedAt)}; ` +
      `its claim is held until ${formatInstant(liveClaim!.leaseExpiresAt)}.`,
    missed: () =>
      windowClosesAt !== null
        ? `Missed: no report was stored before its window closed at ${formatInstant(windowClosesAt)}.`
        : `Missed at ${formatInstant(p.missedAt)}.`,
    unscheduled: () => 'Not scheduled: the installation time is not recorded.',
    waiting: () => `Waiting until ${formatInstant(dueAt)} (${formatRelative(dueAt, now)}).`,
    backing_off: () =>
      noAttemptLeft
        ? `No attempt is left before its window closes at ${formatInstant(windowClosesAt)}, ` +
          `after ${plural(failedAttempts, 'failed attempt')}.`
        : `Backing off until ${formatInstant(p.backoffUntil)} (${formatRelative(p.backoffUntil, now)}) ` +
          `after ${plural(failedAttempts, 'failed attempt')}.`,
    due: () =>
      `Due: the next scheduled run (every ${INTERVAL_WORDS[SCHEDULER.interval]}), or a wake-up event sooner, generates it.${earlier}`,
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
    lastError: p.lastError && { at: toIso(p.lastError.at), message: p.lastError.message, attempt: p.lastError.attempt },
    generatedAt: toIsoOrNull(generatedAt),
    missedAt: toIsoOrNull(p.missedAt),
    liveClaim: liveClaim && {
      attempt: liveClaim.attempt,
      claimedAt: toIso(liveClaim.claimedAt),
      leaseExpiresAt: toIso(liveClaim.leaseExpiresAt),
    },
    reportKey: null,
    // Only while it can still be made: a done or missed trigger needs no alert, its status says it all.
    repeatedLongBackoff: status !== 'done' && status !== 'missed' && longBackoffsAfter(failedAttempts) >= 2,
    actions: {
      retry: retryAvailability(status, p.backoffUntil),
      reset: resetAvailability({ trigger, status, done, windowClosesAt, windowClosed, liveClaim, attemptCount, p }),
    },
  };
}

function retryAvailability(status: TriggerStatus, backoffUntil: number | null): ActionAvailability {
  if (status === 'backing_off') {
    return {
      allowed: true,
      reason: `Ends the backoff (due to end ${formatInstant(backoffUntil)}) now; the next scheduled run attempts it.`,
    };
  }
  const why: Record<Exclude<TriggerStatus, 'backing_off'>, string> = {
    done: 'It is done; reset it to generate it again.',
    generating: 'It is being generated right now.',
    missed: 'Its window has closed.',
    unscheduled: 'The installation time is not recorded.',
    waiting: 'It is not due yet.',
    due: 'It is not backing off: the next scheduled run attempts it.',
  };
  return { allowed: false, reason: why[status] };
}

function resetAvailability(a: {
  trigger: AutoTrigger;
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
      reason: `A generation holds its claim until ${formatInstant(a.liveClaim.leaseExpiresAt)}.`,
    };
  }
  if (a.windowClosed) {
    return {
      allowed: false,
      reason:
        `The 12-hour window closed at ${formatInstant(a.windowClosesAt)}; reset, it would only be marked missed. ` +
        'Generate a manual report instead.',
    };
  }
  const untouched =
    !a.done && a.attemptCount === 0 && a.p.missedAt === null && a.p.lastError === null && a.p.backoffUntil === null;
  if (untouched) return { allowed: false, reason: 'Nothing to reset: it has not been attempted.' };
  return {
    allowed: true,
    reason: a.done
      ? 'Sets its report aside (kept in the report history), marks it not done and restarts its attempt count, ' +
        'so the scheduler generates it again.'
      : 'Clears its attempts, backoff and last error, so the scheduler starts it over.',
  };
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

function alertsFor(
  installation: InstallationView,
  stateProblem: string | null,
  triggers: TriggerView[],
  indexProblems: string[],
): Alert[] {
  const alerts: Alert[] = [];
  if (installation.status === 'missing') {
    alerts.push({
      level: 'error',
      title: 'The installation time is not recorded',
      body:
        'No report can be scheduled until the app knows when it was installed. Installations older than the ' +
        'lifecycle trigger never received the installed event. Record the installation time as now; the 12-hour ' +
        'report follows 12 hours later.',
    });
  } else if (installation.status !== 'recorded') {
    alerts.push({
      level: 'error',
      title: 'The installation time cannot be used',
      body:
        installation.status === 'invalid'
          ? 'The stored installation evidence is not an ISO-8601 instant, so no report is scheduled. It is never overwritten from this page.'
          : `The stored installation time ${installation.installedAt ?? ''} is in the future, so no report is scheduled.`,
    });
  }
  if (stateProblem) {
    alerts.push({
      level: 'warning',
      title: 'The scheduler state could not be read',
      body: `${stateProblem}. The scheduler replaces it on its next run, rebuilding what is done from the stored reports.`,
    });
  }
  for (const t of triggers) {
    if (t.repeatedLongBackoff) {
      const last = t.lastError ? ` The last, at ${formatInstant(t.lastError.at)}: “${t.lastError.message}”.` : '';
      const next = t.nextEligibleAt ? ` Next attempt: ${formatInstant(t.nextEligibleAt)}.` : '';
      alerts.push({
        level: 'warning',
        title: `${t.trigger} keeps failing: ${t.longBackoffs} backoffs of 2 hours or more`,
        body:
          `${plural(t.failedAttempts, 'attempt')} failed.${last}${next} Check that Jira is reachable and that the app ` +
          'still has its permissions, then use “Retry now”.',
      });
    }
    if (t.trigger === 'AUTO_12H' && t.status === 'missed') {
      alerts.push({
        level: 'information',
        title: 'The 12-hour report was missed',
        body:
          'Its window closed before a report could be stored. The 24-hour report is not affected; a manual report ' +
          'gives a snapshot now.',
      });
    }
  }
  for (const problem of indexProblems)
    alerts.push({ level: 'warning', title: 'Report history unreadable', body: problem });
  return alerts;
}

export function adminPageView(records: AdminRecords, now: number): AdminPageView {
  const { view: installation, installedAt } = installationView(records.evidence, now);
  const parsedState = records.state === undefined ? null : parseState(records.state, now);
  const epochOf = { AUTO_12H: epochFrom(records.epoch.AUTO_12H), AUTO_24H: epochFrom(records.epoch.AUTO_24H) };
  const epochs = { AUTO_12H: epochOf.AUTO_12H ?? 0, AUTO_24H: epochOf.AUTO_24H ?? 0 };
  const done = {
    AUTO_12H: doneMarkerFrom(records.done.AUTO_12H, now),
    AUTO_24H: doneMarkerFrom(records.done.AUTO_24H, now),
  };
  // As the scheduler reads it: a generation the state records without its DONE key never stored a report.
  const state = inEpochs(parsedState?.ok ? forgetUnstoredReports(parsedState.value, done) : emptyState(), epochs);
  const stateProblem = parsedState && !parsedState.ok ? `The stored state is invalid (${parsedState.reason})` : null;

  const reports = reportSummaries(records, done);
  const triggers = AUTO_TRIGGERS.map((trigger) => {
    const view = triggerView({
      trigger,
      state,
      marker: done[trigger],
      claimRaw: records.nextClaims[trigger]?.raw,
      installedAt,
      now,
    });
    return { ...view, reportKey: reports.find((r) => r.kind === trigger)?.key ?? null };
  });

  const manualIndex = parseManualIndex(records.manualIndex);
  const replacedIndex = parseReplacedIndex(records.replacedIndex);
  const unreadable = keptReports(records).unreadable;
  const indexProblems = [
    ...(manualIndex.ok ? [] : [`The manual report index is invalid (${manualIndex.reason}).`]),
    ...(replacedIndex.ok ? [] : [`The replaced report index is invalid (${replacedIndex.reason}).`]),
    ...(unreadable.length > 0 ? [`Report history entries that do not parse: ${unreadable.join(', ')}.`] : []),
    ...AUTO_TRIGGERS.filter((t) => epochOf[t] === null).map(
      (t) => `${t}'s epoch key does not hold an epoch, so the scheduler does not generate it; it is never guessed at.`,
    ),
  ];

  const manualClaim = parseClaim(records.manualClaim?.raw);
  const manualBusy = manualClaim && claimMayBeLive(manualClaim, now, ADMIN.manualClaimLeaseMs) ? manualClaim : null;
  const manualReport = manualBusy
    ? {
        allowed: false,
        reason: `A manual report has been generating since ${formatInstant(manualBusy.claimedAt)}.`,
        inProgressSince: toIso(manualBusy.claimedAt),
      }
    : installedAt === null
      ? { allowed: false, reason: 'Record the installation time first.', inProgressSince: null }
      : {
          allowed: true,
          reason:
            `Reads the site from Jira now (for at most ${ADMIN.manualGenerationBudgetMs / 1000} s) and stores ` +
            `a MANUAL report; the newest ${ADMIN.manualReportsKept} are kept. The scheduled reports are not affected.`,
          inProgressSince: null,
        };

  const audit = records.audit
    .map((e) => auditEntryView(e.key, e.value))
    .filter((e): e is NonNullable<typeof e> => e !== null)
    .reverse()
    .slice(0, ADMIN.auditShown);

  return {
    now: toIso(now),
    cloudId: records.cloudId,
    installation,
    stateProblem,
    triggers,
    alerts: alertsFor(installation, stateProblem, triggers, indexProblems),
    reports,
    manualReport,
    recordInstallation:
      installation.status === 'missing'
        ? { allowed: true, reason: 'Records “installed now”, attributed to you. It is never overwritten afterwards.' }
        : { allowed: false, reason: 'The installation time is already recorded; it is never overwritten.' },
    audit,
    limits: { manualReportsKept: ADMIN.manualReportsKept, replacedReportsKept: ADMIN.replacedReportsKept },
    schedule: {
      interval: SCHEDULER.interval,
      intervalMinutes: SCHEDULER.intervalMs / 60_000,
      every: INTERVAL_WORDS[SCHEDULER.interval],
      wakeUps: true,
    },
  };
}
