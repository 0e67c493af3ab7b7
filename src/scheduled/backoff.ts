/**
 * Bounded backoff as an immutable value: an explicit list of waits, the last one
 * repeating. After the 1st failure of a trigger wait 30 min, after the 2nd 2 h,
 * after the 3rd and every later one 24 h. Never longer, so a trigger that keeps
 * failing is still retried daily rather than abandoned.
 */
export class BackoffSchedule {
  private readonly steps: readonly number[];

  constructor(steps: readonly number[]) {
    if (steps.length === 0 || steps.some((s) => !Number.isFinite(s) || s <= 0)) {
      throw new RangeError('A backoff schedule needs at least one positive duration');
    }
    this.steps = Object.freeze([...steps]);
  }

  /** The wait after the given number of failures (1-based); 0 failures means no wait. */
  delayAfter(failures: number): number {
    if (failures <= 0) return 0;
    return this.steps[Math.min(failures, this.steps.length) - 1];
  }

  get maxDelayMs(): number {
    return this.steps[this.steps.length - 1];
  }
}

/**
 * The stretch of time an attempt must start in to count: it closes at `closesAt`, and
 * `lastChanceAt` is the latest instant a retry is still brought forward to. A window
 * that never closes has both at Infinity.
 */
export interface AttemptWindow {
  closesAt: number;
  lastChanceAt: number;
  /** After a failure at or past the last chance: the wait before the next attempt, while it still comes before the close. */
  lateRetryMs: number;
}

export const OPEN_WINDOW: AttemptWindow = Object.freeze({
  closesAt: Infinity,
  lastChanceAt: Infinity,
  lateRetryMs: Infinity,
});

/**
 * When a trigger that failed at `failedAt` (its `failures`-th failure) may be tried
 * again. The ladder's step, while it lands no later than the window's last chance.
 * A step that would land later (past the close, or in the last stretch before it,
 * where only a wake-up could still reach it in time) is brought forward to the last
 * chance: one last attempt, reachable by the next tick even if its wake-up is lost.
 * A failure at or after the last chance (that attempt failed, or a holder that started
 * before it is found over after it) is retried `lateRetryMs` later, sooner than its step,
 * while that still comes before the close: a healthy last stretch then always gets an
 * attempt, whatever failed before it. Otherwise the wait ends at the close, never past it
 * (the trigger is then missed there). A window that never closes keeps the ladder as is.
 */
export function nextAttemptAt(
  schedule: BackoffSchedule,
  failedAt: number,
  failures: number,
  window: AttemptWindow = OPEN_WINDOW,
): number {
  const step = failedAt + schedule.delayAfter(failures);
  if (step <= window.lastChanceAt) return step;
  if (failedAt < window.lastChanceAt) return window.lastChanceAt;
  if (failedAt >= window.closesAt) return step;
  const late = Math.min(step, failedAt + window.lateRetryMs);
  return late < window.closesAt ? late : window.closesAt;
}

export const SCHEDULER_BACKOFF = new BackoffSchedule([30 * 60_000, 120 * 60_000, 1440 * 60_000]);

/** The guide's helper, kept under its name: attempt count after a failure -> wait in ms. */
export function calculateBackoffMs(attemptCount: number): number {
  return SCHEDULER_BACKOFF.delayAfter(attemptCount);
}
