import type { AutoTrigger } from '../storage/keys';
import { SCHEDULER } from './config';
import { AttemptWindow, nextAttemptAt, SCHEDULER_BACKOFF } from './backoff';

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
  return { epoch, attemptCount: 0, backoffUntil: null, generatedAt: null, missedAt: null, lastError: null };
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
        triggers: { ...next.triggers, [t]: emptyProgress(epochs[t]) },
        lastError: next.lastError?.trigger === t ? null : next.lastError,
      };
    }
  }
  return next;
}

export function emptyState(): SchedulerState {
  return {
    lastRunAt: null,
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
    return { opensAt: installedAt + SCHEDULER.auto24hAfterMs, closesAt: Infinity, lastChanceAt: Infinity };
  }
  const closesAt = installedAt + SCHEDULER.auto24hAfterMs;
  return {
    opensAt: installedAt + SCHEDULER.auto12hAfterMs,
    closesAt,
    lastChanceAt: closesAt - SCHEDULER.lastChanceMarginMs,
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
export function wakeUpDeliveryRuns(retry: WakeUpRetry | null): boolean {
  if (retry === null || retry.retryCount === 0) return true;
  return retry.askedByUs && retry.retryCount <= SCHEDULER.wakeUpStorageRetries;
}

/**
 * After a wake-up that storage refused: the delay, in seconds, of the retry to ask
 * Forge for, or null when the next tick will do as well. Never more retries than
 * SCHEDULER.wakeUpStorageRetries per event, whatever Forge would allow; none that
 * Forge would drop for falling after the event's retention window; and none at or
 * after one interval past the earliest instant the event is known to be for (its
 * `wake_at`, or the start of its retention window): the tick that pushed the chain
 * came less than an interval before that instant, so its next tick comes by then.
 * `wakeAt` comes from the event's body; it can only stop a retry, never add one.
 */
export function wakeUpRetryAfterSeconds(
  retry: WakeUpRetry | null,
  now: number,
  wakeAt: number | null,
  intervalMs: number,
): number | null {
  if ((retry?.retryCount ?? 0) >= SCHEDULER.wakeUpStorageRetries) return null;
  const afterMs = SCHEDULER.wakeUpRetryAfterSeconds * 1000;
  if (retry && retry.retentionRemainingMs !== null && retry.retentionRemainingMs <= afterMs) return null;
  const meantFor = Math.min(now, wakeAt ?? Infinity, retry?.retentionStartedAt ?? Infinity);
  if (now + afterMs >= meantFor + intervalMs) return null;
  return SCHEDULER.wakeUpRetryAfterSeconds;
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
  return {
    ...withTrigger(state, trigger, emptyProgress(nextEpoch)),
    lastError: state.lastError?.trigger === trigger ? null : state.lastError,
    lastBackoffUntil: lastBackoffWithout(state, trigger),
  };
}

// ---------------------------------------------------------------------------
// Claims.

export interface Claim {
  attempt: number;
  claimedAt: number;
  leaseExpiresAt: number;
  invocationId: string;
  /**
   * 'attempt': a generation's claim. 'reset': a Reset's fence, taken at the next free
   * number of the epoch it closes, so that no generation can claim in that epoch after it.
   */
  kind: 'attempt' | 'reset';
  /**
   * Set in the same transaction as the holder's last write (its commit, its recorded
   * failure, a reset's move to the next epoch): from then on the holder writes nothing
   * more, whatever is left of its lease.
   */
  released: { at: number; outcome: 'generated' | 'failed' | 'reset' } | null;
}

export function newClaim(
  attempt: number,
  now: number,
  invocationId: string,
  leaseMs: number = SCHEDULER.claimLeaseMs,
  kind: Claim['kind'] = 'attempt',
): Claim {
  return { attempt, claimedAt: now, leaseExpiresAt: now + leaseMs, invocationId, kind, released: null };
}

export function released(claim: Claim, at: number, outcome: 'generated' | 'failed' | 'reset'): Claim {
  return { ...claim, released: { at, outcome } };
}

/** The longest lease a holder of this kind of scheduler claim writes (manual claims pass their own). */
export function leaseBoundOf(claim: Claim): number {
  return claim.kind === 'reset' ? SCHEDULER.resetFenceLeaseMs : SCHEDULER.claimLeaseMs;
}

/**
 * Whether the holder of a claim may still be running, and so may still write, as
 * judged by a clock `now` that may disagree with the holder's by up to
 * `maxClockDisagreementMs` either way. Errs towards "live": a lease is over only once it has
 * ended by every clock within the bound. A released claim is over at once: its
 * holder's last write has landed. A lease ending further ahead than any holder
 * writes (plus the skew) was not written by a holder; believing it would block the
 * trigger until the date it names, so such a claim counts as abandoned.
 */
export function claimMayBeLive(claim: Claim, now: number, leaseBoundMs: number = leaseBoundOf(claim)): boolean {
  if (claim.released !== null) return false;
  const skew = SCHEDULER.maxClockDisagreementMs;
  const believable = claim.leaseExpiresAt <= now + leaseBoundMs + skew && claim.claimedAt <= now + skew;
  return believable && now < claim.leaseExpiresAt + skew;
}

/** When an attempt whose holder is gone failed: when its lease ran out, or when we found out, if sooner. */
export function abandonedAt(claim: Claim | null, checkedAt: number): number {
  if (claim?.released) return Math.min(claim.released.at, checkedAt);
  return claim === null ? checkedAt : Math.min(claim.leaseExpiresAt, checkedAt);
}

/** The instant by which generation must hand back a report so the commit still starts inside the lease. */
export function generationDeadline(claim: Claim, now: number): number {
  return Math.min(now + SCHEDULER.generationBudgetMs, claim.leaseExpiresAt - SCHEDULER.commitMarginMs);
}

/** The holder may begin its commit only while enough of its lease remains. */
export function mayCommit(claim: Claim, now: number): boolean {
  return now <= claim.leaseExpiresAt - SCHEDULER.commitMarginMs;
}
