import { BackoffSchedule, SCHEDULER_BACKOFF } from '../../src/scheduled/backoff';
import {
  backoffActive,
  claimNext,
  clearBackoff,
  createdRecord,
  decideDueTrigger,
  DoneMarkers,
  emptyState,
  emptyProgress,
  failed as failedRecord,
  forgetUnstoredReports,
  leaseRunning,
  recordDoneFromMarker,
  recordFailure,
  recordMissed,
  recordSuccess,
  resetTrigger,
  SchedulerState,
} from '../../src/scheduled/decisions';

/**
 * The scheduler's timing rules as an administrator reads them off the status
 * page and the logs: when each report falls due, when it is given up as missed,
 * how long a failure holds a trigger back, and how long a claim shuts others out.
 */

const M = 60_000;
const H = 60 * M;
const T0 = Date.parse('2026-11-02T09:00:00Z');
const none: DoneMarkers = { AUTO_12H: null, AUTO_24H: null };
const doneMarker = (hours: number) => ({ generatedAt: T0 + hours * H, attempt: 1, epoch: 0 });

const generated = (s: SchedulerState, trigger: 'AUTO_12H' | 'AUTO_24H', at: number) => recordSuccess(s, trigger, 1, at);
const failed = (s: SchedulerState, trigger: 'AUTO_12H' | 'AUTO_24H', attempt: number, at: number) =>
  recordFailure(s, trigger, { attempt, at, message: `attempt ${attempt} failed` }, at, T0).state;

describe('when a report falls due', () => {
  it('with the 12 h report stored, nothing is due until 24 h, and the page is told when that is', () => {
    const state = generated(emptyState(), 'AUTO_12H', T0 + 12 * H);

    expect(decideDueTrigger(T0, T0 + 13 * H, state, none)).toEqual({
      due: null,
      nextDueAt: T0 + 24 * H,
      newlyMissed: null,
    });
  });

  it('with both reports stored, nothing is ever due again', () => {
    const state = generated(generated(emptyState(), 'AUTO_12H', T0 + 12 * H), 'AUTO_24H', T0 + 24 * H);

    expect(decideDueTrigger(T0, T0 + 30 * H, state, none)).toEqual({ due: null, nextDueAt: null, newlyMissed: null });
  });

  it('a 12 h report stored on time is never called missed when the 24 h one falls due', () => {
    const state = generated(emptyState(), 'AUTO_12H', T0 + 12 * H);

    expect(decideDueTrigger(T0, T0 + 24 * H, state, none)).toEqual({ due: 'AUTO_24H', newlyMissed: null });
  });

  it('a 12 h report missing once the 24 h one is stored is still recorded as missed', () => {
    const state = generated(emptyState(), 'AUTO_24H', T0 + 24 * H);

    expect(decideDueTrigger(T0, T0 + 25 * H, state, none)).toEqual({
      due: null,
      nextDueAt: null,
      newlyMissed: 'AUTO_12H',
    });
  });

  it('recording a miss stops the trigger backing off and counts as a change of state', () => {
    const backingOff = failed(emptyState(), 'AUTO_12H', 1, T0 + 23 * H + 50 * M);

    const missed = recordMissed(backingOff, 'AUTO_12H', T0 + 24 * H);

    expect(missed.triggers.AUTO_12H).toMatchObject({ missedAt: T0 + 24 * H, backoffUntil: null, attemptCount: 1 });
    expect(missed.lastRunAt).toBe(T0 + 24 * H);
    expect(missed.triggers.AUTO_24H).toEqual(emptyState().triggers.AUTO_24H);
  });
});

describe('DONE keys are what counts', () => {
  it('a report the state calls generated is forgotten, for either trigger, when its DONE key is absent', () => {
    const believed = generated(generated(emptyState(), 'AUTO_12H', T0 + 12 * H), 'AUTO_24H', T0 + 24 * H);

    const forgotten = forgetUnstoredReports(believed, none);
    const kept = forgetUnstoredReports(believed, { AUTO_12H: doneMarker(12), AUTO_24H: doneMarker(24) });

    expect([forgotten.triggers.AUTO_12H.generatedAt, forgotten.triggers.AUTO_24H.generatedAt]).toEqual([null, null]);
    expect(kept).toEqual(believed);
  });

  it('a DONE key the state did not know about ends the backoff and takes the higher attempt count', () => {
    const backingOff = failed(failed(emptyState(), 'AUTO_12H', 1, T0 + 12 * H), 'AUTO_12H', 2, T0 + 13 * H);

    const fromLaterAttempt = recordDoneFromMarker(
      backingOff,
      'AUTO_12H',
      { generatedAt: T0 + 15 * H, attempt: 3, epoch: 0 },
      T0 + 16 * H,
    );
    const fromEarlierAttempt = recordDoneFromMarker(
      backingOff,
      'AUTO_12H',
      { generatedAt: null, attempt: 1, epoch: 0 },
      T0 + 16 * H,
    );
    const withoutAttempt = recordDoneFromMarker(
      backingOff,
      'AUTO_12H',
      { generatedAt: null, attempt: null, epoch: null },
      T0 + 16 * H,
    );

    expect(fromLaterAttempt.triggers.AUTO_12H).toMatchObject({
      generatedAt: T0 + 15 * H,
      attemptCount: 3,
      backoffUntil: null,
      missedAt: null,
    });
    expect(fromLaterAttempt.lastRunAt).toBe(T0 + 16 * H);
    // A marker that says no time (the guide allows a bare "done") dates the report to when it was found.
    expect(fromEarlierAttempt.triggers.AUTO_12H).toMatchObject({ generatedAt: T0 + 16 * H, attemptCount: 2 });
    expect(withoutAttempt.triggers.AUTO_12H.attemptCount).toBe(2);
  });
});

describe('how long a failure holds a trigger back', () => {
  it('the backoff runs from when the attempt failed, not from when the failure was noticed', () => {
    const f = recordFailure(
      emptyState(),
      'AUTO_24H',
      { attempt: 1, at: T0, message: 'lease ran out' },
      T0 + 40 * M,
      T0,
    );

    expect(f).toMatchObject({ backoffMs: 30 * M, nextEligibleAt: T0 + 30 * M });
    expect(f.state.lastBackoffUntil).toBe(T0 + 30 * M);
    expect(f.state.lastRunAt).toBe(T0 + 40 * M);
    expect(f.state.triggers.AUTO_24H.lastError).toEqual({ at: T0, message: 'lease ran out', attempt: 1 });
  });

  it('a failure never lowers the attempt count already recorded', () => {
    const three = failed(
      failed(failed(emptyState(), 'AUTO_12H', 1, T0), 'AUTO_12H', 2, T0 + H),
      'AUTO_12H',
      3,
      T0 + 4 * H,
    );

    const lateReportOfAttempt2 = recordFailure(
      three,
      'AUTO_12H',
      { attempt: 2, at: T0 + 5 * H, message: 'x' },
      T0 + 5 * H,
      T0,
    );

    expect(lateReportOfAttempt2.state.triggers.AUTO_12H.attemptCount).toBe(3);
    expect(lateReportOfAttempt2.backoffMs).toBe(2 * H);
  });

  it('holds until the instant it names and not a millisecond longer', () => {
    const progress = failed(emptyState(), 'AUTO_12H', 1, T0).triggers.AUTO_12H;

    expect(backoffActive(progress, T0 + 30 * M - 1)).toBe(true);
    expect(backoffActive(progress, T0 + 30 * M)).toBe(false);
    expect(backoffActive(emptyState().triggers.AUTO_12H, T0)).toBe(false);
  });

  it("a success leaves the other trigger's failure on display while it is still backing off", () => {
    const both = failed(failed(emptyState(), 'AUTO_12H', 1, T0 + 23 * H), 'AUTO_24H', 1, T0 + 24 * H);

    const ok = recordSuccess(both, 'AUTO_12H', 2, T0 + 24 * H + 10 * M);

    expect(ok.lastError).toMatchObject({ trigger: 'AUTO_24H', attempt: 1 });
    expect(ok.lastBackoffUntil).toBe(T0 + 24 * H + 30 * M);
    expect(ok.lastRunAt).toBe(T0 + 24 * H + 10 * M);
    expect(ok.triggers.AUTO_24H.backoffUntil).toBe(T0 + 24 * H + 30 * M);
  });

  it('"retry now" on one trigger leaves the display pointing at the other one\'s backoff, or at none', () => {
    const both = failed(failed(emptyState(), 'AUTO_12H', 1, T0 + 12 * H), 'AUTO_24H', 2, T0 + 24 * H);

    const retried12 = clearBackoff(both, 'AUTO_12H');
    const retriedBoth = clearBackoff(retried12, 'AUTO_24H');

    expect(retried12.triggers.AUTO_12H).toMatchObject({ backoffUntil: null, attemptCount: 1 });
    expect(retried12.lastBackoffUntil).toBe(T0 + 26 * H);
    expect(retriedBoth.lastBackoffUntil).toBeNull();
  });

  it("a reset clears the error on display only when it was the reset trigger's, and shows the other's backoff", () => {
    const both = failed(failed(emptyState(), 'AUTO_24H', 1, T0 + 24 * H), 'AUTO_12H', 1, T0 + 24 * H + M);

    const reset12 = resetTrigger(both, 'AUTO_12H', 1);
    const reset24 = resetTrigger(both, 'AUTO_24H', 1);

    expect(reset12.triggers.AUTO_12H).toEqual({ ...emptyState().triggers.AUTO_12H, epoch: 1 });
    expect(reset12.triggers.AUTO_24H).toEqual(both.triggers.AUTO_24H);
    expect(reset12.lastError).toBeNull();
    expect(reset12.lastBackoffUntil).toBe(T0 + 24 * H + 30 * M);
    expect(reset24.lastError).toMatchObject({ trigger: 'AUTO_12H', attempt: 1 });
    expect(reset24.lastBackoffUntil).toBe(T0 + 24 * H + 31 * M);
  });
});

describe('a backoff schedule', () => {
  it('repeats its last wait for every failure beyond its length, and waits nothing before a failure', () => {
    const s = new BackoffSchedule([5 * M, 7 * M]);

    expect([-1, 0, 1, 2, 3, 50].map((n) => s.delayAfter(n) / M)).toEqual([0, 0, 5, 7, 7, 7]);
    expect(s.maxDelayMs).toBe(7 * M);
  });

  it('is not changed by later edits to the list it was made from', () => {
    const steps = [5 * M, 7 * M];
    const s = new BackoffSchedule(steps);
    steps[1] = 1;
    steps.push(99 * H);

    expect([s.delayAfter(2), s.delayAfter(3), s.maxDelayMs]).toEqual([7 * M, 7 * M, 7 * M]);
  });

  it.each([
    ['a negative wait', [M, -M]],
    ['a wait that is not a number', [M, Number.NaN]],
    ['an endless wait', [Number.POSITIVE_INFINITY]],
  ])('refuses %s', (_what, steps) => {
    expect(() => new BackoffSchedule(steps)).toThrow('A backoff schedule needs at least one positive duration');
  });

  it("the scheduler's own ladder never waits longer than a day", () => {
    expect(SCHEDULER_BACKOFF.maxDelayMs).toBe(24 * H);
  });
});

describe('how long a claim makes other invocations wait', () => {
  const records = {
    AUTO_12H: createdRecord('AUTO_12H', 'installer', T0, emptyProgress()),
    AUTO_24H: createdRecord('AUTO_24H', 'installer', T0, emptyProgress()),
  };
  const state = { ...emptyState(), triggers: { ...emptyState().triggers } };
  // The claim itself says its holder started generating, and carries the full lease.
  const claimed = claimNext(state, records.AUTO_12H, 'inv-1', T0, 16 * M);
  const claim = claimed.record;

  it("until its lease ends by the reader's clock, with no allowance: a lease decides when to try, not who wins", () => {
    expect(claim.claim).toEqual({ claimedAt: T0, leaseExpiresAt: T0 + 16 * M, generationStartedAt: T0 });
    expect(leaseRunning(claim, T0)).toBe(true);
    expect(leaseRunning(claim, T0 + 16 * M - 1)).toBe(true);
    expect(leaseRunning(claim, T0 + 16 * M)).toBe(false);
  });

  it("an earlier version's claim whose holder never recorded a start: until its short lease ends", () => {
    const earlier = { ...claim, claim: { claimedAt: T0, leaseExpiresAt: T0 + 3 * M, generationStartedAt: null } };

    expect(leaseRunning(earlier, T0 + 3 * M - 1)).toBe(true);
    expect(leaseRunning(earlier, T0 + 3 * M)).toBe(false);
  });

  it('not at all once its holder has released it with its last write', () => {
    expect(leaseRunning(failedRecord(claimed.state, claim, T0 + M, 'Jira 503', T0 - 12 * H).record, T0 + M)).toBe(
      false,
    );
  });

  it('not at all when it says more than any holder could have written', () => {
    const leaseTooLong = { ...claim, claim: { ...claim.claim!, leaseExpiresAt: T0 + 16 * M + 1 } };
    const claimedAhead = { ...claim, claim: { ...claim.claim!, claimedAt: T0 + 17 * M, leaseExpiresAt: T0 + 33 * M } };

    expect(leaseRunning(leaseTooLong, T0)).toBe(false);
    expect(leaseRunning(claimedAhead, T0)).toBe(false);
    expect(
      leaseRunning({ ...claim, claim: { ...claim.claim!, claimedAt: T0 + 16 * M, leaseExpiresAt: T0 + 32 * M } }, T0),
    ).toBe(true);
  });

  it("a manual report's claim is held to its own, shorter lease", () => {
    expect(leaseRunning(claim, T0, 60_000)).toBe(false);
  });
});
