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

/**
 * As the scheduler stores a state: a mirror of the ledger records (decisions.ts#stateFromRecords), each
 * trigger with its record's version and status, and the installation time cached.
 */
function mirrored(state: SchedulerState, versions = 3): SchedulerState {
  const mirror = (t: 'AUTO_12H' | 'AUTO_24H') => ({
    ...state.triggers[t],
    version: versions,
    status: state.triggers[t].generatedAt !== null ? ('done' as const) : ('idle' as const),
  });
  return { ...state, installedAt: T0, triggers: { AUTO_12H: mirror('AUTO_12H'), AUTO_24H: mirror('AUTO_24H') } };
}

const cases: Array<[string, SchedulerState]> = [
  ['empty', emptyState()],
  ['12 h failing, backing off', mirrored(failing12)],
  ['both done', mirrored(bothDone)],
  ['12 h missed after a failure', mirrored(missed12)],
  ['both reset, 12 h failing in its new epoch', mirrored(resetAndFailing)],
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

  it('is well under the 1 KB an idle invocation may read, and about half the size once both reports are done', () => {
    const stored = JSON.stringify(serializeState(mirrored(bothDone)));
    const complete = JSON.stringify({ ...EMPTY_STORED_STATE_FIELDS, ...serializeState(mirrored(bothDone)) });
    const largest = Math.max(...cases.map(([, state]) => Buffer.byteLength(JSON.stringify(serializeState(state)))));

    expect(largest).toBeLessThan(700);
    expect(Buffer.byteLength(stored)).toBeLessThan(Buffer.byteLength(complete) * 0.65);
    expect(JSON.parse(stored)).toEqual({
      schema_version: 3,
      installation_timestamp: new Date(T0).toISOString(),
      last_run_at: new Date(T0 + 24 * H).toISOString(),
      auto_12h_generated_at: new Date(T0 + 12.5 * H).toISOString(),
      auto_24h_generated_at: new Date(T0 + 24 * H).toISOString(),
      auto_12h_attempt_count: 2,
      auto_24h_attempt_count: 1,
      auto_12h_ledger_version: 3,
      auto_24h_ledger_version: 3,
      auto_12h_status: 'done',
      auto_24h_status: 'done',
    });
  });

  it.each([
    ['a report generated while its record is not done', { auto_12h_generated_at: new Date(T0 + 12 * H).toISOString() }],
    ['a record done without a report', { auto_12h_status: 'done', auto_12h_attempt_count: 1 }],
    ['a claim held with no attempt counted', { auto_24h_status: 'held' }],
    ['progress with no record', { auto_12h_ledger_version: 0, auto_12h_attempt_count: 2 }],
  ])('refuses a mirror that disagrees with itself: %s', (_what, fields) => {
    const stored = { ...serializeState(mirrored(emptyState(), 2)), ...fields };

    expect(parseState(stored, NOW).ok).toBe(false);
  });

  it("does not read a missed trigger's old backoff back as the guide's single last_backoff_until", () => {
    // AUTO_12H missed while its last error and last_backoff_until still name it.
    const stored = serializeState(mirrored(missed12));

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
