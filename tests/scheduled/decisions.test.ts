import { BackoffSchedule, calculateBackoffMs, SCHEDULER_BACKOFF } from '../../src/scheduled/backoff';
import {
  abandoned,
  claimNext,
  committed,
  createdRecord,
  decideDueTrigger,
  emptyProgress,
  emptyState,
  failed,
  leaseRunning,
  recordFailure,
  recordSuccess,
  resetRecord,
  SchedulerState,
  stateFromRecords,
  takenOver,
} from '../../src/scheduled/decisions';
import { parseState, serializeState } from '../../src/scheduled/scheduler_state';

const M = 60_000;
const H = 60 * M;
const T0 = Date.parse('2026-11-02T09:00:00Z');
const none = { AUTO_12H: null, AUTO_24H: null };

describe('decideDueTrigger', () => {
  it.each([
    [0, null],
    [11.99, null],
    [12, 'AUTO_12H'],
    [23.99, 'AUTO_12H'],
    [24, 'AUTO_24H'],
    [72, 'AUTO_24H'],
  ])('at %f h after install, %s is due', (hours, expected) => {
    expect(decideDueTrigger(T0, T0 + hours * H, emptyState(), none).due).toBe(expected);
  });

  it('reports when the next trigger falls due', () => {
    const d = decideDueTrigger(T0, T0 + H, emptyState(), none);
    expect(d).toEqual({ due: null, nextDueAt: T0 + 12 * H, newlyMissed: null });
  });

  it('marks a 12 h report that is not stored by 24 h as missed, once', () => {
    const first = decideDueTrigger(T0, T0 + 24 * H, emptyState(), none);
    expect(first).toMatchObject({ due: 'AUTO_24H', newlyMissed: 'AUTO_12H' });
    const marked: SchedulerState = {
      ...emptyState(),
      triggers: { ...emptyState().triggers, AUTO_12H: { ...emptyState().triggers.AUTO_12H, missedAt: T0 + 24 * H } },
    };
    expect(decideDueTrigger(T0, T0 + 25 * H, marked, none).newlyMissed).toBeNull();
  });

  it('does not call a 12 h report missed when its DONE key exists', () => {
    const done = { AUTO_12H: { generatedAt: T0 + 12 * H, attempt: 1, epoch: 0 }, AUTO_24H: null };
    expect(decideDueTrigger(T0, T0 + 24 * H, emptyState(), done).newlyMissed).toBeNull();
  });
});

describe('backoff', () => {
  it('waits 30 min, 2 h, then 24 h for every later failure', () => {
    expect([1, 2, 3, 4, 10].map((n) => calculateBackoffMs(n) / M)).toEqual([30, 120, 1440, 1440, 1440]);
    expect(calculateBackoffMs(0)).toBe(0);
    expect(SCHEDULER_BACKOFF.maxDelayMs).toBe(24 * H);
  });

  it('rejects an empty or non-positive schedule', () => {
    expect(() => new BackoffSchedule([])).toThrow(RangeError);
    expect(() => new BackoffSchedule([10, 0])).toThrow(RangeError);
  });

  it('a failure backs off only its own trigger, from the time it happened', () => {
    const f = recordFailure(emptyState(), 'AUTO_12H', { attempt: 2, at: T0, message: 'boom' }, T0 + M, T0);
    expect(f.nextEligibleAt).toBe(T0 + 2 * H);
    expect(f.state.triggers.AUTO_12H).toMatchObject({ attemptCount: 2, backoffUntil: T0 + 2 * H });
    expect(f.state.triggers.AUTO_24H).toEqual(emptyState().triggers.AUTO_24H);
    expect(f.state.lastError).toMatchObject({ trigger: 'AUTO_12H', attempt: 2, message: 'boom' });
  });

  it("success clears the trigger's backoff and the guide's display fields that described it", () => {
    const failed = recordFailure(emptyState(), 'AUTO_24H', { attempt: 1, at: T0, message: 'x' }, T0, T0).state;
    const ok = recordSuccess(failed, 'AUTO_24H', 2, T0 + H);
    expect(ok.triggers.AUTO_24H).toMatchObject({
      attemptCount: 2,
      generatedAt: T0 + H,
      backoffUntil: null,
      lastError: null,
    });
    expect(ok.lastError).toBeNull();
    expect(ok.lastBackoffUntil).toBeNull();
  });
});

describe('ledger transitions', () => {
  const fresh = () => ({
    AUTO_12H: createdRecord('AUTO_12H', 'installer', T0, emptyProgress()),
    AUTO_24H: createdRecord('AUTO_24H', 'installer', T0, emptyProgress()),
  });
  const stateOf = (records: ReturnType<typeof fresh>) => stateFromRecords(records, T0 - 12 * H, null);

  it('every transition moves the version on by one and names its writer; the state mirrors the record', () => {
    const records = fresh();
    const claimed = claimNext(stateOf(records), records.AUTO_12H, 'A', T0, 16 * M);
    const done = committed(claimed.state, claimed.record, T0 + M, T0 + M);

    expect(claimed.record).toMatchObject({ version: 2, holder: 'A', status: 'held' });
    // The claim itself says generation starts now, with the full lease: no second write does.
    expect(claimed.record.claim).toEqual({ claimedAt: T0, leaseExpiresAt: T0 + 16 * M, generationStartedAt: T0 });
    expect(claimed.state.triggers.AUTO_12H).toMatchObject({ version: 2, status: 'held', attemptCount: 1 });
    expect(done.record).toMatchObject({ version: 3, holder: 'A', status: 'done', released: { outcome: 'generated' } });
    expect(done.state.triggers.AUTO_12H).toMatchObject({ version: 3, status: 'done', generatedAt: T0 + M });
    expect(stateFromRecords({ ...records, AUTO_12H: done.record }, T0 - 12 * H, done.state.lastRunAt)).toEqual(
      done.state,
    );
  });

  it('a claim takes the lease it is given, whole, and says its holder started generating when it claimed', () => {
    const records = fresh();
    const claimed = claimNext(stateOf(records), records.AUTO_12H, 'A', T0 + 7, 5 * M).record;

    expect(claimed.claim).toEqual({ claimedAt: T0 + 7, leaseExpiresAt: T0 + 7 + 5 * M, generationStartedAt: T0 + 7 });
  });

  it("a lease says only when others stop waiting: it runs until its end by the reader's clock", () => {
    const records = fresh();
    const claimed = claimNext(stateOf(records), records.AUTO_12H, 'A', T0, 16 * M).record;
    // An earlier version's claim, whose holder had not yet recorded a start: its short lease.
    const earlier = { ...claimed, claim: { claimedAt: T0, leaseExpiresAt: T0 + 3 * M, generationStartedAt: null } };

    expect(leaseRunning(claimed, T0 + 16 * M - 1)).toBe(true);
    expect(leaseRunning(claimed, T0 + 16 * M)).toBe(false);
    expect(leaseRunning(earlier, T0 + 3 * M - 1)).toBe(true);
    expect(leaseRunning(earlier, T0 + 3 * M)).toBe(false);
    expect(leaseRunning(records.AUTO_12H, T0)).toBe(false);
  });

  it('an abandoned attempt fails when its lease ran out; taken over at once when its backoff has passed too', () => {
    const records = fresh();
    // The claim alone says generation started: a holder that never commits made an attempt.
    const claimed = claimNext(stateOf(records), records.AUTO_12H, 'A', T0, 16 * M).record;
    const later = { ...records, AUTO_12H: claimed };

    const gave = abandoned(stateOf(later), claimed, 'B', T0 + 20 * M, T0 - 12 * H);
    const over = takenOver(stateOf(later), claimed, 'C', T0 + 50 * M, 16 * M, T0 - 12 * H);

    expect(gave.record).toMatchObject({ version: 3, holder: 'B', status: 'idle', released: { outcome: 'abandoned' } });
    expect(gave.counted).toBe(true);
    expect(gave.nextEligibleAt).toBe(T0 + 16 * M + 30 * M);
    expect(gave.record.progress).toMatchObject({ attemptCount: 1, lastError: { attempt: 1, at: T0 + 16 * M } });
    expect(over.record).toMatchObject({ version: 3, holder: 'C', status: 'held' });
    expect(over.record.progress).toMatchObject({ attemptCount: 2, lastError: { attempt: 1, at: T0 + 16 * M } });
    expect(over.state.triggers.AUTO_12H).toMatchObject({ version: 3, attemptCount: 2 });
  });

  it("an earlier version's claim whose holder never started generating counts nothing: released uncounted, its number taken again", () => {
    const records = fresh();
    const current = claimNext(stateOf(records), records.AUTO_12H, 'A', T0, 16 * M).record;
    // The version before claimed with a 3-minute lease and recorded the start in a second
    // write; a record without that start is its claim, and its holder never generated.
    const claimed = { ...current, claim: { claimedAt: T0, leaseExpiresAt: T0 + 3 * M, generationStartedAt: null } };
    const later = { ...records, AUTO_12H: claimed };

    const gave = abandoned(stateOf(later), claimed, 'B', T0 + 5 * M, T0 - 12 * H);
    const over = takenOver(stateOf(later), claimed, 'C', T0 + 5 * M, 16 * M, T0 - 12 * H);

    expect(gave.record).toMatchObject({ version: 3, holder: 'B', status: 'idle', released: { outcome: 'unstarted' } });
    expect(gave.record.released).toEqual({ at: T0 + 3 * M, outcome: 'unstarted' });
    expect(gave.counted).toBe(false);
    expect(gave.record.progress).toMatchObject({ attemptCount: 0, backoffUntil: null, lastError: null });
    expect(over.record).toMatchObject({ version: 3, holder: 'C', status: 'held' });
    expect(over.record.progress).toMatchObject({ attemptCount: 1, backoffUntil: null, lastError: null });
    expect(over.record.claim).toEqual({
      claimedAt: T0 + 5 * M,
      leaseExpiresAt: T0 + 5 * M + 16 * M,
      generationStartedAt: T0 + 5 * M,
    });
  });

  it('a failure releases the claim and backs off by the ladder; a Reset starts the next epoch from nothing', () => {
    const records = fresh();
    const claimed = claimNext(stateOf(records), records.AUTO_12H, 'A', T0, 16 * M);
    const f = failed(claimed.state, claimed.record, T0 + M, 'Jira down', T0 - 12 * H);
    const r = resetRecord(f.state, f.record, 'admin', T0 + 2 * M);

    expect(f.record).toMatchObject({ version: 3, holder: 'A', status: 'idle' });
    expect(f.record.progress.backoffUntil).toBe(T0 + M + 30 * M);
    expect(r.record).toMatchObject({ version: 4, holder: 'admin', status: 'idle', claim: null });
    expect(r.record.progress).toMatchObject({ epoch: 1, attemptCount: 0, backoffUntil: null, lastError: null });
    expect(r.state.triggers.AUTO_12H).toMatchObject({ epoch: 1, attemptCount: 0, version: 4 });
  });
});

describe('state codec', () => {
  it('round-trips every field', () => {
    const failing = recordFailure(
      recordSuccess(emptyState(), 'AUTO_12H', 1, T0 + 12 * H),
      'AUTO_24H',
      { attempt: 3, at: T0 + 25 * H, message: 'API timeout' },
      T0 + 25 * H,
      T0,
    ).state;
    // As stored: a mirror of the records, with their versions and statuses, and the installation time.
    const s: SchedulerState = {
      ...failing,
      installedAt: T0,
      triggers: {
        AUTO_12H: { ...failing.triggers.AUTO_12H, version: 3, status: 'done' },
        AUTO_24H: { ...failing.triggers.AUTO_24H, version: 7, status: 'idle' },
      },
    };
    const parsed = parseState(JSON.parse(JSON.stringify(serializeState(s))), T0 + 25 * H);
    expect(parsed).toEqual({ ok: true, value: s });
  });

  it("reads the guide's original shape, attributing last_backoff_until to last_error.trigger", () => {
    const parsed = parseState(
      {
        last_run_at: '2024-01-15T12:00:00Z',
        auto_12h_generated_at: null,
        auto_24h_generated_at: null,
        last_error: {
          timestamp: '2024-01-14T11:00:00Z',
          message: 'API timeout',
          trigger: 'AUTO_12H',
          attempt_count: 2,
        },
        last_backoff_until: '2024-01-14T13:00:00Z',
        auto_12h_attempt_count: 2,
        auto_24h_attempt_count: 0,
      },
      Date.parse('2024-01-15T12:00:00Z'),
    );
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.value.triggers.AUTO_12H).toMatchObject({
      attemptCount: 2,
      backoffUntil: Date.parse('2024-01-14T13:00:00Z'),
    });
    expect(parsed.value.triggers.AUTO_24H.backoffUntil).toBeNull();
  });

  it.each([
    ['not an object', 'state'],
    ['an array', []],
    ['a negative count', { auto_12h_attempt_count: -1 }],
    ['a fractional count', { auto_24h_attempt_count: 1.5 }],
    ['a bad instant', { last_run_at: 'noon' }],
    ['a count no scheduler could reach', { auto_12h_attempt_count: Number.MAX_SAFE_INTEGER }],
    ['an epoch no reset count could reach', { auto_24h_epoch: 10_001 }],
    [
      'a failure dated in the future',
      { auto_12h_last_error: { timestamp: '9999-01-01T00:00:00.000Z', message: 'x', attempt_count: 1 } },
    ],
    ['a generation dated in the future', { auto_24h_generated_at: '2099-01-01T00:00:00.000Z' }],
    [
      "a guide-shaped backoff longer than its failure's step",
      {
        last_error: { timestamp: '2026-11-02T09:00:00Z', message: 'x', trigger: 'AUTO_12H', attempt_count: 1 },
        last_backoff_until: '2026-11-03T09:00:00Z',
      },
    ],
    [
      'an error with an unknown trigger',
      { last_error: { timestamp: '2024-01-14T11:00:00Z', message: 'x', trigger: 'AUTO_6H' } },
    ],
  ])('rejects %s', (_name, raw) => {
    expect(parseState(raw, T0).ok).toBe(false);
  });
});
