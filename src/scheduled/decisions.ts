import type { AutoTrigger } from '../storage/keys';
import { SCHEDULER } from './config';
import { AttemptWindow, nextAttemptAt, OPEN_WINDOW, SCHEDULER_BACKOFF } from './backoff';

/**
 * The scheduler's pure core: what is due, whether backoff holds, and the next
 * state, as functions of (installedAt, state, done markers, now). No storage, no
 * clock, no logging here; the handler supplies all three.
 */

export const AUTO_TRIGGERS: readonly AutoTrigger[] = ['AUTO_12H', 'AUTO_24H'];

export interface AttemptError {
  at: number;
  message: string;
  attempt: number;
}

/** What the scheduler remembers about one trigger. Each trigger has its own counts and its own backoff. */
export interface TriggerProgress {
  /** The version of the trigger's ledger record this progress mirrors (0: no record yet). */
  version: number;
  /** The record's status: idle, held (an invocation is generating) or done. */
  status: LedgerStatus;
  /** The trigger's epoch (resets so far) this progress belongs to; progress of another epoch is void. */
  epoch: number;
  /** Attempts started in this epoch (claims won or found abandoned). A success ends the count. */
  attemptCount: number;
  /** The trigger is not retried before this instant. */
  backoffUntil: number | null;
  generatedAt: number | null;
  /** Set when the trigger's window closed without a report (AUTO_12H at 24 h). */
  missedAt: number | null;
  lastError: AttemptError | null;
}

export interface SchedulerState {
  /** Last invocation that changed the state. Idle invocations write nothing, so they do not move it. */
  lastRunAt: number | null;
  /**
   * The installation time, cached from the Phase-4 evidence (the guide recommends it) so
   * an idle invocation reads this one key; the evidence itself is read again whenever a
   * report is due. Null in states written before the ledger.
   */
  installedAt: number | null;
  /** The guide's display fields: the most recent failure and backoff, whichever trigger. */
  lastError: (AttemptError & { trigger: AutoTrigger }) | null;
  lastBackoffUntil: number | null;
  triggers: Record<AutoTrigger, TriggerProgress>;
}

/** Presence of a DONE key is what counts; its contents are informative. */
export interface DoneMarker {
  generatedAt: number | null;
  attempt: number | null;
  /** The epoch it was committed in, when the marker says (markers before epochs do not). */
  epoch: number | null;
}

export type DoneMarkers = Record<AutoTrigger, DoneMarker | null>;

export function emptyProgress(epoch = 0): TriggerProgress {
  return {
    version: 0,
    status: 'idle',
    epoch,
    attemptCount: 0,
    backoffUntil: null,
    generatedAt: null,
    missedAt: null,
    lastError: null,
  };
}

/**
 * The state as it applies to the epochs the triggers are in now. A state written
 * before a reset (a scheduler run or an admin's retry that read it earlier and saved
 * it later) describes attempts of the old epoch: for that trigger it is void, and
 * the trigger starts its new epoch empty. The epoch keys, not the state, are
 * authoritative.
 */
export function inEpochs(state: SchedulerState, epochs: Record<AutoTrigger, number>): SchedulerState {
  let next = state;
  for (const t of AUTO_TRIGGERS) {
    if (next.triggers[t].epoch !== epochs[t]) {
      next = {
        ...next,
        triggers: {
          ...next.triggers,
          [t]: { ...emptyProgress(epochs[t]), version: next.triggers[t].version, status: next.triggers[t].status },
        },
        lastError: next.lastError?.trigger === t ? null : next.lastError,
      };
    }
  }
  return next;
}

export function emptyState(): SchedulerState {
  return {
    lastRunAt: null,
    installedAt: null,
    lastError: null,
    lastBackoffUntil: null,
    triggers: { AUTO_12H: emptyProgress(), AUTO_24H: emptyProgress() },
  };
}

// ---------------------------------------------------------------------------
// Windows: when each trigger may be attempted.

export interface TriggerWindow extends AttemptWindow {
  opensAt: number;
}

/**
 * AUTO_12H may be attempted from 12 h after installation until AUTO_24H falls due
 * (24 h), its last chance one margin before that; AUTO_24H from 24 h on, for good.
 */
export function windowOf(trigger: AutoTrigger, installedAt: number): TriggerWindow {
  if (trigger === 'AUTO_24H') {
    return { ...OPEN_WINDOW, opensAt: installedAt + SCHEDULER.auto24hAfterMs };
  }
  const closesAt = installedAt + SCHEDULER.auto24hAfterMs;
  return {
    opensAt: installedAt + SCHEDULER.auto12hAfterMs,
    closesAt,
    lastChanceAt: closesAt - SCHEDULER.lastChanceMarginMs,
    lateRetryMs: SCHEDULER.lateRetryMs,
  };
}

/**
 * For a trigger waiting to retry inside a window that closes: the instant of the last
 * attempt the window rule still guarantees (its last chance, or its next attempt if
 * that comes later), or null when no attempt is left before the close, or the window
 * never closes.
 */
export function lastChanceAt(
  trigger: AutoTrigger,
  installedAt: number,
  progress: TriggerProgress,
  now: number,
): number | null {
  const w = windowOf(trigger, installedAt);
  if (w.closesAt === Infinity) return null;
  const next = Math.max(progress.backoffUntil ?? now, now, w.opensAt);
  return next < w.closesAt ? Math.max(w.lastChanceAt, next) : null;
}

// ---------------------------------------------------------------------------
// Step 4: which trigger is due.

export type DueTrigger =
  | {
      due: AutoTrigger;
      /** A trigger whose window has just closed without a report; to be recorded, never silently lost. */
      newlyMissed: AutoTrigger | null;
    }
  | {
      due: null;
      /** When the next trigger becomes due, if any will. */
      nextDueAt: number | null;
      newlyMissed: AutoTrigger | null;
    };

/**
 * AUTO_12H is due while 12 h <= age < 24 h and it is not done; AUTO_24H once
 * age >= 24 h and it is not done. "Done" here is what the state knows; the DONE
 * key check (step 5) is the authoritative one. A 12 h report not stored by the
 * time the 24 h window opens is missed: we record it rather than generate a
 * stale "12 h" report a day late.
 */
export function decideDueTrigger(
  installedAt: number,
  now: number,
  state: SchedulerState,
  done: DoneMarkers,
): DueTrigger {
  const age = now - installedAt;
  const t12 = state.triggers.AUTO_12H;
  const t24 = state.triggers.AUTO_24H;

  if (age < SCHEDULER.auto12hAfterMs) {
    return { due: null, nextDueAt: installedAt + SCHEDULER.auto12hAfterMs, newlyMissed: null };
  }
  if (age < SCHEDULER.auto24hAfterMs) {
    if (t12.generatedAt === null) return { due: 'AUTO_12H', newlyMissed: null };
    return { due: null, nextDueAt: installedAt + SCHEDULER.auto24hAfterMs, newlyMissed: null };
  }
  const newlyMissed = t12.generatedAt === null && t12.missedAt === null && done.AUTO_12H === null ? 'AUTO_12H' : null;
  if (t24.generatedAt === null) return { due: 'AUTO_24H', newlyMissed };
  return { due: null, nextDueAt: null, newlyMissed };
}

// ---------------------------------------------------------------------------
// Wake-ups: when the next attempt may happen, and whether a tick would reach it late.

/**
 * The earliest instant after `now` at which an invocation could do something for
 * this installation: a trigger's window opening, or its backoff ending, whichever
 * is later. Null when nothing is left to do, or when what is left is possible now
 * (this invocation is doing it, or another holds its claim). A 12 h report that
 * could only become eligible once its window has closed counts for nothing: the
 * 24 h instant is the next one then.
 */
export function nextActionableAt(
  installedAt: number,
  now: number,
  state: SchedulerState,
  done: DoneMarkers,
): number | null {
  let next: number | null = null;
  for (const t of AUTO_TRIGGERS) {
    const p = state.triggers[t];
    if (done[t] !== null || p.generatedAt !== null || p.missedAt !== null) continue;
    const window = windowOf(t, installedAt);
    const at = Math.max(window.opensAt, p.backoffUntil ?? -Infinity);
    if (at >= window.closesAt) continue;
    if (at <= now) return null;
    if (next === null || at < next) next = at;
  }
  return next;
}

/**
 * The delay of the wake-up event to push now, in whole seconds, or null when the
 * next scheduled tick comes soon enough. An instant less than one interval away
 * would be reached by the next tick up to an interval late, so it gets an event
 * timed to arrive at it; one further away than Forge's 900 s limit gets a hop of
 * 900 s, and the invocation that hop wakes decides again. Rounded up, so an event
 * never arrives before the instant it is for.
 */
export function wakeUpDelaySeconds(wakeAt: number | null, now: number, intervalMs: number): number | null {
  if (wakeAt === null || wakeAt <= now || wakeAt - now >= intervalMs) return null;
  return Math.min(SCHEDULER.maxWakeUpDelaySeconds, Math.ceil((wakeAt - now) / 1000));
}

/**
 * What a redelivered wake-up event says about its earlier deliveries (Forge's
 * `retryContext`, read at the edge by wake_up_queue.ts#wakeUpRetryOf).
 */
export interface WakeUpRetry {
  /** Earlier deliveries that failed: threw, timed out, or asked for this one. */
  retryCount: number;
  /** The last failed delivery was this consumer asking for this one (its own mark in `retryData`). */
  askedByUs: boolean;
  /** Forge's retention window for the event: when it began, and how long is left, where Forge says. */
  retentionStartedAt: number | null;
  retentionRemainingMs: number | null;
}

/**
 * Whether a delivery of a wake-up runs the scheduler's path. A first delivery does
 * (Forge's redelivery after a platform error counts no retry, so it is one too), and
 * so does the retry this consumer asked for, within its allowance. Any other
 * redelivery is Forge retrying on its own, after a delivery that timed out, threw or
 * ran out of memory, or is beyond what was asked for: it is answered at once,
 * touching nothing. Running it could time out again and be redelivered again, for the
 * whole retention window; the next tick does as well.
 */
export function wakeUpDeliveryRuns(
  retry: WakeUpRetry | null,
  allowance: number = SCHEDULER.wakeUpRetryAfterSeconds.length,
): boolean {
  if (retry === null || retry.retryCount === 0) return true;
  return retry.askedByUs && retry.retryCount <= allowance;
}

/**
 * After a wake-up that storage refused: the delay, in seconds, of the retry to ask
 * Forge for, or null when the next tick will do as well. The retry numbered by the
 * delivery's `retryCount` waits `afterSeconds[retryCount]`, and there are never more
 * retries than that list holds, whatever Forge would allow; none that Forge would drop
 * for falling after the event's retention window; and none at or after one interval
 * past the earliest instant the event is known to be for (its `wake_at`, or the start
 * of its retention window): the tick that pushed the chain came less than an interval
 * before that instant, so its next tick comes by then. `wakeAt` comes from the event's
 * body; it can only stop a retry, never add one.
 */
export function wakeUpRetryAfterSeconds(
  retry: WakeUpRetry | null,
  now: number,
  wakeAt: number | null,
  intervalMs: number,
  /**
   * The wait before each retry: SCHEDULER.wakeUpRetryAfterSeconds, or for a wake-up a
   * refused tick pushed, SCHEDULER.storageRetryMs `storageChainRetries` times.
   */
  afterSeconds: readonly number[] = SCHEDULER.wakeUpRetryAfterSeconds,
): number | null {
  const count = retry?.retryCount ?? 0;
  if (count >= afterSeconds.length) return null;
  const wait = afterSeconds[count];
  const afterMs = wait * 1000;
  if (retry && retry.retentionRemainingMs !== null && retry.retentionRemainingMs <= afterMs) return null;
  const meantFor = Math.min(now, wakeAt ?? Infinity, retry?.retentionStartedAt ?? Infinity);
  if (now + afterMs >= meantFor + intervalMs) return null;
  return wait;
}

// ---------------------------------------------------------------------------
// Step 6: backoff.

export function backoffActive(progress: TriggerProgress, now: number): boolean {
  return progress.backoffUntil !== null && progress.backoffUntil > now;
}

// ---------------------------------------------------------------------------
// State transitions. Each returns a new state; none mutates its input.

function withTrigger(state: SchedulerState, trigger: AutoTrigger, patch: Partial<TriggerProgress>): SchedulerState {
  return { ...state, triggers: { ...state.triggers, [trigger]: { ...state.triggers[trigger], ...patch } } };
}

export function recordMissed(state: SchedulerState, trigger: AutoTrigger, now: number): SchedulerState {
  return { ...withTrigger(state, trigger, { missedAt: now, backoffUntil: null }), lastRunAt: now };
}

/**
 * The state says a trigger was generated but its DONE key is absent: not believed.
 * The report and its DONE key are written in one transaction, so without the key
 * there is no report, whatever a stale or corrupt state says.
 */
export function forgetUnstoredReports(state: SchedulerState, done: DoneMarkers): SchedulerState {
  let next = state;
  for (const t of AUTO_TRIGGERS) {
    if (done[t] === null && next.triggers[t].generatedAt !== null) next = withTrigger(next, t, { generatedAt: null });
  }
  return next;
}

/** The DONE key exists but the state did not know: bring the state in line with it. */
export function recordDoneFromMarker(
  state: SchedulerState,
  trigger: AutoTrigger,
  marker: DoneMarker,
  now: number,
): SchedulerState {
  const progress = state.triggers[trigger];
  return {
    ...withTrigger(state, trigger, {
      generatedAt: marker.generatedAt ?? now,
      attemptCount: Math.max(progress.attemptCount, marker.attempt ?? 0),
      backoffUntil: null,
      missedAt: null,
    }),
    lastRunAt: now,
  };
}

export interface Failure {
  attempt: number;
  /** When the failure happened (for an abandoned claim: when its lease ran out). */
  at: number;
  message: string;
}

export interface FailureOutcome {
  state: SchedulerState;
  backoffMs: number;
  nextEligibleAt: number;
}

/**
 * A failed attempt. The wait is set by the attempt number, which for a trigger
 * not yet done equals its number of failures: 30 min after the first, 2 h after
 * the second, 24 h after every later one; bounded by the trigger's window
 * (`nextAttemptAt`): AUTO_12H's last attempt comes before its window closes.
 */
export function recordFailure(
  state: SchedulerState,
  trigger: AutoTrigger,
  failure: Failure,
  now: number,
  installedAt: number,
): FailureOutcome {
  const progress = state.triggers[trigger];
  const attemptCount = Math.max(progress.attemptCount, failure.attempt);
  const nextEligibleAt = nextAttemptAt(SCHEDULER_BACKOFF, failure.at, failure.attempt, windowOf(trigger, installedAt));
  const backoffMs = nextEligibleAt - failure.at;
  const lastError = { at: failure.at, message: failure.message, attempt: failure.attempt };
  return {
    backoffMs,
    nextEligibleAt,
    state: {
      ...withTrigger(state, trigger, { attemptCount, backoffUntil: nextEligibleAt, lastError }),
      lastError: { ...lastError, trigger },
      lastBackoffUntil: nextEligibleAt,
      lastRunAt: now,
    },
  };
}

export function recordSuccess(
  state: SchedulerState,
  trigger: AutoTrigger,
  attempt: number,
  generatedAt: number,
): SchedulerState {
  const next = withTrigger(state, trigger, {
    attemptCount: attempt,
    generatedAt,
    backoffUntil: null,
    missedAt: null,
    lastError: null,
  });
  // The guide's display fields describe the latest trouble; clear them if it was this trigger's.
  const stillFailing = AUTO_TRIGGERS.filter((t) => t !== trigger && next.triggers[t].backoffUntil !== null);
  return {
    ...next,
    lastError: state.lastError?.trigger === trigger ? null : state.lastError,
    lastBackoffUntil: stillFailing.length > 0 ? state.lastBackoffUntil : null,
    lastRunAt: generatedAt,
  };
}

// ---------------------------------------------------------------------------
// Administrator transitions (the admin page). Each changes only the trigger named.

/** The guide's "last backoff" display field once `trigger` no longer backs off: the other trigger's, if any. */
function lastBackoffWithout(state: SchedulerState, trigger: AutoTrigger): number | null {
  const others = AUTO_TRIGGERS.filter((t) => t !== trigger)
    .map((t) => state.triggers[t].backoffUntil)
    .filter((b): b is number => b !== null);
  return others.length > 0 ? Math.max(...others) : null;
}

/**
 * "Retry now": the backoff ends, so the next scheduled run attempts the trigger.
 * The attempt count stays: a further failure backs off as the next one in line.
 */
export function clearBackoff(state: SchedulerState, trigger: AutoTrigger): SchedulerState {
  return {
    ...withTrigger(state, trigger, { backoffUntil: null }),
    lastBackoffUntil: lastBackoffWithout(state, trigger),
  };
}

/**
 * "Reset": the trigger starts over in its next epoch, as if it had never run.
 * Its counts restart at zero; the new epoch's claims live in keys of their own,
 * so no old claim is removed and no attempt number is reused.
 */
export function resetTrigger(state: SchedulerState, trigger: AutoTrigger, nextEpoch: number): SchedulerState {
  const { version, status } = state.triggers[trigger];
  return {
    ...withTrigger(state, trigger, { ...emptyProgress(nextEpoch), version, status }),
    lastError: state.lastError?.trigger === trigger ? null : state.lastError,
    lastBackoffUntil: lastBackoffWithout(state, trigger),
  };
}

// ---------------------------------------------------------------------------
// The ledger: one record per report kind, every change a conditional transition.

export type LedgerTrigger = AutoTrigger | 'MANUAL';

/**
 * 'idle': nobody holds the claim; 'held': `holder` is generating attempt `attempt`;
 * 'done': the report is committed (AUTO triggers; MANUAL goes back to idle).
 */
export type LedgerStatus = 'idle' | 'held' | 'done';

export type LedgerOutcome =
  | 'created'
  | 'generated'
  | 'failed'
  | 'abandoned'
  /** A claim whose holder never recorded that it started generating, released without counting. */
  | 'unstarted'
  /** A generated report storage refused to commit for the whole budget: released without counting. */
  | 'uncommitted'
  | 'reset'
  | 'retried'
  | 'missed'
  | 'reconciled';

/**
 * A ledger record (stored as a Custom Entity Store entity; scheduler_state.ts has
 * its codec). Every transition moves `version` on by one and names its writer in
 * `holder`, and is applied only if the record is still exactly as its writer read
 * it, so the record is the one place that decides who holds a claim and whether a
 * commit may land. The lease says only when others may stop waiting for a holder.
 */
export interface LedgerRecord {
  trigger: LedgerTrigger;
  version: number;
  /** Who made the last transition: while `held`, the invocation generating. Unique per invocation. */
  holder: string;
  status: LedgerStatus;
  /** The current (while held) or last claim: when taken, its lease, and when its holder started generating. */
  claim: { claimedAt: number; leaseExpiresAt: number; generationStartedAt: number | null } | null;
  released: { at: number; outcome: LedgerOutcome } | null;
  /** The trigger's progress, exactly as the scheduler state mirrors it. MANUAL uses epoch and attemptCount only. */
  progress: TriggerProgress;
}

/** A new record, idle, carrying the progress an earlier version had made (the upgrade) or none. */
export function createdRecord(
  trigger: LedgerTrigger,
  by: string,
  at: number,
  progress: TriggerProgress,
  status: LedgerStatus = 'idle',
): LedgerRecord {
  return synced({
    trigger,
    version: 1,
    holder: by,
    status,
    claim: null,
    released: { at, outcome: 'created' },
    progress,
  });
}

/** The record one transition later: version on by one, the writer named. */
function moved(r: LedgerRecord, by: string, patch: Partial<LedgerRecord>): LedgerRecord {
  return synced({ ...r, ...patch, version: r.version + 1, holder: by });
}

/** A record's progress names the record's own version and status, as the state mirroring it does. */
function synced(r: LedgerRecord): LedgerRecord {
  return { ...r, progress: { ...r.progress, version: r.version, status: r.status } };
}

/**
 * Whether another invocation may still be working under this record's claim, by the
 * reader's clock: until its lease ends. This decides only how long others wait before
 * taking the claim over (liveness); who wins is the record's conditional transitions'
 * say. So no clock allowance is needed, and a lease no holder could have written (longer
 * than `maxLeaseMs`, or taken further ahead than that) is not waited for at all.
 */
export function leaseRunning(r: LedgerRecord, now: number, maxLeaseMs: number = SCHEDULER.claimLeaseMs): boolean {
  if (r.status !== 'held' || r.claim === null) return false;
  const { claimedAt, leaseExpiresAt } = r.claim;
  const believable = leaseExpiresAt - claimedAt <= maxLeaseMs && claimedAt <= now + maxLeaseMs;
  return believable && now < leaseExpiresAt;
}

/**
 * The scheduler state, derived from the records it mirrors. Every transaction that
 * moves a trigger's record writes this too, computed from both records as they will
 * be after it, so the one key idle invocations read never disagrees with the ledger.
 * The guide's display fields say the latest failure and backoff of either trigger.
 */
export function stateFromRecords(
  records: Record<AutoTrigger, LedgerRecord>,
  installedAt: number | null,
  lastRunAt: number | null,
): SchedulerState {
  const triggers = {} as Record<AutoTrigger, TriggerProgress>;
  for (const t of AUTO_TRIGGERS) {
    triggers[t] = { ...records[t].progress, version: records[t].version, status: records[t].status };
  }
  const failures = AUTO_TRIGGERS.filter((t) => triggers[t].lastError !== null).sort(
    (a, b) => triggers[b].lastError!.at - triggers[a].lastError!.at,
  );
  const latest = failures[0];
  const backoffs = AUTO_TRIGGERS.map((t) => triggers[t].backoffUntil).filter((b): b is number => b !== null);
  return {
    lastRunAt,
    installedAt,
    lastError: latest ? { ...triggers[latest].lastError!, trigger: latest } : null,
    lastBackoffUntil: backoffs.length > 0 ? Math.max(...backoffs) : null,
    triggers,
  };
}

/** A record carrying a state's progress for its trigger, as a transition leaves it. */
function withProgress(r: LedgerRecord, state: SchedulerState): LedgerRecord {
  const t = r.trigger as AutoTrigger;
  const { epoch, attemptCount, backoffUntil, generatedAt, missedAt, lastError } = state.triggers[t];
  return synced({
    ...r,
    progress: { ...r.progress, epoch, attemptCount, backoffUntil, generatedAt, missedAt, lastError },
  });
}

export interface Transition {
  record: LedgerRecord;
  state: SchedulerState;
}

/**
 * Each scheduler transition below takes the state derived from both records as read
 * and the record it moves, and returns both as they are to be written together.
 */
function transition(r: LedgerRecord, by: string, patch: Partial<LedgerRecord>, next: SchedulerState): Transition {
  const t = r.trigger as AutoTrigger;
  const record = withProgress(moved(r, by, patch), next);
  return {
    record,
    state: {
      ...next,
      triggers: { ...next.triggers, [t]: { ...next.triggers[t], version: record.version, status: record.status } },
    },
  };
}

/**
 * Take the claim of the next attempt: this invocation generates it, starting now. The
 * claim says so itself (`generationStartedAt`, with the full lease): its holder calls
 * handleAutoTrigger as soon as the claim may have landed, so a claim found with its
 * lease run out is an attempt that was made (SCHEDULER_HARDENING_DESIGN.md §4.5).
 */
export function claimNext(
  state: SchedulerState,
  r: LedgerRecord,
  by: string,
  now: number,
  leaseMs: number,
): Transition {
  const t = r.trigger as AutoTrigger;
  const progress = state.triggers[t];
  const next = {
    ...state,
    lastRunAt: now,
    triggers: { ...state.triggers, [t]: { ...progress, attemptCount: progress.attemptCount + 1, backoffUntil: null } },
  };
  return transition(r, by, claimedPatch(now, leaseMs, now), next);
}

const claimedPatch = (now: number, leaseMs: number, startedAt: number | null): Partial<LedgerRecord> => ({
  status: 'held',
  claim: { claimedAt: now, leaseExpiresAt: now + leaseMs, generationStartedAt: startedAt },
  released: null,
});

/**
 * Whether the holder of this record's claim recorded that it started generating. Every
 * claim this version takes does; a claim without it was taken by the version before,
 * which recorded the start in a second transaction, and its holder never generated.
 */
export const generationStarted = (r: LedgerRecord): boolean => r.claim !== null && r.claim.generationStartedAt !== null;

/** The holder stored its report: commit. */
export function committed(state: SchedulerState, r: LedgerRecord, at: number, generatedAt: number): Transition {
  const t = r.trigger as AutoTrigger;
  const next = recordSuccess(state, t, r.progress.attemptCount, generatedAt);
  return transition(r, r.holder, { status: 'done', released: { at, outcome: 'generated' } }, next);
}

/** The holder's generation failed: release the claim and back off. */
export function failed(
  state: SchedulerState,
  r: LedgerRecord,
  at: number,
  message: string,
  installedAt: number,
): FailureOutcome & Transition {
  const t = r.trigger as AutoTrigger;
  const failure = recordFailure(state, t, { attempt: r.progress.attemptCount, at, message }, at, installedAt);
  const moved2 = transition(r, r.holder, { status: 'idle', released: { at, outcome: 'failed' } }, failure.state);
  return { ...failure, ...moved2 };
}

/**
 * The holder generated its report but storage refused the commit for its whole budget,
 * each refusal read back with the claim still open and its own: storage trouble, not a
 * failure of the report's, so nothing climbs the ladder (issue 25 item 2). The claim is
 * released, the attempt number goes back by one (no stored report carries it) and no
 * backoff is set; the invocation answers 503, so the storage retry rules look again
 * within minutes (SCHEDULER_HARDENING_DESIGN.md §4.5).
 */
export function uncommitted(state: SchedulerState, r: LedgerRecord, at: number): Transition {
  const t = r.trigger as AutoTrigger;
  const progress = state.triggers[t];
  const next = withTrigger(state, t, { attemptCount: Math.max(0, progress.attemptCount - 1) });
  return transition(
    r,
    r.holder,
    { status: 'idle', released: { at, outcome: 'uncommitted' } },
    {
      ...next,
      lastRunAt: at,
    },
  );
}

/**
 * A holder whose lease has run out by this invocation's clock: its attempt counts as
 * failed when the lease ran out. Safe whatever the clocks say, because the holder's
 * own commit is conditional on the record it claimed, which this moves on.
 */
export function abandoned(
  state: SchedulerState,
  r: LedgerRecord,
  by: string,
  now: number,
  installedAt: number,
): FailureOutcome & Transition & { counted: boolean } {
  const t = r.trigger as AutoTrigger;
  const at = Math.min(r.claim?.leaseExpiresAt ?? now, now);
  if (!generationStarted(r)) {
    // A claim the version before took and whose holder never recorded that it started
    // generating: no attempt was made, so none is counted and no backoff follows. The attempt
    // number goes back, and the next claim takes it again; no report ever carried it.
    const progress = state.triggers[t];
    const next = withTrigger(state, t, { attemptCount: Math.max(0, progress.attemptCount - 1) });
    const moved2 = transition(
      r,
      by,
      { status: 'idle', released: { at, outcome: 'unstarted' } },
      { ...next, lastRunAt: now },
    );
    return { backoffMs: 0, nextEligibleAt: progress.backoffUntil ?? now, counted: false, ...moved2 };
  }
  const message = `Attempt #${r.progress.attemptCount} did not finish within its lease`;
  const failure = recordFailure(state, t, { attempt: r.progress.attemptCount, at, message }, now, installedAt);
  const moved2 = transition(r, by, { status: 'idle', released: { at, outcome: 'abandoned' } }, failure.state);
  return { ...failure, counted: true, ...moved2 };
}

/** An abandoned claim whose backoff has already passed: record it failed and take the next attempt, in one. */
export function takenOver(
  state: SchedulerState,
  r: LedgerRecord,
  by: string,
  now: number,
  leaseMs: number,
  installedAt: number,
): Transition {
  const gave = abandoned(state, r, by, now, installedAt);
  const claimed = claimNext(gave.state, gave.record, by, now, leaseMs);
  return {
    record: synced({ ...claimed.record, version: r.version + 1 }),
    state: withVersion(claimed.state, r.trigger, r.version + 1),
  };
}

function withVersion(state: SchedulerState, t: LedgerTrigger, version: number): SchedulerState {
  const a = t as AutoTrigger;
  return { ...state, triggers: { ...state.triggers, [a]: { ...state.triggers[a], version } } };
}

/**
 * The 12 h window closed with no report. A claim still held then is released with it:
 * its holder's commit, conditional on that claim, can no longer store a report that
 * would come after its window.
 */
export function missed(state: SchedulerState, r: LedgerRecord, by: string, now: number): Transition {
  const next = recordMissed(state, r.trigger as AutoTrigger, now);
  return transition(r, by, { status: 'idle', released: { at: now, outcome: 'missed' } }, next);
}

/** A DONE key the record did not know of (written before the ledger): the record and the state follow it. */
export function reconciled(
  state: SchedulerState,
  r: LedgerRecord,
  by: string,
  marker: DoneMarker,
  now: number,
): Transition {
  const t = r.trigger as AutoTrigger;
  const known = recordDoneFromMarker(state, t, marker, now);
  // A report took an attempt, whether or not its marker says which.
  const next = withTrigger(known, t, { attemptCount: Math.max(1, known.triggers[t].attemptCount), lastError: null });
  return transition(r, by, { status: 'done', released: { at: now, outcome: 'reconciled' } }, next);
}

/** An administrator's Reset: the next epoch, from nothing. A holder of the old claim can no longer commit. */
export function resetRecord(state: SchedulerState, r: LedgerRecord, by: string, now: number): Transition {
  const t = r.trigger as AutoTrigger;
  const next = { ...resetTrigger(state, t, r.progress.epoch + 1), lastRunAt: now };
  return transition(r, by, { status: 'idle', claim: null, released: { at: now, outcome: 'reset' } }, next);
}

/** An administrator's Retry: the backoff ends now. */
export function retriedRecord(state: SchedulerState, r: LedgerRecord, by: string, now: number): Transition {
  const next = { ...clearBackoff(state, r.trigger as AutoTrigger), lastRunAt: now };
  return transition(r, by, { released: { at: now, outcome: 'retried' } }, next);
}

// ---------------------------------------------------------------------------
// MANUAL: numbered reports, one generation at a time. No scheduler state.

/** Take the next manual report number; numbers are never reused. */
/**
 * The next manual report number: past the record's, and past `given`, the highest
 * number any other record shows as used (an earlier version's resolver, during a
 * rolling deploy, numbers from those records).
 */
export function manualClaimed(r: LedgerRecord, by: string, now: number, leaseMs: number, given = 0): LedgerRecord {
  return moved(r, by, {
    ...claimedPatch(now, leaseMs, now),
    progress: { ...r.progress, attemptCount: Math.max(r.progress.attemptCount, given) + 1 },
  });
}

/** The manual generation ended (stored, or failed): the number stays used. */
export function manualReleased(r: LedgerRecord, at: number, outcome: 'generated' | 'failed'): LedgerRecord {
  return moved(r, r.holder, { status: 'idle', released: { at, outcome } });
}
