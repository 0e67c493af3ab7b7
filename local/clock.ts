/**
 * Time for the local Forge runtime. Every emulator and the simulator read time
 * through a Clock so that a 30-hour installation history can run in a second and
 * a test can put an invocation at an exact instant. Times are epoch milliseconds.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  set(epochMs: number): void {
    this.current = epochMs;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
