import {
  clearBackoff,
  emptyState,
  inEpochs,
  recordFailure,
  resetTrigger,
  SchedulerState,
} from '../../src/scheduled/decisions';

/** The admin page's two pure transitions: they change the trigger named and nothing else. */

const M = 60_000;
const T0 = Date.parse('2026-11-02T21:00:00Z');
/** Installed 12 h before T0: the failures below fall early in AUTO_12H's window. */
const INSTALLED_AT = T0 - 12 * 60 * M;

function bothFailing(): SchedulerState {
  let s = recordFailure(emptyState(), 'AUTO_12H', { attempt: 1, at: T0, message: 'first' }, T0, INSTALLED_AT).state;
  s = recordFailure(s, 'AUTO_12H', { attempt: 2, at: T0 + 30 * M, message: 'second' }, T0 + 30 * M, INSTALLED_AT).state;
  return recordFailure(s, 'AUTO_24H', { attempt: 1, at: T0 + 40 * M, message: 'other' }, T0 + 40 * M, INSTALLED_AT)
    .state;
}

describe('clearBackoff', () => {
  it('ends the backoff now and keeps the counts, so a further failure backs off as the next in line', () => {
    const s = recordFailure(emptyState(), 'AUTO_12H', { attempt: 1, at: T0, message: 'x' }, T0, INSTALLED_AT).state;

    const cleared = clearBackoff(s, 'AUTO_12H');
    const next = recordFailure(cleared, 'AUTO_12H', { attempt: 2, at: T0 + M, message: 'y' }, T0 + M, INSTALLED_AT);

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
    const s = recordFailure(emptyState(), 'AUTO_24H', { attempt: 1, at: T0, message: 'x' }, T0, INSTALLED_AT).state;

    const reset = resetTrigger(s, 'AUTO_24H', 1);

    expect(reset).toMatchObject({ lastError: null, lastBackoffUntil: null });
  });
});

describe('a state saved before a reset, read after it', () => {
  it("voids the reset trigger's progress and its error on display, and keeps the other trigger's", () => {
    const s = bothFailing();

    const read = inEpochs(s, { AUTO_12H: 0, AUTO_24H: 1 });

    expect(read.triggers.AUTO_24H).toEqual({ ...emptyState().triggers.AUTO_24H, epoch: 1 });
    expect(read.triggers.AUTO_12H).toEqual(s.triggers.AUTO_12H);
    expect(read.lastError).toBeNull();
  });

  it("keeps the error on display when it is the other trigger's", () => {
    const s = bothFailing();

    const read = inEpochs(s, { AUTO_12H: 2, AUTO_24H: 0 });

    expect(read.triggers.AUTO_12H).toEqual({ ...emptyState().triggers.AUTO_12H, epoch: 2 });
    expect(read.triggers.AUTO_24H).toEqual(s.triggers.AUTO_24H);
    expect(read.lastError).toEqual(s.lastError);
  });

  it('is read unchanged when both triggers are still in the epochs it was written in', () => {
    const s = bothFailing();

    expect(inEpochs(s, { AUTO_12H: 0, AUTO_24H: 0 })).toEqual(s);
    expect(inEpochs(emptyState(), { AUTO_12H: 3, AUTO_24H: 4 }).triggers).toMatchObject({
      AUTO_12H: { epoch: 3 },
      AUTO_24H: { epoch: 4 },
    });
  });
});
