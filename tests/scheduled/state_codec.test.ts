import {
  emptyState,
  recordFailure,
  recordMissed,
  recordSuccess,
  resetTrigger,
  SchedulerState,
} from '../../src/scheduled/decisions';
import { EMPTY_STORED_STATE_FIELDS, parseState, serializeState } from '../../src/scheduled/scheduler_state';

/**
 * The stored state leaves fields at their empty values out, because every idle
 * invocation reads it. Leaving them out must change nothing a reader sees.
 */

const T0 = Date.parse('2026-11-02T09:00:00.000Z');
const H = 3_600_000;
const NOW = T0 + 30 * H;

const failing12 = recordFailure(
  emptyState(),
  'AUTO_12H',
  { attempt: 1, at: T0 + 12 * H, message: 'Jira 503' },
  T0 + 12 * H,
  T0,
).state;
const bothDone = recordSuccess(recordSuccess(failing12, 'AUTO_12H', 2, T0 + 12.5 * H), 'AUTO_24H', 1, T0 + 24 * H);
const missed12 = recordMissed(failing12, 'AUTO_12H', T0 + 24 * H);
/** Both triggers reset by an administrator, the 12 h one twice, and failing again in its new epoch. */
const resetAndFailing = recordFailure(
  resetTrigger(resetTrigger(bothDone, 'AUTO_24H', 1), 'AUTO_12H', 2),
  'AUTO_12H',
  { attempt: 1, at: T0 + 26 * H, message: 'Jira 503' },
  T0 + 26 * H,
  T0,
).state;

const cases: Array<[string, SchedulerState]> = [
  ['empty', emptyState()],
  ['12 h failing, backing off', failing12],
  ['both done', bothDone],
  ['12 h missed after a failure', missed12],
  ['both reset, 12 h failing in its new epoch', resetAndFailing],
];

describe('the stored scheduler state', () => {
  it.each(cases)('reads back exactly what was written (%s)', (_name, state) => {
    const parsed = parseState(JSON.parse(JSON.stringify(serializeState(state))), NOW);

    expect(parsed).toEqual({ ok: true, value: state });
  });

  it.each(cases)('reads the same whether empty fields are stored or left out (%s)', (_name, state) => {
    const complete = { ...EMPTY_STORED_STATE_FIELDS, ...serializeState(state) };

    expect(parseState(complete, NOW)).toEqual(parseState(serializeState(state), NOW));
  });

  it('is about half the size once both reports are done', () => {
    const stored = JSON.stringify(serializeState(bothDone));
    const complete = JSON.stringify({ ...EMPTY_STORED_STATE_FIELDS, ...serializeState(bothDone) });

    expect(Buffer.byteLength(stored)).toBeLessThan(Buffer.byteLength(complete) * 0.6);
    expect(JSON.parse(stored)).toEqual({
      schema_version: 2,
      last_run_at: new Date(T0 + 24 * H).toISOString(),
      auto_12h_generated_at: new Date(T0 + 12.5 * H).toISOString(),
      auto_24h_generated_at: new Date(T0 + 24 * H).toISOString(),
      auto_12h_attempt_count: 2,
      auto_24h_attempt_count: 1,
    });
  });

  it("does not read a missed trigger's old backoff back as the guide's single last_backoff_until", () => {
    // AUTO_12H missed while its last error and last_backoff_until still name it.
    const stored = serializeState(missed12);

    expect(stored).not.toHaveProperty('auto_12h_backoff_until');
    expect(stored).toHaveProperty('last_backoff_until');
    const parsed = parseState(stored, NOW);
    expect(parsed.ok && parsed.value.triggers.AUTO_12H.backoffUntil).toBeNull();
  });

  it("reads a state of schema 1 without a trigger's own backoff field in the guide's shape too", () => {
    const parsed = parseState(
      {
        schema_version: 1,
        last_error: {
          timestamp: new Date(T0 + 12 * H).toISOString(),
          message: 'x',
          attempt_count: 1,
          trigger: 'AUTO_12H',
        },
        last_backoff_until: new Date(T0 + 12.5 * H).toISOString(),
        auto_12h_attempt_count: 1,
      },
      NOW,
    );

    expect(parsed.ok && parsed.value.triggers.AUTO_12H.backoffUntil).toBe(T0 + 12.5 * H);
  });

  it("still reads a state in the guide's original shape, its backoff attributed to last_error's trigger", () => {
    const guideShape = {
      last_run_at: new Date(T0 + 12 * H).toISOString(),
      auto_12h_generated_at: null,
      auto_24h_generated_at: null,
      last_error: {
        timestamp: new Date(T0 + 12 * H).toISOString(),
        message: 'x',
        attempt_count: 1,
        trigger: 'AUTO_12H',
      },
      last_backoff_until: new Date(T0 + 12.5 * H).toISOString(),
      auto_12h_attempt_count: 1,
      auto_24h_attempt_count: 0,
    };

    const parsed = parseState(guideShape, NOW);

    expect(parsed.ok && parsed.value.triggers.AUTO_12H.backoffUntil).toBe(T0 + 12.5 * H);
  });
});
