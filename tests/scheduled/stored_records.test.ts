import {
  claimNext,
  committed,
  createdRecord,
  emptyProgress,
  emptyState,
  failed,
  recordFailure,
  recordSuccess,
  stateFromRecords,
} from '../../src/scheduled/decisions';
import {
  doneMarkerFrom as doneMarkerAt,
  installationTimestampFrom,
  legacyEpochFrom,
  legacyFence,
  parseLegacyClaim,
  parseRecord,
  parseState as parseStateAt,
  serializeRecord,
  serializeState,
} from '../../src/scheduled/scheduler_state';

/**
 * The scheduler's records as they lie in storage, where an administrator,
 * support, or an older version of the app reads and writes them: the field
 * names are the integration guide's, and anything stored that does not parse is
 * refused with a reason (logged when the scheduler rebuilds the state), never
 * guessed at.
 */

const M = 60_000;
const H = 60 * M;
const T0 = Date.parse('2026-11-02T09:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
/** When the records are read: after everything they describe. */
const NOW = T0 + 48 * H;
const parseState = (raw: unknown) => parseStateAt(raw, NOW);
const doneMarkerFrom = (raw: unknown) => doneMarkerAt(raw, NOW);

describe('the stored scheduler state', () => {
  it("is written with the guide's field names, one set per trigger", () => {
    const progress = recordFailure(
      recordSuccess(emptyState(), 'AUTO_12H', 2, T0 + 12 * H),
      'AUTO_24H',
      { attempt: 1, at: T0 + 24 * H, message: 'Jira timed out' },
      T0 + 24 * H + M,
      T0,
    ).state;
    // As the ledger's transitions leave it: each trigger mirrors its record's version and status.
    const state = {
      ...progress,
      triggers: {
        AUTO_12H: { ...progress.triggers.AUTO_12H, version: 4, status: 'done' as const },
        AUTO_24H: { ...progress.triggers.AUTO_24H, version: 3, status: 'idle' as const },
      },
    };

    // Empty fields (null, 0) are left out to keep the record small; they read back as their defaults.
    expect(serializeState(state)).toEqual({
      schema_version: 3,
      last_run_at: iso(T0 + 24 * H + M),
      last_error: { timestamp: iso(T0 + 24 * H), message: 'Jira timed out', attempt_count: 1, trigger: 'AUTO_24H' },
      last_backoff_until: iso(T0 + 24 * H + 30 * M),
      auto_12h_generated_at: iso(T0 + 12 * H),
      auto_12h_attempt_count: 2,
      auto_24h_attempt_count: 1,
      auto_24h_backoff_until: iso(T0 + 24 * H + 30 * M),
      auto_24h_last_error: { timestamp: iso(T0 + 24 * H), message: 'Jira timed out', attempt_count: 1 },
      auto_12h_ledger_version: 4,
      auto_24h_ledger_version: 3,
      auto_12h_status: 'done',
    });
    expect(parseState(JSON.parse(JSON.stringify(serializeState(state))))).toEqual({ ok: true, value: state });
  });

  it('reads an empty record as a scheduler that has done nothing yet', () => {
    expect(parseState({})).toEqual({ ok: true, value: emptyState() });
    expect(parseState({ auto_12h_attempt_count: null, last_error: null })).toEqual({ ok: true, value: emptyState() });
  });

  it('reads an error record without an attempt count as attempt 0', () => {
    const parsed = parseState({ auto_24h_last_error: { timestamp: iso(T0), message: 'x' } });

    expect(parsed).toMatchObject({ ok: true, value: { triggers: { AUTO_24H: { lastError: { attempt: 0 } } } } });
  });

  it.each([
    ['a list', [], 'state is not an object'],
    ['null', null, 'state is not an object'],
    ['an error that is text', { last_error: 'boom' }, 'last_error is not an error record'],
    [
      'an error without a message',
      { auto_12h_last_error: { timestamp: iso(T0) } },
      'auto_12h_last_error is not an error record',
    ],
    ['an error without a time', { auto_24h_last_error: { message: 'x' } }, 'auto_24h_last_error.timestamp is missing'],
    [
      'an error at no real time',
      { last_error: { message: 'x', timestamp: 'soon', trigger: 'AUTO_12H' } },
      'timestamp is not an ISO-8601 instant',
    ],
    [
      'an error for no trigger',
      { last_error: { message: 'x', timestamp: iso(T0) } },
      'last_error.trigger is not a trigger',
    ],
    ['a count that is text', { auto_24h_attempt_count: '2' }, 'auto_24h_attempt_count is not a count'],
    ['an unsafe count', { auto_12h_attempt_count: 2 ** 60 }, 'auto_12h_attempt_count is not a count'],
    [
      'a generation time that is a number',
      { auto_12h_generated_at: T0 },
      'auto_12h_generated_at is not an ISO-8601 instant',
    ],
    [
      'a missed time that is garbled',
      { auto_24h_missed_at: '2026-13-01T00:00:00Z' },
      'auto_24h_missed_at is not an ISO-8601 instant',
    ],
    ['a run time that is garbled', { last_run_at: 'yesterday' }, 'last_run_at is not an ISO-8601 instant'],
  ])('is refused when it holds %s', (_what, raw, reason) => {
    expect(parseState(raw)).toEqual({ ok: false, reason });
  });
});

describe('the stored scheduler state holds only values that could be true', () => {
  /** Two hosts' clocks may disagree by this much. */
  const disagreement = 2 * M;

  it.each(['last_run_at', 'auto_12h_generated_at', 'auto_12h_missed_at'])(
    'believes %s written by a clock up to two minutes ahead of ours, and refuses it beyond',
    (field) => {
      expect(parseState({ [field]: iso(NOW + disagreement) })).toMatchObject({ ok: true });
      expect(parseState({ [field]: iso(NOW + disagreement + 1) })).toEqual({
        ok: false,
        reason: `${field} lies in the future`,
      });
    },
  );

  it('believes an attempt count or an epoch up to 10,000, and refuses one beyond', () => {
    const counts = { auto_12h_attempt_count: 10_000, auto_24h_epoch: 10_000 };

    expect(parseState(counts)).toMatchObject({
      ok: true,
      value: { triggers: { AUTO_12H: { attemptCount: 10_000 }, AUTO_24H: { epoch: 10_000 } } },
    });
    expect(parseState({ auto_24h_attempt_count: 10_001 })).toEqual({
      ok: false,
      reason: 'auto_24h_attempt_count is not a count',
    });
    expect(parseState({ auto_12h_epoch: 10_001 })).toEqual({ ok: false, reason: 'auto_12h_epoch is not a count' });
  });

  it("believes the guide's last_backoff_until up to one longest backoff (and the clock allowance) ahead, not beyond", () => {
    const furthest = NOW + 24 * H + disagreement;

    expect(parseState({ last_backoff_until: iso(furthest) })).toMatchObject({
      ok: true,
      value: { lastBackoffUntil: furthest },
    });
    expect(parseState({ last_backoff_until: iso(furthest + 1) })).toEqual({
      ok: false,
      reason: 'last_backoff_until lies beyond any backoff',
    });
  });
});

describe('a stored backoff is believed only when it follows from the failure it belongs to', () => {
  const failure = { timestamp: iso(T0), message: 'Jira down', attempt_count: 2 };

  it("a trigger's own backoff: exactly one ladder step after its failure", () => {
    const own = (until: string | null) =>
      parseState({ auto_12h_attempt_count: 2, auto_12h_last_error: failure, auto_12h_backoff_until: until });

    expect(own(iso(T0 + 2 * H))).toMatchObject({
      ok: true,
      value: { triggers: { AUTO_12H: { backoffUntil: T0 + 2 * H } } },
    });
    expect(own(null)).toMatchObject({ ok: true, value: { triggers: { AUTO_12H: { backoffUntil: null } } } });
    expect(own(iso(T0 + 2 * H + 1))).toEqual({
      ok: false,
      reason: 'auto_12h_backoff_until does not follow from the failure it belongs to',
    });
    expect(parseState({ auto_24h_backoff_until: iso(T0 + 30 * M) })).toEqual({
      ok: false,
      reason: 'auto_24h_backoff_until does not follow from the failure it belongs to',
    });
  });

  it("AUTO_12H's may end earlier than its step (its window brought it forward), but after the failure; AUTO_24H's may not", () => {
    const own12 = (until: number) =>
      parseState({ auto_12h_attempt_count: 2, auto_12h_last_error: failure, auto_12h_backoff_until: iso(until) });
    const own24 = (until: number) =>
      parseState({ auto_24h_attempt_count: 2, auto_24h_last_error: failure, auto_24h_backoff_until: iso(until) });

    expect(own12(T0 + 45 * M)).toMatchObject({
      ok: true,
      value: { triggers: { AUTO_12H: { backoffUntil: T0 + 45 * M } } },
    });
    expect(own12(T0)).toEqual({
      ok: false,
      reason: 'auto_12h_backoff_until does not follow from the failure it belongs to',
    });
    expect(own24(T0 + 45 * M)).toEqual({
      ok: false,
      reason: 'auto_24h_backoff_until does not follow from the failure it belongs to',
    });
  });

  it("the guide's single backoff: at most its ladder step, and two minutes of clock disagreement, after the failure it is attributed to", () => {
    const guide = (until: number) =>
      parseState({
        auto_24h_attempt_count: 2,
        last_error: { ...failure, trigger: 'AUTO_24H' },
        last_backoff_until: iso(until),
      });

    expect(guide(T0 + 2 * H + 2 * M)).toMatchObject({
      ok: true,
      value: { triggers: { AUTO_24H: { backoffUntil: T0 + 2 * H + 2 * M } } },
    });
    expect(guide(T0 + 2 * H + 2 * M + 1)).toEqual({
      ok: false,
      reason: 'last_backoff_until does not follow from the failure it belongs to',
    });
  });

  it("a trigger with a backoff field of its own never inherits the guide's", () => {
    const parsed = parseState({
      auto_12h_attempt_count: 2,
      last_error: { ...failure, trigger: 'AUTO_12H' },
      last_backoff_until: iso(T0 + H),
      auto_12h_backoff_until: null,
    });

    expect(parsed).toMatchObject({
      ok: true,
      value: {
        lastBackoffUntil: T0 + H,
        triggers: { AUTO_12H: { backoffUntil: null }, AUTO_24H: { backoffUntil: null } },
      },
    });
  });

  it("the guide's backoff without a failure to attribute it to holds no trigger back", () => {
    const parsed = parseState({ last_backoff_until: iso(T0 + H) });

    expect(parsed).toMatchObject({
      ok: true,
      value: {
        lastBackoffUntil: T0 + H,
        triggers: { AUTO_12H: { backoffUntil: null }, AUTO_24H: { backoffUntil: null } },
      },
    });
  });
});

describe('a stored state is believed only when its fields agree with each other', () => {
  const error = (attempt: number) => ({ timestamp: iso(T0), message: 'Jira down', attempt_count: attempt });

  it("believes the guide's own example: a report after an earlier failure whose backoff has passed", () => {
    const parsed = parseState({
      last_run_at: iso(T0 + 25 * H),
      auto_12h_generated_at: iso(T0 + 25 * H),
      last_error: { ...error(2), trigger: 'AUTO_12H' },
      last_backoff_until: iso(T0 + 2 * H),
      auto_12h_attempt_count: 2,
      auto_24h_attempt_count: 0,
    });

    expect(parsed).toMatchObject({ ok: true, value: { triggers: { AUTO_12H: { generatedAt: T0 + 25 * H } } } });
  });

  it.each([
    [
      'a last error of attempt #3 with a 24-hour backoff on a trigger that counted no attempt',
      { auto_12h_last_error: error(3), auto_12h_backoff_until: iso(T0 + 24 * H) },
      'auto_12h_last_error names attempt #3 of 0 counted',
    ],
    [
      "the guide's last error naming a later attempt than its trigger counted",
      { auto_24h_attempt_count: 1, last_error: { ...error(2), trigger: 'AUTO_24H' } },
      'last_error names a later attempt than AUTO_24H has counted',
    ],
    [
      'a missed mark on the 24-hour report',
      { auto_24h_missed_at: iso(T0 + 30 * H) },
      'auto_24h_missed_at: its window never closes',
    ],
    [
      'a report and a missed mark for one trigger',
      { auto_12h_generated_at: iso(T0 + 13 * H), auto_12h_missed_at: iso(T0 + 24 * H) },
      'auto_12h is both generated and missed',
    ],
    [
      "a trigger's own backoff beside its report",
      {
        schema_version: 2,
        auto_24h_attempt_count: 1,
        auto_24h_last_error: error(1),
        auto_24h_backoff_until: iso(T0 + 30 * M),
        auto_24h_generated_at: iso(T0 + 10 * M),
      },
      'auto_24h_backoff_until is set beside a report',
    ],
    [
      "a trigger's own backoff beside its missed mark",
      {
        schema_version: 2,
        auto_12h_attempt_count: 1,
        auto_12h_last_error: error(1),
        auto_12h_backoff_until: iso(T0 + 30 * M),
        auto_12h_missed_at: iso(T0 + 24 * H),
      },
      'auto_12h_backoff_until is set beside a missed mark',
    ],
  ])('refuses %s', (_what, raw, reason) => {
    expect(parseState(raw)).toEqual({ ok: false, reason });
  });
});

describe('the Phase-4 installation time', () => {
  const now = T0 + 13 * H;

  it('is missing only when nothing is stored', () => {
    expect(installationTimestampFrom(undefined, now)).toEqual({ ok: false, reason: 'MISSING' });
    expect(installationTimestampFrom(null, now)).toEqual({ ok: false, reason: 'INVALID' });
  });

  it('is invalid when the record is not one, or its timestamp is not an instant', () => {
    expect(installationTimestampFrom(iso(T0), now)).toEqual({ ok: false, reason: 'INVALID' });
    expect(installationTimestampFrom({ installation_timestamp: T0 }, now)).toEqual({ ok: false, reason: 'INVALID' });
  });

  it('is believed up to five minutes ahead of our clock, and not beyond', () => {
    const at = (ms: number) => installationTimestampFrom({ installation_timestamp: iso(ms) }, now);

    expect(at(now + 5 * M)).toEqual({ ok: true, installedAt: now + 5 * M });
    expect(at(now + 5 * M + 1)).toEqual({ ok: false, reason: 'IN_FUTURE' });
  });
});

describe('a DONE key', () => {
  it('counts whatever it holds; its time and attempt are read when they are well-formed', () => {
    expect(doneMarkerFrom(undefined)).toBeNull();
    expect(doneMarkerFrom('done')).toEqual({ generatedAt: null, attempt: null, epoch: null });
    expect(doneMarkerFrom(iso(T0))).toEqual({ generatedAt: T0, attempt: null, epoch: null });
    expect(doneMarkerFrom({ status: 'done', generated_at: iso(T0), attempt: 3, epoch: 2 })).toEqual({
      generatedAt: T0,
      attempt: 3,
      epoch: 2,
    });
    expect(doneMarkerFrom({ attempt: 2.5, epoch: -1 })).toEqual({ generatedAt: null, attempt: null, epoch: null });
    expect(doneMarkerFrom({ attempt: '3' })).toEqual({ generatedAt: null, attempt: null, epoch: null });
    expect(doneMarkerFrom(null)).toEqual({ generatedAt: null, attempt: null, epoch: null });
  });

  it('believes a generation time up to two minutes ahead of our clock, an attempt from 1 to 10,000, an epoch from 0 to 10,000', () => {
    const soon = NOW + 2 * M;

    expect(doneMarkerFrom({ generated_at: iso(soon), attempt: 1, epoch: 0 })).toEqual({
      generatedAt: soon,
      attempt: 1,
      epoch: 0,
    });
    expect(doneMarkerFrom({ generated_at: iso(soon), attempt: 10_000, epoch: 10_000 })).toEqual({
      generatedAt: soon,
      attempt: 10_000,
      epoch: 10_000,
    });
    expect(doneMarkerFrom(iso(soon))).toEqual({ generatedAt: soon, attempt: null, epoch: null });
  });

  it('still counts, but drops what could not be true: a time further ahead, attempt 0, numbers beyond 10,000', () => {
    const blank = { generatedAt: null, attempt: null, epoch: null };

    expect(doneMarkerFrom({ generated_at: iso(NOW + 2 * M + 1), attempt: 0, epoch: 10_001 })).toEqual(blank);
    expect(doneMarkerFrom({ attempt: 10_001 })).toEqual(blank);
    expect(doneMarkerFrom(iso(NOW + 2 * M + 1))).toEqual(blank);
  });
});

describe("a trigger's EPOCH key, as the version before the ledger wrote it", () => {
  it('absent, says the trigger was never reset', () => {
    expect(legacyEpochFrom(undefined)).toBe(0);
  });

  it("holds the reset's epoch, from 1 to 10,000", () => {
    expect(legacyEpochFrom({ schema_version: 1, epoch: 1, reset_at: iso(T0) })).toBe(1);
    expect(legacyEpochFrom({ schema_version: 1, epoch: 10_000, reset_at: iso(T0) })).toBe(10_000);
  });

  it('once retired by the upgrade, holds no epoch the earlier version can read', () => {
    const retired = { schema_version: 2, retired_at: iso(T0), epoch_before_ledger: 3 };

    expect(legacyEpochFrom(retired)).toBe('retired');
    // The earlier version read `epoch` as 1 to 10,000 or refused to claim: here it refuses.
    expect((retired as { epoch?: unknown }).epoch).toBeUndefined();
  });

  it.each([
    ['epoch 0, which no reset writes', { epoch: 0 }],
    ['an epoch no reset count could reach', { epoch: 10_001 }],
    ['an epoch that is text', { epoch: '2' }],
    ['a bare number', 2],
    ['null', null],
  ])('is no epoch when it holds %s', (_what, raw) => {
    expect(legacyEpochFrom(raw)).toBeNull();
  });
});

describe('a claim as the version before the ledger stored it', () => {
  const stored = {
    attempt: 4,
    claimed_at: iso(T0),
    lease_expires_at: iso(T0 + 16 * M),
    invocation_id: 'inv-4',
    kind: 'attempt',
  };

  it("reads the holder's times and invocation, and its release when both the time and a known outcome are stored", () => {
    expect(parseLegacyClaim(stored)).toEqual({
      attempt: 4,
      claimedAt: T0,
      leaseExpiresAt: T0 + 16 * M,
      invocationId: 'inv-4',
      kind: 'attempt',
      released: null,
    });
    expect(parseLegacyClaim({ ...stored, released_at: iso(T0 + M), outcome: 'failed' })?.released).toEqual({
      at: T0 + M,
      outcome: 'failed',
    });
    expect(parseLegacyClaim({ ...stored, released_at: iso(T0 + M) })?.released).toBeNull();
  });

  it("the upgrade's fence reads, to that version, as a Reset's fence already released", () => {
    expect(parseLegacyClaim(legacyFence(5, T0, 'ledger-upgrade:x'))).toMatchObject({
      attempt: 5,
      kind: 'reset',
      released: { at: T0, outcome: 'reset' },
    });
  });

  it.each([
    ['not a record', 'claimed'],
    ['without a claim time', { ...stored, claimed_at: undefined }],
    ['without a lease end', { ...stored, lease_expires_at: 'later' }],
    ['without an attempt number', { ...stored, attempt: '1' }],
  ])('is unreadable when %s', (_what, raw) => {
    expect(parseLegacyClaim(raw)).toBeNull();
  });
});

describe('a ledger record', () => {
  const CLOUD = '6f2e3c1a-8b7d-4e5f-9a0b-1c2d3e4f5a6b';
  const records = {
    AUTO_12H: createdRecord('AUTO_12H', 'installer', T0, emptyProgress()),
    AUTO_24H: createdRecord('AUTO_24H', 'installer', T0, emptyProgress()),
  };
  const state = stateFromRecords(records, T0 - 12 * H, null);
  // The claim itself says its holder started generating (generation_started_at).
  const held = claimNext(state, records.AUTO_12H, 'inv-1', T0, 16 * M);
  const roundTrip = (r: typeof held.record) =>
    parseRecord(JSON.parse(JSON.stringify(serializeRecord(CLOUD, r))), r.trigger);

  it('is stored with the attributes manifest.yml declares, empty ones left out, and reads back the same', () => {
    expect(serializeRecord(CLOUD, held.record)).toEqual({
      schema_version: 1,
      cloud_id: CLOUD,
      trigger: 'AUTO_12H',
      version: 2,
      epoch: 0,
      attempt: 1,
      status: 'held',
      holder: 'inv-1',
      claimed_at: iso(T0),
      lease_expires_at: iso(T0 + 16 * M),
      generation_started_at: iso(T0),
    });
    expect(roundTrip(held.record)).toEqual(held.record);
    const done = committed(held.state, held.record, T0 + M, T0 + M).record;
    expect(roundTrip(done)).toEqual(done);
    const failure = failed(held.state, held.record, T0 + M, 'Jira 503', T0 - 12 * H).record;
    expect(roundTrip(failure)).toEqual(failure);
  });

  it("reads an earlier version's claim, stored before its holder recorded a start, as unstarted", () => {
    // The version before claimed with a 3-minute lease and wrote generation_started_at in a
    // second transaction; its records without that attribute are still in storage.
    const earlier = { ...held.record, claim: { claimedAt: T0, leaseExpiresAt: T0 + 3 * M, generationStartedAt: null } };
    const stored = serializeRecord(CLOUD, earlier);

    expect(stored).toMatchObject({ status: 'held', claimed_at: iso(T0), lease_expires_at: iso(T0 + 3 * M) });
    expect(stored).not.toHaveProperty('generation_started_at');
    expect(roundTrip(earlier)).toEqual(earlier);
  });

  it.each([
    ['another trigger', { trigger: 'AUTO_24H' }],
    ['no version', { version: undefined }],
    ['a status it never has', { status: 'busy' }],
    ['a claim held without its lease', { lease_expires_at: undefined }],
    ['an epoch no reset count could reach', { epoch: 10_001 }],
  ])('is unreadable with %s', (_what, patch) => {
    expect(parseRecord({ ...serializeRecord(CLOUD, held.record), ...patch }, 'AUTO_12H')).toBeNull();
  });
});
