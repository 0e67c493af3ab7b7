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

export const SCHEDULER_BACKOFF = new BackoffSchedule([30 * 60_000, 120 * 60_000, 1440 * 60_000]);

/** The guide's helper, kept under its name: attempt count after a failure -> wait in ms. */
export function calculateBackoffMs(attemptCount: number): number {
  return SCHEDULER_BACKOFF.delayAfter(attemptCount);
}
