import type { Phase5Report } from '../phase5/report';
import { AutoTrigger, keys, store } from '../storage';
import { parseIsoInstant, toIso, toIsoOrNull } from '../time';
import { SCHEDULER_BACKOFF } from './backoff';
import { SCHEDULER } from './config';
import {
  AttemptError,
  AUTO_TRIGGERS,
  Claim,
  DoneMarker,
  DoneMarkers,
  emptyProgress,
  released,
  SchedulerState,
  TriggerProgress,
} from './decisions';

/**
 * The scheduler's records as stored in KVS, and the few reads and writes the
 * scheduler makes. Field names are the integration guide's (snake_case, ISO-8601
 * instants); the decision core works on the typed forms in decisions.ts. Every
 * parser here treats stored data as untrusted: a record that does not parse is
 * reported as such, never guessed at.
 */

/**
 * 2: fields at their empty value are left out. 1 stored every field. States
 * without per-trigger fields at all are the guide's original shape.
 */
export const STATE_SCHEMA_VERSION = 2;

// ---------------------------------------------------------------------------
// Stored shapes.

interface StoredError {
  timestamp: string;
  message: string;
  attempt_count: number;
}

/**
 * The stored state. Every idle invocation reads it, so a field at its empty value
 * (null, or a zero count) is left out rather than stored: absent and empty read
 * the same (`parseState`), and a finished installation's state shrinks to about
 * half. `schema_version` 2 says so; without it, a state lacking a trigger's
 * `_backoff_until` is in the guide's original shape, whose single
 * `last_backoff_until` is attributed to `last_error.trigger`.
 */
export interface StoredSchedulerState {
  schema_version: number;
  last_run_at?: string;
  auto_12h_generated_at?: string;
  auto_24h_generated_at?: string;
  last_error?: StoredError & { trigger: AutoTrigger };
  last_backoff_until?: string;
  auto_12h_attempt_count?: number;
  auto_24h_attempt_count?: number;
  // Beyond the guide: each trigger keeps its own backoff, last error and missed mark,
  // and the epoch (resets so far) its progress belongs to.
  auto_12h_epoch?: number;
  auto_24h_epoch?: number;
  auto_12h_backoff_until?: string;
  auto_24h_backoff_until?: string;
  auto_12h_last_error?: StoredError;
  auto_24h_last_error?: StoredError;
  auto_12h_missed_at?: string;
  auto_24h_missed_at?: string;
}

/** Every field of the stored state at its empty value: what an omitted field means. */
export const EMPTY_STORED_STATE_FIELDS = {
  last_run_at: null,
  auto_12h_generated_at: null,
  auto_24h_generated_at: null,
  last_error: null,
  last_backoff_until: null,
  auto_12h_attempt_count: 0,
  auto_24h_attempt_count: 0,
  auto_12h_epoch: 0,
  auto_24h_epoch: 0,
  auto_12h_backoff_until: null,
  auto_24h_backoff_until: null,
  auto_12h_last_error: null,
  auto_24h_last_error: null,
  auto_12h_missed_at: null,
  auto_24h_missed_at: null,
} as const;

export interface StoredDoneMarker {
  status: 'done';
  generated_at: string;
  attempt: number;
  epoch: number;
  report_key: string;
}

export interface StoredClaim {
  attempt: number;
  claimed_at: string;
  lease_expires_at: string;
  invocation_id: string;
  /** Absent on claims written before resets took fences: those are all attempts. */
  kind?: 'attempt' | 'reset';
  released_at?: string;
  outcome?: 'generated' | 'failed' | 'reset';
}

/**
 * `phase5:scheduler:{cloudId}:{TRIGGER}:EPOCH`; absent means epoch 0 (never reset). Who reset is not here:
 * the reset's audit entry, written in the same transaction, says so, and is the one copy of that account id
 * the personal-data report (src/privacy) reports and anonymises. This record is never rewritten but by a reset.
 */
export interface StoredEpoch {
  schema_version: number;
  epoch: number;
  reset_at: string;
}

export interface InstallationEvidence {
  installation_timestamp: string;
  source: string;
  app_version?: string | null;
  recorded_at?: string;
  /** The administrator who recorded it, when it did not come from the installed event. */
  recorded_by?: string;
  installation_id?: string;
  /** The installed event's top-level field names, for the platform check. */
  event_fields?: string[];
}

const prefix = (t: AutoTrigger) => (t === 'AUTO_12H' ? 'auto_12h' : 'auto_24h');

// ---------------------------------------------------------------------------
// Codecs.

export function serializeState(state: SchedulerState): StoredSchedulerState {
  const err = (e: AttemptError | null): StoredError | null =>
    e && { timestamp: toIso(e.at), message: e.message, attempt_count: e.attempt };
  const out: Record<string, unknown> = {
    schema_version: STATE_SCHEMA_VERSION,
    last_run_at: toIsoOrNull(state.lastRunAt),
    last_error: state.lastError && { ...err(state.lastError)!, trigger: state.lastError.trigger },
    last_backoff_until: toIsoOrNull(state.lastBackoffUntil),
  };
  for (const t of AUTO_TRIGGERS) {
    const p = state.triggers[t];
    out[`${prefix(t)}_epoch`] = p.epoch;
    out[`${prefix(t)}_generated_at`] = toIsoOrNull(p.generatedAt);
    out[`${prefix(t)}_attempt_count`] = p.attemptCount;
    out[`${prefix(t)}_backoff_until`] = toIsoOrNull(p.backoffUntil);
    out[`${prefix(t)}_last_error`] = err(p.lastError);
    out[`${prefix(t)}_missed_at`] = toIsoOrNull(p.missedAt);
  }
  for (const [field, value] of Object.entries(out)) if (value === null || value === 0) delete out[field];
  return out as unknown as StoredSchedulerState;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

class Invalid extends Error {}

function instantOrNull(record: Record<string, unknown>, field: string): number | null {
  const v = record[field];
  if (v === undefined || v === null) return null;
  const ms = parseIsoInstant(v);
  if (ms === null) throw new Invalid(`${field} is not an ISO-8601 instant`);
  return ms;
}

/**
 * An instant that records something that has happened (a failure, a generation, a
 * run): it cannot lie ahead of our clock by more than the hosts' clocks can disagree.
 */
function pastOrNull(record: Record<string, unknown>, field: string, now: number): number | null {
  const ms = instantOrNull(record, field);
  if (ms !== null && ms > now + SCHEDULER.maxClockDisagreementMs) throw new Invalid(`${field} lies in the future`);
  return ms;
}

function count(record: Record<string, unknown>, field: string, max: number = SCHEDULER.maxAttempts): number {
  const v = record[field];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max)
    throw new Invalid(`${field} is not a count`);
  return v;
}

function attemptError(record: Record<string, unknown>, field: string, now: number): AttemptError | null {
  const v = record[field];
  if (v === undefined || v === null) return null;
  if (!isRecord(v) || typeof v.message !== 'string') throw new Invalid(`${field} is not an error record`);
  const at = pastOrNull(v, 'timestamp', now);
  if (at === null) throw new Invalid(`${field}.timestamp is missing`);
  return { at, message: v.message, attempt: count(v, 'attempt_count') };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A trigger's backoff is derived data: this scheduler only ever stores one that
 * ends exactly one ladder step after the failure it records, or, for AUTO_12H, one
 * its window brought forward (decisions.ts#recordFailure): after the failure, never
 * later than the step. Anything else (a backoff with no failure, or one decades
 * away) was not written by us, and believing it could hold a report back
 * indefinitely, so the state is invalid.
 * A backoff inherited from the guide's shape was computed from the guide's clock
 * a moment after the failure it follows, so it is held to that failure's own step
 * (plus the clock allowance), never the ladder's longest: a first failure cannot
 * impose 24 h.
 */
function checkedBackoff(
  until: number | null,
  failure: AttemptError | null,
  inherited: boolean,
  field: string,
  windowCloses: boolean,
): number | null {
  if (until === null) return null;
  const consistent = inherited
    ? failure !== null &&
      until <=
        failure.at + SCHEDULER_BACKOFF.delayAfter(Math.max(1, failure.attempt)) + SCHEDULER.maxClockDisagreementMs
    : failure !== null &&
      (until === failure.at + SCHEDULER_BACKOFF.delayAfter(failure.attempt) ||
        (windowCloses && until > failure.at && until < failure.at + SCHEDULER_BACKOFF.delayAfter(failure.attempt)));
  if (!consistent) throw new Invalid(`${field} does not follow from the failure it belongs to`);
  return until;
}

/**
 * What the scheduler's transitions (decisions.ts) never write together, so a stored
 * trigger holding it was not written by us and cannot be believed, though each field
 * lies within its own bounds:
 *  - a last error naming a later attempt than the trigger has counted (recordFailure
 *    raises the count to the attempt it records; nothing lowers it but a Reset, which
 *    clears the error too). Believed, a failure that never happened imposes its step
 *    of the ladder, up to 24 h, with no claim ever taken;
 *  - a missed mark on the 24-hour report, whose window never closes;
 *  - a report and a missed mark at once (a success clears the mark; a window closes
 *    only on a trigger with no report);
 *  - a backoff of the trigger's own beside its report or its missed mark (both clear
 *    it). A backoff inherited from the guide's shape is exempt: the guide's example
 *    itself keeps a past backoff beside the report that followed it.
 */
function checkConsistent(trigger: AutoTrigger, p: TriggerProgress, ownBackoff: boolean): void {
  const f = prefix(trigger);
  if (p.lastError && p.lastError.attempt > p.attemptCount) {
    throw new Invalid(`${f}_last_error names attempt #${p.lastError.attempt} of ${p.attemptCount} counted`);
  }
  if (p.missedAt !== null && trigger !== 'AUTO_12H') throw new Invalid(`${f}_missed_at: its window never closes`);
  if (p.missedAt !== null && p.generatedAt !== null) throw new Invalid(`${f} is both generated and missed`);
  if (ownBackoff && p.backoffUntil !== null && (p.generatedAt !== null || p.missedAt !== null)) {
    throw new Invalid(`${f}_backoff_until is set beside a ${p.generatedAt !== null ? 'report' : 'missed mark'}`);
  }
}

/**
 * Parse a stored state, as of `now`. Absent fields take their empty defaults, so a
 * state written in the guide's original shape (no per-trigger backoff fields) still
 * reads: its single `last_backoff_until` is attributed to `last_error.trigger`.
 * Every number and instant is bounded by what could be true at `now`: counts by
 * SCHEDULER.maxAttempts and maxEpoch, recorded events by now plus the clock
 * allowance, backoffs by the failure they follow. The fields must also agree with
 * each other (checkConsistent). A state that fails either test is invalid as a
 * whole, and the scheduler rebuilds it from the DONE keys.
 */
export function parseState(raw: unknown, now: number): Parsed<SchedulerState> {
  try {
    if (!isRecord(raw)) throw new Invalid('state is not an object');
    const lastErrorBase = attemptError(raw, 'last_error', now);
    const lastErrorTrigger = isRecord(raw.last_error) ? raw.last_error.trigger : undefined;
    if (lastErrorBase && lastErrorTrigger !== 'AUTO_12H' && lastErrorTrigger !== 'AUTO_24H') {
      throw new Invalid('last_error.trigger is not a trigger');
    }
    const lastBackoffUntil = instantOrNull(raw, 'last_backoff_until');
    if (
      lastBackoffUntil !== null &&
      lastBackoffUntil > now + SCHEDULER.maxClockDisagreementMs + SCHEDULER_BACKOFF.maxDelayMs
    ) {
      throw new Invalid('last_backoff_until lies beyond any backoff');
    }
    const triggers = {} as Record<AutoTrigger, TriggerProgress>;
    for (const t of AUTO_TRIGGERS) {
      const p = prefix(t);
      const hasOwnBackoff =
        `${p}_backoff_until` in raw || (typeof raw.schema_version === 'number' && raw.schema_version >= 2);
      const inherited = !hasOwnBackoff && lastErrorTrigger === t ? lastBackoffUntil : null;
      const lastError = attemptError(raw, `${p}_last_error`, now);
      const closes = t === 'AUTO_12H';
      triggers[t] = {
        ...emptyProgress(count(raw, `${p}_epoch`, SCHEDULER.maxEpoch)),
        attemptCount: count(raw, `${p}_attempt_count`),
        generatedAt: pastOrNull(raw, `${p}_generated_at`, now),
        backoffUntil: hasOwnBackoff
          ? checkedBackoff(instantOrNull(raw, `${p}_backoff_until`), lastError, false, `${p}_backoff_until`, closes)
          : checkedBackoff(inherited, lastErrorBase, true, 'last_backoff_until', closes),
        lastError,
        missedAt: pastOrNull(raw, `${p}_missed_at`, now),
      };
      checkConsistent(t, triggers[t], hasOwnBackoff);
    }
    if (lastErrorBase && lastErrorBase.attempt > triggers[lastErrorTrigger as AutoTrigger].attemptCount) {
      throw new Invalid(`last_error names a later attempt than ${String(lastErrorTrigger)} has counted`);
    }
    return {
      ok: true,
      value: {
        lastRunAt: pastOrNull(raw, 'last_run_at', now),
        lastError: lastErrorBase && { ...lastErrorBase, trigger: lastErrorTrigger as AutoTrigger },
        lastBackoffUntil,
        triggers,
      },
    };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, reason: e.message };
    throw e;
  }
}

export type InstallationTimestamp =
  { ok: true; installedAt: number } | { ok: false; reason: 'MISSING' | 'INVALID' | 'IN_FUTURE' };

/**
 * Phase-4 evidence is the only source of the installation time. A timestamp
 * ahead of our clock by more than the skew allowance is not believed: ages
 * computed from it would be negative, and a bad write should not be able to
 * postpone the reports indefinitely without anyone noticing.
 */
export function installationTimestampFrom(raw: unknown, now: number): InstallationTimestamp {
  if (raw === undefined) return { ok: false, reason: 'MISSING' };
  const installedAt = isRecord(raw) ? parseIsoInstant(raw.installation_timestamp) : null;
  if (installedAt === null) return { ok: false, reason: 'INVALID' };
  if (installedAt > now + SCHEDULER.clockSkewAllowanceMs) return { ok: false, reason: 'IN_FUTURE' };
  return { ok: true, installedAt };
}

/** A stored whole number within [min, max], or null. */
function bounded(v: unknown, min: number, max: number): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? v : null;
}

/**
 * Any stored value is a DONE marker (the guide allows "done" or a timestamp); the
 * rest is informative, and believed only within bounds: an attempt number beyond
 * SCHEDULER.maxAttempts, or a generation time ahead of every clock, is dropped.
 */
export function doneMarkerFrom(raw: unknown, now: number): DoneMarker | null {
  if (raw === undefined) return null;
  const past = (v: unknown) => {
    const ms = parseIsoInstant(v);
    return ms !== null && ms <= now + SCHEDULER.maxClockDisagreementMs ? ms : null;
  };
  if (isRecord(raw)) {
    return {
      generatedAt: past(raw.generated_at),
      attempt: bounded(raw.attempt, 1, SCHEDULER.maxAttempts),
      epoch: bounded(raw.epoch, 0, SCHEDULER.maxEpoch),
    };
  }
  return { generatedAt: past(raw), attempt: null, epoch: null };
}

/** The trigger's epoch from its EPOCH key: 0 when absent, `null` when the value cannot be one. */
export function epochFrom(raw: unknown): number | null {
  if (raw === undefined) return 0;
  return isRecord(raw) ? bounded(raw.epoch, 1, SCHEDULER.maxEpoch) : null;
}

export function serializeClaim(claim: Claim): StoredClaim {
  return {
    attempt: claim.attempt,
    claimed_at: toIso(claim.claimedAt),
    lease_expires_at: toIso(claim.leaseExpiresAt),
    invocation_id: claim.invocationId,
    kind: claim.kind,
    ...(claim.released ? { released_at: toIso(claim.released.at), outcome: claim.released.outcome } : {}),
  };
}

const OUTCOMES = ['generated', 'failed', 'reset'] as const;

export function parseClaim(raw: unknown): Claim | null {
  if (!isRecord(raw)) return null;
  const claimedAt = parseIsoInstant(raw.claimed_at);
  const leaseExpiresAt = parseIsoInstant(raw.lease_expires_at);
  const attempt = bounded(raw.attempt, 1, SCHEDULER.maxAttempts);
  if (claimedAt === null || leaseExpiresAt === null || attempt === null) return null;
  const releasedAt = parseIsoInstant(raw.released_at);
  const outcome = OUTCOMES.find((o) => o === raw.outcome);
  return {
    attempt,
    claimedAt,
    leaseExpiresAt,
    invocationId: typeof raw.invocation_id === 'string' ? raw.invocation_id : 'unknown',
    kind: raw.kind === 'reset' ? 'reset' : 'attempt',
    released: releasedAt !== null && outcome ? { at: releasedAt, outcome } : null,
  };
}

// ---------------------------------------------------------------------------
// Reads and writes.

export interface SchedulerSnapshot {
  evidence: unknown;
  state: unknown;
  done: Record<AutoTrigger, unknown>;
  epoch: Record<AutoTrigger, unknown>;
}

/**
 * Everything an invocation needs to decide, in ONE KVS request: the Phase-4
 * evidence, the state, both DONE keys and both epochs. An idle invocation makes
 * this request and nothing else. Throws StorageReadError when any of them cannot
 * be read.
 */
export async function loadSchedulerSnapshot(cloudId: string): Promise<SchedulerSnapshot> {
  const k = {
    evidence: keys.installationEvidence(cloudId),
    state: keys.schedulerState(cloudId),
    done12: keys.done(cloudId, 'AUTO_12H'),
    done24: keys.done(cloudId, 'AUTO_24H'),
    epoch12: keys.epoch(cloudId, 'AUTO_12H'),
    epoch24: keys.epoch(cloudId, 'AUTO_24H'),
  };
  const values = await store.readMany(Object.values(k));
  return {
    evidence: values.get(k.evidence),
    state: values.get(k.state),
    done: { AUTO_12H: values.get(k.done12), AUTO_24H: values.get(k.done24) },
    epoch: { AUTO_12H: values.get(k.epoch12), AUTO_24H: values.get(k.epoch24) },
  };
}

export function doneMarkersFrom(snapshot: SchedulerSnapshot, now: number): DoneMarkers {
  return {
    AUTO_12H: doneMarkerFrom(snapshot.done.AUTO_12H, now),
    AUTO_24H: doneMarkerFrom(snapshot.done.AUTO_24H, now),
  };
}

export async function saveSchedulerState(cloudId: string, state: SchedulerState): Promise<void> {
  await store.write(keys.schedulerState(cloudId), serializeState(state));
}

const claimTtl = { value: SCHEDULER.claimTtlDays, unit: 'DAYS' } as const;

/** Atomic create-if-absent of this attempt's claim, confirmed by reading it back. `false`: another holds it. */
export async function claimAttempt(
  cloudId: string,
  trigger: AutoTrigger,
  epoch: number,
  claim: Claim,
): Promise<boolean> {
  return store.createIfAbsent(keys.claim(cloudId, trigger, claim.attempt, epoch), serializeClaim(claim), claimTtl);
}

/**
 * The claim as stored: `'absent'` when KVS says there is none, `null` when it does
 * not parse.
 */
export async function readClaim(
  cloudId: string,
  trigger: AutoTrigger,
  epoch: number,
  attempt: number,
): Promise<Claim | null | 'absent'> {
  const raw = await store.read(keys.claim(cloudId, trigger, attempt, epoch));
  return raw === undefined ? 'absent' : parseClaim(raw);
}

/** Whether an attempt's claim exists, readable or not; throws StorageReadError when KVS cannot say. */
export async function claimExists(cloudId: string, trigger: AutoTrigger, epoch: number, attempt: number) {
  return (await store.read(keys.claim(cloudId, trigger, attempt, epoch))) !== undefined;
}

/**
 * The commit: report, DONE key, state and the holder's claim, released, in one
 * transaction. Either all are stored or none is, so a DONE key never exists without
 * its report, and a released claim is proof that the commit landed (a Reset never
 * deletes or rewrites a claim, so that proof cannot be undone).
 */
export async function commitReport(
  cloudId: string,
  trigger: AutoTrigger,
  epoch: number,
  report: Phase5Report,
  state: SchedulerState,
  claim: Claim,
): Promise<void> {
  const reportKey = keys.report(cloudId, trigger);
  const marker: StoredDoneMarker = {
    status: 'done',
    generated_at: report.generated_at,
    attempt: report.attempt,
    epoch,
    report_key: reportKey,
  };
  await store.commit({
    set: [
      { key: reportKey, value: report },
      { key: keys.done(cloudId, trigger), value: marker },
      { key: keys.schedulerState(cloudId), value: serializeState(state) },
      {
        key: keys.claim(cloudId, trigger, claim.attempt, epoch),
        value: serializeClaim(released(claim, state.lastRunAt ?? claim.claimedAt, 'generated')),
        ttl: claimTtl,
      },
    ],
  });
}

/** A failed attempt whose commit certainly did not land: its failure and its released claim, together. */
export async function recordFailedAttempt(
  cloudId: string,
  trigger: AutoTrigger,
  epoch: number,
  state: SchedulerState,
  claim: Claim,
  failedAt: number,
): Promise<void> {
  await store.commit({
    set: [
      { key: keys.schedulerState(cloudId), value: serializeState(state) },
      {
        key: keys.claim(cloudId, trigger, claim.attempt, epoch),
        value: serializeClaim(released(claim, failedAt, 'failed')),
        ttl: claimTtl,
      },
    ],
  });
}
