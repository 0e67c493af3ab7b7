import type { AutoTrigger } from '../storage';
import { parseIsoInstant, toIso, toIsoOrNull } from '../time';
import { SCHEDULER_BACKOFF } from './backoff';
import { SCHEDULER } from './config';
import {
  AttemptError,
  AUTO_TRIGGERS,
  DoneMarker,
  emptyProgress,
  LedgerOutcome,
  LedgerRecord,
  LedgerStatus,
  LedgerTrigger,
  SchedulerState,
  TriggerProgress,
} from './decisions';

/**
 * Codecs, and nothing else: the scheduler's records as stored, and the typed forms
 * the decision core (decisions.ts) works on. Field names are the integration
 * guide's (snake_case, ISO-8601 instants). Every parser treats stored data as
 * untrusted: a record that does not parse is reported as such, never guessed at.
 * Reads and writes belong to the ledger (ledger.ts, ledger_upgrade.ts).
 */

/**
 * 3: a mirror of the ledger records, with the installation time cached and each
 * trigger's record version and status. 2: fields at their empty value are left
 * out. 1 stored every field. States without per-trigger fields at all are the
 * guide's original shape. States before 3 are read only to upgrade an installation.
 */
export const STATE_SCHEMA_VERSION = 3;

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
  /** Cached from the Phase-4 evidence, so that an idle invocation reads this key alone. */
  installation_timestamp?: string;
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
  // The ledger record each trigger's fields mirror: its version, and whether it is held or done.
  auto_12h_ledger_version?: number;
  auto_24h_ledger_version?: number;
  auto_12h_status?: 'held' | 'done';
  auto_24h_status?: 'held' | 'done';
}

/** Every field of the stored state at its empty value: what an omitted field means. */
export const EMPTY_STORED_STATE_FIELDS = {
  installation_timestamp: null,
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
  auto_12h_ledger_version: 0,
  auto_24h_ledger_version: 0,
  auto_12h_status: null,
  auto_24h_status: null,
} as const;

export interface StoredDoneMarker {
  status: 'done';
  generated_at: string;
  attempt: number;
  epoch: number;
  report_key: string;
}

/** A claim as the version before the ledger stored it: a plain key per attempt, with a lease. */
export interface StoredLegacyClaim {
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
 * `phase5:scheduler:{cloudId}:{TRIGGER}:EPOCH` as the version before the ledger wrote it; absent meant
 * epoch 0. The upgrade replaces it with a StoredRetiredEpoch. Who reset is never here: the reset's audit
 * entry says so, the one copy of that account id the personal-data report (src/privacy) handles.
 */
export interface StoredEpoch {
  schema_version: number;
  epoch: number;
  reset_at: string;
}

/**
 * What the upgrade leaves in a trigger's EPOCH key: no `epoch` an earlier version
 * could read, so that version, still running while a deploy rolls out, refuses to
 * claim or reset the trigger (it fails closed on an epoch it cannot read).
 */
export interface StoredRetiredEpoch {
  schema_version: 2;
  retired_at: string;
  /** The epoch it held, when it held one. */
  epoch_before_ledger?: number;
}

/**
 * A ledger record as stored (entity `claim`, manifest.yml). Strings in the Custom
 * Entity Store may not be empty, so an attribute with no value is left out.
 */
export interface StoredRecord {
  schema_version: number;
  cloud_id: string;
  trigger: LedgerTrigger;
  version: number;
  epoch: number;
  attempt: number;
  status: LedgerStatus;
  holder: string;
  claimed_at?: string;
  lease_expires_at?: string;
  generation_started_at?: string;
  released_at?: string;
  outcome?: LedgerOutcome;
  generated_at?: string;
  failed_at?: string;
  failed_attempt?: number;
  failure?: string;
  backoff_until?: string;
  missed_at?: string;
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
    installation_timestamp: toIsoOrNull(state.installedAt),
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
    out[`${prefix(t)}_ledger_version`] = p.version;
    out[`${prefix(t)}_status`] = p.status === 'idle' ? null : p.status;
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
      const status = raw[`${p}_status`] ?? 'idle';
      if (status !== 'idle' && status !== 'held' && status !== 'done') throw new Invalid(`${p}_status is not a status`);
      triggers[t] = {
        ...emptyProgress(count(raw, `${p}_epoch`, SCHEDULER.maxEpoch)),
        version: count(raw, `${p}_ledger_version`, MAX_RECORD_VERSION),
        status,
        attemptCount: count(raw, `${p}_attempt_count`),
        generatedAt: pastOrNull(raw, `${p}_generated_at`, now),
        backoffUntil: hasOwnBackoff
          ? checkedBackoff(instantOrNull(raw, `${p}_backoff_until`), lastError, false, `${p}_backoff_until`, closes)
          : checkedBackoff(inherited, lastErrorBase, true, 'last_backoff_until', closes),
        lastError,
        missedAt: pastOrNull(raw, `${p}_missed_at`, now),
      };
      checkConsistent(t, triggers[t], hasOwnBackoff);
      if (mirrorsLedger(raw)) checkMirror(triggers[t], p);
    }
    if (lastErrorBase && lastErrorBase.attempt > triggers[lastErrorTrigger as AutoTrigger].attemptCount) {
      throw new Invalid(`last_error names a later attempt than ${String(lastErrorTrigger)} has counted`);
    }
    const installedAt = instantOrNull(raw, 'installation_timestamp');
    if (installedAt !== null && installedAt > now + SCHEDULER.clockSkewAllowanceMs) {
      throw new Invalid('installation_timestamp lies in the future');
    }
    return {
      ok: true,
      value: {
        lastRunAt: pastOrNull(raw, 'last_run_at', now),
        installedAt,
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

/** Ledger versions are 32-bit integers in the Custom Entity Store. */
const MAX_RECORD_VERSION = 2_147_483_647;

/** Whether a stored state mirrors ledger records (schema 3 on), rather than being an earlier version's. */
export function mirrorsLedger(raw: unknown): boolean {
  return isRecord(raw) && typeof raw.schema_version === 'number' && raw.schema_version >= 3;
}

/**
 * A mirror of a ledger record agrees with itself the way every transition leaves it:
 * a report is generated exactly when the record is done, a claim held or a report
 * generated means an attempt was made, and a done trigger carries no failure.
 */
function checkMirror(p: TriggerProgress, field: string): void {
  if ((p.status === 'done') !== (p.generatedAt !== null)) {
    throw new Invalid(`${field}_generated_at and ${field}_status disagree`);
  }
  if (p.status !== 'idle' && p.attemptCount === 0)
    throw new Invalid(`${field}_status says an attempt with none counted`);
  if (p.status === 'done' && (p.lastError !== null || p.backoffUntil !== null)) {
    throw new Invalid(`${field} is done yet records a failure`);
  }
  if (p.version === 0 && (p.status !== 'idle' || p.attemptCount > 0)) {
    throw new Invalid(`${field} records progress without a ledger record`);
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

// ---------------------------------------------------------------------------
// Ledger records.

/** The stored form of a record: every attribute its manifest declaration allows, empty ones left out. */
export function serializeRecord(cloudId: string, r: LedgerRecord): StoredRecord {
  const p = r.progress;
  const out: StoredRecord = {
    schema_version: 1,
    cloud_id: cloudId,
    trigger: r.trigger,
    version: r.version,
    epoch: p.epoch,
    attempt: p.attemptCount,
    status: r.status,
    holder: r.holder,
  };
  const put = <K extends keyof StoredRecord>(field: K, value: StoredRecord[K] | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') out[field] = value;
  };
  put('claimed_at', r.claim && toIso(r.claim.claimedAt));
  put('lease_expires_at', r.claim && toIso(r.claim.leaseExpiresAt));
  put('generation_started_at', r.claim && toIsoOrNull(r.claim.generationStartedAt));
  put('released_at', r.released && toIso(r.released.at));
  put('outcome', r.released?.outcome);
  put('generated_at', toIsoOrNull(p.generatedAt));
  put('failed_at', p.lastError && toIso(p.lastError.at));
  put('failed_attempt', p.lastError?.attempt);
  put('failure', p.lastError?.message.trim() ? p.lastError.message.slice(0, 500) : p.lastError && 'failed');
  put('backoff_until', toIsoOrNull(p.backoffUntil));
  put('missed_at', toIsoOrNull(p.missedAt));
  return out;
}

const STATUSES: readonly LedgerStatus[] = ['idle', 'held', 'done'];
const LEDGER_OUTCOMES: readonly LedgerOutcome[] = [
  'created',
  'generated',
  'failed',
  'abandoned',
  'unstarted',
  'uncommitted',
  'reset',
  'retried',
  'missed',
  'reconciled',
];

/**
 * A stored record in typed form, or null when it cannot be one (wrong trigger, a
 * status or number out of range, a claim without its lease). A record that does not
 * parse is never written over on a guess: no condition can be written for it, so it
 * stays as it is until an administrator resets it.
 */
export function parseRecord(raw: unknown, trigger: LedgerTrigger): LedgerRecord | null {
  if (!isRecord(raw) || raw.trigger !== trigger) return null;
  const version = bounded(raw.version, 1, MAX_RECORD_VERSION);
  const epoch = bounded(raw.epoch, 0, SCHEDULER.maxEpoch);
  const attempt = bounded(raw.attempt, 0, MAX_RECORD_VERSION);
  const status = STATUSES.find((x) => x === raw.status);
  if (version === null || epoch === null || attempt === null || !status || typeof raw.holder !== 'string') return null;
  const claimedAt = parseIsoInstant(raw.claimed_at);
  const leaseExpiresAt = parseIsoInstant(raw.lease_expires_at);
  if (status === 'held' && (claimedAt === null || leaseExpiresAt === null)) return null;
  // What no transition writes cannot be true: a claim or a report without an attempt, a report without
  // its time, a generation time on a trigger not done.
  if (status !== 'idle' && attempt === 0) return null;
  if (trigger !== 'MANUAL' && (status === 'done') !== (parseIsoInstant(raw.generated_at) !== null)) return null;
  const releasedAt = parseIsoInstant(raw.released_at);
  const outcome = LEDGER_OUTCOMES.find((o) => o === raw.outcome);
  const failedAt = parseIsoInstant(raw.failed_at);
  const failedAttempt = bounded(raw.failed_attempt, 1, MAX_RECORD_VERSION);
  // A claim is always of an attempt after the last one recorded failed.
  if (
    trigger !== 'MANUAL' &&
    status === 'held' &&
    failedAt !== null &&
    failedAttempt !== null &&
    failedAttempt >= attempt
  ) {
    return null;
  }
  return {
    trigger,
    version,
    holder: raw.holder,
    status,
    claim:
      claimedAt !== null && leaseExpiresAt !== null
        ? { claimedAt, leaseExpiresAt, generationStartedAt: parseIsoInstant(raw.generation_started_at) }
        : null,
    released: releasedAt !== null && outcome ? { at: releasedAt, outcome } : null,
    progress: {
      ...emptyProgress(epoch),
      version,
      status,
      attemptCount: attempt,
      generatedAt: parseIsoInstant(raw.generated_at),
      lastError:
        failedAt !== null && failedAttempt !== null
          ? { at: failedAt, attempt: failedAttempt, message: typeof raw.failure === 'string' ? raw.failure : '' }
          : null,
      backoffUntil: parseIsoInstant(raw.backoff_until),
      missedAt: parseIsoInstant(raw.missed_at),
    },
  };
}

// ---------------------------------------------------------------------------
// Before the ledger: claims as plain keys, and epochs. Read only to upgrade.

export interface LegacyClaim {
  attempt: number;
  claimedAt: number;
  leaseExpiresAt: number;
  invocationId: string;
  kind: 'attempt' | 'reset';
  released: { at: number; outcome: 'generated' | 'failed' | 'reset' } | null;
}

const LEGACY_OUTCOMES = ['generated', 'failed', 'reset'] as const;

export function parseLegacyClaim(raw: unknown): LegacyClaim | null {
  if (!isRecord(raw)) return null;
  const claimedAt = parseIsoInstant(raw.claimed_at);
  const leaseExpiresAt = parseIsoInstant(raw.lease_expires_at);
  const attempt = bounded(raw.attempt, 1, SCHEDULER.maxAttempts);
  if (claimedAt === null || leaseExpiresAt === null || attempt === null) return null;
  const releasedAt = parseIsoInstant(raw.released_at);
  const outcome = LEGACY_OUTCOMES.find((o) => o === raw.outcome);
  return {
    attempt,
    claimedAt,
    leaseExpiresAt,
    invocationId: typeof raw.invocation_id === 'string' ? raw.invocation_id : 'unknown',
    kind: raw.kind === 'reset' ? 'reset' : 'attempt',
    released: releasedAt !== null && outcome ? { at: releasedAt, outcome } : null,
  };
}

/**
 * The fence the upgrade leaves at the next free number of a trigger's old claims: a
 * Reset's fence, already released, which the earlier version meets and stops at
 * (it neither claims past it nor resets through it).
 */
export function legacyFence(attempt: number, at: number, invocationId: string): StoredLegacyClaim {
  return {
    attempt,
    claimed_at: toIso(at),
    lease_expires_at: toIso(at + 60_000),
    invocation_id: invocationId,
    kind: 'reset',
    released_at: toIso(at),
    outcome: 'reset',
  };
}

/** A trigger's EPOCH key before the ledger: its epoch (0 when absent), 'retired' after the upgrade, null when garbled. */
export function legacyEpochFrom(raw: unknown): number | 'retired' | null {
  if (raw === undefined) return 0;
  if (isRecord(raw) && raw.schema_version === 2 && typeof raw.retired_at === 'string') return 'retired';
  return isRecord(raw) ? bounded(raw.epoch, 1, SCHEDULER.maxEpoch) : null;
}
