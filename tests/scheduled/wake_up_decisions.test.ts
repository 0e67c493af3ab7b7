import {
  emptyState,
  nextActionableAt,
  recordFailure,
  recordMissed,
  recordSuccess,
  wakeUpDelaySeconds,
  wakeUpDeliveryRuns,
  WakeUpRetry,
  wakeUpRetryAfterSeconds,
} from '../../src/scheduled/decisions';
import { SCHEDULER, TRIGGER_INTERVALS } from '../../src/scheduled/config';
import { retryLaterResponse, wakeUpRetryOf } from '../../src/scheduled/wake_up_queue';

/** The pure half of wake-ups: when the next thing can happen, and whether a tick would reach it late. */

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const T0 = Date.parse('2026-11-02T09:00:00Z');
const none = { AUTO_12H: null, AUTO_24H: null };
const marker = { generatedAt: T0 + 12 * H, attempt: 1, epoch: 0 };

describe('nextActionableAt', () => {
  it('is the 12 h instant before it, and the 24 h instant once the 12 h report is stored', () => {
    const done12 = recordSuccess(emptyState(), 'AUTO_12H', 1, T0 + 12 * H);

    expect(nextActionableAt(T0, T0 + 11 * H, emptyState(), none)).toBe(T0 + 12 * H);
    expect(nextActionableAt(T0, T0 + 12 * H, done12, { ...none, AUTO_12H: marker })).toBe(T0 + 24 * H);
  });

  it("is a failed trigger's backoff end, never earlier than its window opens", () => {
    const failed = recordFailure(
      emptyState(),
      'AUTO_12H',
      { attempt: 1, at: T0 + 12 * H, message: 'x' },
      T0 + 12 * H,
      T0,
    );

    expect(nextActionableAt(T0, T0 + 12 * H, failed.state, none)).toBe(T0 + 12 * H + 30 * M);
  });

  it('skips a 12 h report whose backoff ends after its window closes: the 24 h instant comes next', () => {
    const at = T0 + 23 * H + 45 * M;
    const failed = recordFailure(emptyState(), 'AUTO_12H', { attempt: 1, at, message: 'x' }, at, T0);

    expect(nextActionableAt(T0, at, failed.state, none)).toBe(T0 + 24 * H);
  });

  it('is the 24 h instant when the 12 h DONE key exists, even if the state has not caught up with it', () => {
    expect(nextActionableAt(T0, T0 + 13 * H, emptyState(), { ...none, AUTO_12H: marker })).toBe(T0 + 24 * H);
  });

  it('skips a 12 h report whose backoff ends exactly as its window closes: it would be eligible too late', () => {
    // A failure 10 min before the close: neither its step nor the 15-min late retry fits in the window.
    const at = T0 + 23 * H + 50 * M;
    const failing12 = recordFailure(emptyState(), 'AUTO_12H', { attempt: 1, at, message: 'x' }, at, T0).state;
    const failing24 = recordFailure(
      failing12,
      'AUTO_24H',
      { attempt: 1, at: T0 + 24 * H, message: 'y' },
      T0 + 24 * H,
      T0,
    );

    expect(nextActionableAt(T0, at, failing12, none)).toBe(T0 + 24 * H);
    expect(nextActionableAt(T0, T0 + 24 * H + M, failing24.state, none)).toBe(T0 + 24 * H + 30 * M);
  });

  it('is null when something can be done now (this invocation, or a claim holder, is on it)', () => {
    expect(nextActionableAt(T0, T0 + 12 * H + 1, emptyState(), none)).toBeNull();
    expect(nextActionableAt(T0, T0 + 12 * H, emptyState(), none)).toBeNull();
  });

  it('is the 24 h instant right after this invocation stored a late 12 h report, before its DONE key is read back', () => {
    const at = T0 + 23 * H + 30 * M;
    const justStored = recordSuccess(emptyState(), 'AUTO_12H', 3, at);

    expect(nextActionableAt(T0, at, justStored, none)).toBe(T0 + 24 * H);
  });

  it("is the 24 h report's backoff end once the 12 h report has been recorded as missed", () => {
    const at = T0 + 24 * H;
    const missed = recordMissed(emptyState(), 'AUTO_12H', at);
    const failing24 = recordFailure(missed, 'AUTO_24H', { attempt: 1, at, message: 'x' }, at, T0).state;

    expect(nextActionableAt(T0, at + M, failing24, none)).toBe(at + 30 * M);
  });

  it('is null once both reports are stored, or the 12 h one missed and the 24 h one stored', () => {
    const both = { AUTO_12H: marker, AUTO_24H: { generatedAt: T0 + 24 * H, attempt: 1, epoch: 0 } };
    const missed = recordMissed(emptyState(), 'AUTO_12H', T0 + 24 * H);

    expect(nextActionableAt(T0, T0 + 30 * H, emptyState(), both)).toBeNull();
    expect(nextActionableAt(T0, T0 + 30 * H, missed, { ...none, AUTO_24H: both.AUTO_24H })).toBeNull();
  });
});

describe('wakeUpDelaySeconds', () => {
  const hour = TRIGGER_INTERVALS.hour;
  const fiveMinute = TRIGGER_INTERVALS.fiveMinute;

  it.each([
    ['nothing to wake for', null, hour, null],
    ['an instant already past', T0 - S, hour, null],
    ['an instant that is now: this invocation is there', T0, hour, null],
    ['an instant one interval away or more: the next tick is soon enough', T0 + hour, hour, null],
    ['an instant 10 min away', T0 + 10 * M, hour, 600],
    ['an instant 40 min away: one hop of the longest delay Forge allows', T0 + 40 * M, hour, 900],
    ['a fraction of a second away: rounded up, never early', T0 + 1, hour, 1],
    ['under fiveMinute, an instant 4 min away', T0 + 4 * M, fiveMinute, 240],
    ['under fiveMinute, an instant 10 min away: the tick comes first', T0 + 10 * M, fiveMinute, null],
  ])('%s', (_name, wakeAt, interval, expected) => {
    expect(wakeUpDelaySeconds(wakeAt, T0, interval)).toBe(expected);
  });
});

/**
 * Forge redelivers an async event that threw, timed out or returned an InvocationError
 * for 24 h (up to 96 h), with no cap: the consumer's own rules are the only limit.
 */
describe('wake-up redeliveries', () => {
  const hour = TRIGGER_INTERVALS.hour;
  const retry = (patch: Partial<WakeUpRetry> = {}): WakeUpRetry => ({
    retryCount: 1,
    askedByUs: true,
    retentionStartedAt: T0 - 5 * M,
    retentionRemainingMs: 24 * H - 5 * M,
    ...patch,
  });

  it('runs a first delivery, and the retry it asked for; answers any other redelivery without running', () => {
    expect(wakeUpDeliveryRuns(null)).toBe(true);
    // A platform-level redelivery counts no retry: the consumer may never have run.
    expect(wakeUpDeliveryRuns(retry({ retryCount: 0, askedByUs: false }))).toBe(true);
    expect(wakeUpDeliveryRuns(retry())).toBe(true);
    // Forge retrying on its own after a timeout or a throw.
    expect(wakeUpDeliveryRuns(retry({ askedByUs: false }))).toBe(false);
    // Both retries it asks for run: a minute on, and a quarter of an hour after that.
    expect(wakeUpDeliveryRuns(retry({ retryCount: 2 }))).toBe(true);
    // More than it asked for: beyond the allowance, whoever asked.
    expect(wakeUpDeliveryRuns(retry({ retryCount: 3 }))).toBe(false);
    // A wake-up a refused tick pushed asks for one retry only (its allowance is the storage chain's).
    expect(wakeUpDeliveryRuns(retry({ retryCount: 1 }), SCHEDULER.storageChainRetries)).toBe(true);
    expect(wakeUpDeliveryRuns(retry({ retryCount: 2 }), SCHEDULER.storageChainRetries)).toBe(false);
  });

  it('asks for a retry a minute after a first delivery that storage refused, and one 900 s after a refused retry', () => {
    expect(SCHEDULER.wakeUpRetryAfterSeconds).toEqual([60, 900]);
    expect(wakeUpRetryAfterSeconds(null, T0, T0, hour)).toBe(60);
    expect(wakeUpRetryAfterSeconds(retry({ retryCount: 0, askedByUs: false }), T0, T0, hour)).toBe(60);
    // The retry it asked for, refused too: a quarter of an hour on (it came a minute after the first delivery).
    expect(wakeUpRetryAfterSeconds(retry({ retryCount: 1 }), T0 + M, T0, hour)).toBe(900);
  });

  it("asks for one retry 15 minutes on for a wake-up a refused tick pushed: the storage chain's list", () => {
    const chain = Array.from({ length: SCHEDULER.storageChainRetries }, () => SCHEDULER.storageRetryMs / S);
    expect(chain).toEqual([900]);
    expect(wakeUpRetryAfterSeconds(null, T0, T0, hour, chain)).toBe(900);
    expect(wakeUpRetryAfterSeconds(retry({ retryCount: 1 }), T0 + 15 * M, T0, hour, chain)).toBeNull();
  });

  it('asks no more once its retries are spent, whatever Forge would allow', () => {
    expect(wakeUpRetryAfterSeconds(retry({ retryCount: 2 }), T0 + 16 * M, T0, hour)).toBeNull();
    expect(wakeUpRetryAfterSeconds(retry({ retryCount: 7, askedByUs: false }), T0, T0, hour)).toBeNull();
  });

  it('asks for none that Forge would drop for falling after the retention window', () => {
    const first = retry({ retryCount: 0, askedByUs: false });
    expect(wakeUpRetryAfterSeconds({ ...first, retentionRemainingMs: 60 * S }, T0, T0, hour)).toBeNull();
    expect(wakeUpRetryAfterSeconds({ ...first, retentionRemainingMs: 61 * S }, T0, T0, hour)).toBe(60);
    expect(wakeUpRetryAfterSeconds({ ...first, retentionRemainingMs: null }, T0, T0, hour)).toBe(60);
    // The second retry waits 900 s, so it needs more than 900 s of the window left.
    const second = retry({ retryCount: 1 });
    expect(wakeUpRetryAfterSeconds({ ...second, retentionRemainingMs: 900 * S }, T0, T0, hour)).toBeNull();
    expect(wakeUpRetryAfterSeconds({ ...second, retentionRemainingMs: 901 * S }, T0, T0, hour)).toBe(900);
  });

  it('asks for none when the next tick will do as well: an interval after the instant the event was for', () => {
    // The tick that pushed the chain came less than an interval before wake_at, so its next one comes by wake_at + interval.
    expect(wakeUpRetryAfterSeconds(null, T0 + 58 * M, T0, hour)).toBe(60);
    expect(wakeUpRetryAfterSeconds(null, T0 + 59 * M, T0, hour)).toBeNull();
    // The same for the second retry: 900 s after 44 minutes past wake_at is still before the next tick; after 45 it is not.
    const again = retry({ retryCount: 1, retentionStartedAt: T0 });
    expect(wakeUpRetryAfterSeconds(again, T0 + 44 * M, T0, hour)).toBe(900);
    expect(wakeUpRetryAfterSeconds(again, T0 + 45 * M, T0, hour)).toBeNull();
    // The start of the retention window bounds it too, when the body says nothing usable.
    const first = retry({ retryCount: 0, askedByUs: false, retentionStartedAt: T0 - 59 * M });
    expect(wakeUpRetryAfterSeconds(first, T0, null, hour)).toBeNull();
    // A wake_at in the future (a garbled or forged body) never adds a retry: it counts as now.
    expect(wakeUpRetryAfterSeconds(first, T0, T0 + 10 * H, hour)).toBeNull();
    expect(wakeUpRetryAfterSeconds(null, T0 + 59 * M, T0 + 10 * H, hour)).toBe(60);
    expect(wakeUpRetryAfterSeconds(null, T0 + 4 * M, T0, TRIGGER_INTERVALS.fiveMinute)).toBeNull();
  });

  it("reads Forge's retryContext, and knows its own retry request by the mark it left in retryData", () => {
    const asked = retryLaterResponse(60, T0);
    const event = (retryContext: unknown) => ({ body: {}, retryContext });

    expect(wakeUpRetryOf({ body: {} })).toBeNull();
    expect(
      wakeUpRetryOf(
        event({
          retryCount: 1,
          retryReason: 'FUNCTION_RETRY_REQUEST',
          retryData: asked.retryOptions.retryData,
          retentionWindow: { startTime: new Date(T0).toISOString(), remainingTimeMs: 1234 },
        }),
      ),
    ).toEqual({ retryCount: 1, askedByUs: true, retentionStartedAt: T0, retentionRemainingMs: 1234 });
    expect(wakeUpRetryOf(event({ retryCount: 2, retryReason: 'FUNCTION_TIME_OUT' }))).toEqual({
      retryCount: 2,
      askedByUs: false,
      retentionStartedAt: null,
      retentionRemainingMs: null,
    });
    expect(wakeUpRetryOf(event({ retryCount: 'x', retryData: 'storage_refused_at', retentionWindow: 5 }))).toEqual({
      retryCount: 0,
      askedByUs: false,
      retentionStartedAt: null,
      retentionRemainingMs: null,
    });
    expect(asked).toEqual({
      _retry: true,
      retryOptions: {
        retryAfter: 60,
        retryReason: 'FUNCTION_RETRY_REQUEST',
        retryData: { storage_refused_at: new Date(T0).toISOString() },
      },
    });
  });
});
