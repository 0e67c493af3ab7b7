import { clearBackoff, emptyState, recordFailure, resetTrigger, SchedulerState } from '../../src/scheduled/decisions';

/** The admin page's two pure transitions: they change the trigger named and nothing else. */

const M = 60_000;
const T0 = Date.parse('2026-11-02T21:00:00Z');

function bothFailing(): SchedulerState {
  let s = recordFailure(emptyState(), 'AUTO_12H', { attempt: 1, at: T0, message: 'first' }, T0).state;
  s = recordFailure(s, 'AUTO_12H', { attempt: 2, at: T0 + 30 * M, message: 'second' }, T0 + 30 * M).state;
  return recordFailure(s, 'AUTO_24H', { attempt: 1, at: T0 + 40 * M, message: 'other' }, T0 + 40 * M).state;
}

describe('clearBackoff', () => {
  it('ends the backoff now and keeps the counts, so a further failure backs off as the next in line', () => {
    const s = recordFailure(emptyState(), 'AUTO_12H', { attempt: 1, at: T0, message: 'x' }, T0).state;

    const cleared = clearBackoff(s, 'AUTO_12H');
    const next = recordFailure(cleared, 'AUTO_12H', { attempt: 2, at: T0 + M, message: 'y' }, T0 + M);

    expect(cleared.triggers.AUTO_12H).toMatchObject({
      backoffUntil: null,
      attemptCount: 1,
      lastError: { message: 'x' },
    });
    expect(cleared.lastBackoffUntil).toBeNull();
    expect(next.backoffMs).toBe(120 * M);
  });

  it('leaves the other trigger alone and points the display field at its backoff', () => {
    const s = bothFailing();

    const cleared = clearBackoff(s, 'AUTO_12H');

    expect(cleared.triggers.AUTO_24H).toEqual(s.triggers.AUTO_24H);
    expect(cleared.lastBackoffUntil).toBe(s.triggers.AUTO_24H.backoffUntil);
    expect(s.triggers.AUTO_12H.backoffUntil).not.toBeNull();
  });
});

describe('resetTrigger', () => {
  it('empties the trigger named, clears its display error, and keeps the other trigger and its error', () => {
    const s = bothFailing();

    const reset = resetTrigger(s, 'AUTO_12H', 1);

    expect(reset.triggers.AUTO_12H).toEqual({ ...emptyState().triggers.AUTO_12H, epoch: 1 });
    expect(reset.triggers.AUTO_24H).toEqual(s.triggers.AUTO_24H);
    expect(reset.lastError).toEqual(s.lastError);
    expect(reset.lastError?.trigger).toBe('AUTO_24H');
  });

  it('clears the display error when it was this trigger’s', () => {
    const s = recordFailure(emptyState(), 'AUTO_24H', { attempt: 1, at: T0, message: 'x' }, T0).state;

    const reset = resetTrigger(s, 'AUTO_24H', 1);

    expect(reset).toMatchObject({ lastError: null, lastBackoffUntil: null });
  });
});
