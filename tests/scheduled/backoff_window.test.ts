import { nextAttemptAt, OPEN_WINDOW, SCHEDULER_BACKOFF } from '../../src/scheduled/backoff';
import { SCHEDULER, TRIGGER_INTERVALS } from '../../src/scheduled/config';
import {
  emptyState,
  lastChanceAt,
  nextActionableAt,
  recordFailure,
  SchedulerState,
  windowOf,
} from '../../src/scheduled/decisions';
import { parseState, serializeState } from '../../src/scheduled/scheduler_state';

/**
 * The window bounds the ladder: AUTO_12H's backoff never carries it past 24 h after
 * install. The 30 min / 2 h / 24 h spacing holds while the next attempt lands by the
 * last chance (one hour before the close); a step that would land later is brought
 * forward to the last chance. AUTO_24H's window never closes, so its ladder is the guide's.
 */

const M = 60_000;
const H = 60 * M;
const T0 = Date.parse('2026-11-02T09:00:00Z');
const CLOSE = T0 + 24 * H;
const LAST_CHANCE = T0 + 23 * H;
const W12 = windowOf('AUTO_12H', T0);

function failAt(state: SchedulerState, trigger: 'AUTO_12H' | 'AUTO_24H', attempt: number, at: number) {
  return recordFailure(state, trigger, { attempt, at, message: `attempt ${attempt} failed` }, at, T0);
}

describe('the windows', () => {
  it("AUTO_12H's opens at 12 h, closes when AUTO_24H falls due, and its last chance is an hour before", () => {
    expect(W12).toEqual({ opensAt: T0 + 12 * H, closesAt: CLOSE, lastChanceAt: LAST_CHANCE, lateRetryMs: 15 * M });
    expect(windowOf('AUTO_24H', T0)).toEqual({
      opensAt: CLOSE,
      closesAt: Infinity,
      lastChanceAt: Infinity,
      lateRetryMs: Infinity,
    });
  });

  it('the margin is at least one tick interval, so the next tick reaches the last chance even with its wake-up lost', () => {
    expect(SCHEDULER.lastChanceMarginMs).toBeGreaterThanOrEqual(SCHEDULER.intervalMs);
    // Under every interval the app supports, not only this build's.
    expect(SCHEDULER.lastChanceMarginMs).toBeGreaterThanOrEqual(Math.max(...Object.values(TRIGGER_INTERVALS)));
  });
});

describe('nextAttemptAt', () => {
  it('keeps the ladder while the step lands by the last chance', () => {
    expect(nextAttemptAt(SCHEDULER_BACKOFF, T0 + 12 * H, 1, W12)).toBe(T0 + 12.5 * H);
    expect(nextAttemptAt(SCHEDULER_BACKOFF, T0 + 12.5 * H, 2, W12)).toBe(T0 + 14.5 * H);
    expect(nextAttemptAt(SCHEDULER_BACKOFF, T0 + 21 * H, 2, W12)).toBe(LAST_CHANCE);
  });

  it('brings a step that would pass the close forward to the last chance', () => {
    expect(nextAttemptAt(SCHEDULER_BACKOFF, T0 + 14.5 * H, 3, W12)).toBe(LAST_CHANCE);
    expect(nextAttemptAt(SCHEDULER_BACKOFF, T0 + 22 * H + 59 * M, 7, W12)).toBe(LAST_CHANCE);
  });

  it('brings a step that would land in the last hour forward too: only a wake-up could reach it in time there', () => {
    expect(nextAttemptAt(SCHEDULER_BACKOFF, T0 + 22 * H + 45 * M, 1, W12)).toBe(LAST_CHANCE);
    expect(nextAttemptAt(SCHEDULER_BACKOFF, T0 + 21 * H + 1, 2, W12)).toBe(LAST_CHANCE);
  });

  it('after the last chance, retries 15 minutes later while that comes before the close, and otherwise waits until the close, never past it', () => {
    expect(nextAttemptAt(SCHEDULER_BACKOFF, LAST_CHANCE, 1, W12)).toBe(LAST_CHANCE + 15 * M);
    // A holder that started before the last chance, died, and was found over after it: failure #3 at 23h06.
    expect(nextAttemptAt(SCHEDULER_BACKOFF, LAST_CHANCE + 6 * M, 3, W12)).toBe(LAST_CHANCE + 21 * M);
    expect(nextAttemptAt(SCHEDULER_BACKOFF, LAST_CHANCE + 10 * M, 2, W12)).toBe(LAST_CHANCE + 25 * M);
    expect(nextAttemptAt(SCHEDULER_BACKOFF, CLOSE - 15 * M - 1, 7, W12)).toBe(CLOSE - 1);
    expect(nextAttemptAt(SCHEDULER_BACKOFF, CLOSE - 15 * M, 7, W12)).toBe(CLOSE);
    expect(nextAttemptAt(SCHEDULER_BACKOFF, CLOSE - 1, 3, W12)).toBe(CLOSE);
  });

  it('leaves a failure after the close, and a window that never closes, on the ladder', () => {
    expect(nextAttemptAt(SCHEDULER_BACKOFF, CLOSE + M, 3, W12)).toBe(CLOSE + M + 24 * H);
    expect(nextAttemptAt(SCHEDULER_BACKOFF, T0 + 30 * H, 3)).toBe(T0 + 54 * H);
    expect(nextAttemptAt(SCHEDULER_BACKOFF, T0 + 30 * H, 3, OPEN_WINDOW)).toBe(T0 + 54 * H);
  });

  it('for every failure inside the window and every attempt number: after the failure, never past the close, by the last chance if failed before it, 15 minutes on if failed after it and that fits, and the ladder whenever the ladder fits', () => {
    const broken: string[] = [];
    for (let at = W12.opensAt; at < CLOSE; at += 5 * M) {
      for (let attempt = 1; attempt <= 5; attempt++) {
        const next = nextAttemptAt(SCHEDULER_BACKOFF, at, attempt, W12);
        const step = at + SCHEDULER_BACKOFF.delayAfter(attempt);
        const ok =
          next > at &&
          next <= CLOSE &&
          (at >= LAST_CHANCE || next <= LAST_CHANCE) &&
          (step > LAST_CHANCE || next === step) &&
          (at < LAST_CHANCE || at + 15 * M >= CLOSE || next === at + 15 * M) &&
          next <= step;
        if (!ok) broken.push(`failure #${attempt} at ${(at - T0) / H} h -> ${(next - T0) / H} h`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe("recordFailure: the issue's case, Jira down from 11h30 to 20h00", () => {
  it('attempts at 12 h, 12h30 and 14h30 fail; the next is the last chance at 23 h, not 38h30', () => {
    const first = failAt(emptyState(), 'AUTO_12H', 1, T0 + 12 * H);
    const second = failAt(first.state, 'AUTO_12H', 2, first.nextEligibleAt);
    const third = failAt(second.state, 'AUTO_12H', 3, second.nextEligibleAt);

    expect([first.nextEligibleAt, second.nextEligibleAt, third.nextEligibleAt].map((t) => (t - T0) / H)).toEqual([
      12.5, 14.5, 23,
    ]);
    expect(third.backoffMs).toBe(8.5 * H);
    expect(third.state.triggers.AUTO_12H.backoffUntil).toBe(LAST_CHANCE);
    expect(third.state.lastBackoffUntil).toBe(LAST_CHANCE);
    // A wake-up is due for it: the next thing this installation can do is the last chance.
    expect(nextActionableAt(T0, T0 + 15 * H, third.state, { AUTO_12H: null, AUTO_24H: null })).toBe(LAST_CHANCE);
  });

  it("AUTO_24H keeps the guide's ladder: its third failure waits 24 h", () => {
    const third = failAt(emptyState(), 'AUTO_24H', 3, T0 + 27 * H);

    expect(third.nextEligibleAt).toBe(T0 + 51 * H);
  });

  it('the brought-forward backoff is stored and read back as it is', () => {
    // As the ledger leaves it: each trigger mirrors its record's version.
    const start = emptyState();
    for (const t of ['AUTO_12H', 'AUTO_24H'] as const) start.triggers[t] = { ...start.triggers[t], version: 3 };
    const third = failAt(start, 'AUTO_12H', 3, T0 + 14.5 * H);

    const parsed = parseState(JSON.parse(JSON.stringify(serializeState(third.state))), T0 + 15 * H);

    expect(parsed).toEqual({ ok: true, value: third.state });
  });
});

describe('lastChanceAt', () => {
  const backingOffUntil = (until: number) => ({
    ...emptyState().triggers.AUTO_12H,
    attemptCount: 3,
    backoffUntil: until,
  });

  it("is AUTO_12H's last chance while its next attempt comes before it, or that attempt when it comes later", () => {
    expect(lastChanceAt('AUTO_12H', T0, backingOffUntil(T0 + 14.5 * H), T0 + 13 * H)).toBe(LAST_CHANCE);
    expect(lastChanceAt('AUTO_12H', T0, backingOffUntil(LAST_CHANCE + 30 * M), LAST_CHANCE + 5 * M)).toBe(
      LAST_CHANCE + 30 * M,
    );
    // Due now (no backoff) after the last chance: now is the last chance.
    expect(lastChanceAt('AUTO_12H', T0, emptyState().triggers.AUTO_12H, LAST_CHANCE + 20 * M)).toBe(
      LAST_CHANCE + 20 * M,
    );
  });

  it('is null when no attempt is left before the close, and for AUTO_24H, whose window never closes', () => {
    expect(lastChanceAt('AUTO_12H', T0, backingOffUntil(CLOSE), LAST_CHANCE + 20 * M)).toBeNull();
    expect(lastChanceAt('AUTO_12H', T0, emptyState().triggers.AUTO_12H, CLOSE)).toBeNull();
    expect(lastChanceAt('AUTO_24H', T0, backingOffUntil(T0 + 30 * H), T0 + 29 * H)).toBeNull();
  });
});
