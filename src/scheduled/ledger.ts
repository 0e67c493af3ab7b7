import { StorageReadError, StorageWriteError } from '../errors';
import { AutoTrigger, CLAIM_ENTITY, keys, store } from '../storage';
import { answeredStatus } from '../storage/kvs_store';
import type { Commit, EntityRef, Equalities } from '../storage/kvs_store';
import { nextAttemptAt, SCHEDULER_BACKOFF } from './backoff';
import { SCHEDULER } from './config';
import {
  abandoned,
  AUTO_TRIGGERS,
  backoffActive,
  claimNext,
  committed,
  createdRecord,
  emptyProgress,
  DoneMarker,
  failed,
  FailureOutcome,
  leaseRunning,
  LedgerRecord,
  LedgerTrigger,
  manualClaimed,
  manualReleased,
  missed,
  reconciled,
  resetRecord,
  retriedRecord,
  SchedulerState,
  stateFromRecords,
  takenOver,
  Transition,
  TriggerProgress,
  uncommitted,
  windowOf,
} from './decisions';
import { doneMarkerFrom, parseRecord, serializeRecord, serializeState } from './scheduler_state';

/**
 * The ledger: the one owner of the claim protocol. Each report kind of an
 * installation (AUTO_12H, AUTO_24H, MANUAL) has one record in the Custom Entity
 * Store, and every change to it (take a claim, take over an abandoned one,
 * commit, record a failure, Reset, Retry, manual reports) is ONE transaction
 * whose write of the record is conditional, by equality, on the record exactly
 * as its writer read it: its version, status and holder. So of any number of
 * writers that read the same record, at most one can move it, and a holder can
 * commit only while the claim it took is still open and its own, whatever any
 * clock says. Leases say when others stop waiting for a holder (liveness); they
 * never decide who wins (SCHEDULER_HARDENING_DESIGN.md §4).
 *
 * The guide's keys keep their names and plain form and are written in the same
 * transactions: the DONE key and the report with the commit, and the scheduler
 * state, which mirrors both AUTO records (decisions.ts#stateFromRecords), with
 * every transition of either. A transition that writes the state also checks that
 * the other trigger's record is as read, so the one key an idle invocation reads is
 * never older than the ledger it mirrors.
 *
 * The scheduler (phase5_scheduler.ts) and the admin actions (src/admin/actions.ts)
 * both change records only through the functions here.
 */

export type Records = Record<AutoTrigger, LedgerRecord>;

export const recordRef = (cloudId: string, trigger: LedgerTrigger): EntityRef => ({
  entity: CLAIM_ENTITY,
  key: keys.claimRecord(cloudId, trigger),
});

export const otherTrigger = (t: AutoTrigger): AutoTrigger => (t === 'AUTO_12H' ? 'AUTO_24H' : 'AUTO_12H');

/** The condition every write of a record carries: the record is still exactly as its writer read it. */
export const asRead = (r: LedgerRecord): Equalities => ({ version: r.version, status: r.status, holder: r.holder });

// ---------------------------------------------------------------------------
// Reads.

/** An idle invocation's one read: the state, which mirrors the ledger and caches the installation time. */
export function readState(cloudId: string): Promise<unknown> {
  return store.read(keys.schedulerState(cloudId));
}

/** A record as stored: `null` when KVS says there is none, `'unreadable'` when it does not parse. */
export type ReadRecord = LedgerRecord | null | 'unreadable';

export function recordFrom(raw: unknown, trigger: LedgerTrigger): ReadRecord {
  if (raw === undefined) return null;
  return parseRecord(raw, trigger) ?? 'unreadable';
}

export interface Snapshot {
  evidence: unknown;
  /** The raw state, when asked for. */
  state?: unknown;
  /** DONE markers of the triggers asked for (null: KVS says absent). */
  done: Partial<Record<AutoTrigger, DoneMarker | null>>;
  records: Record<AutoTrigger, ReadRecord>;
  /** The 12 h report, when asked for: `{ value }`, value undefined when KVS says absent. */
  report12?: { value: unknown };
}

/**
 * What an invocation needs once something may be due, in ONE request (a batch
 * mixing plain keys and records): the Phase-4 evidence (authoritative, re-read
 * though the state caches it), the DONE keys asked for (authoritative whenever a
 * report is due), both AUTO records, and, for the 24 h report, the 12 h report it
 * compares with. Throws StorageReadError when any of them cannot be read.
 */
export async function readSnapshot(
  cloudId: string,
  want: { done: readonly AutoTrigger[]; report12?: boolean; state?: boolean },
  now: number,
): Promise<Snapshot> {
  const refs = [
    keys.installationEvidence(cloudId),
    ...(want.state ? [keys.schedulerState(cloudId)] : []),
    ...want.done.map((t) => keys.done(cloudId, t)),
    recordRef(cloudId, 'AUTO_12H'),
    recordRef(cloudId, 'AUTO_24H'),
    ...(want.report12 ? [keys.report(cloudId, 'AUTO_12H')] : []),
  ];
  const values = await store.readMany(refs);
  const get = (ref: string | EntityRef) => values.get(store.refId(ref));
  const done: Snapshot['done'] = {};
  for (const t of want.done) done[t] = doneMarkerFrom(get(keys.done(cloudId, t)), now);
  return {
    evidence: get(keys.installationEvidence(cloudId)),
    ...(want.state ? { state: get(keys.schedulerState(cloudId)) } : {}),
    done,
    records: {
      AUTO_12H: recordFrom(get(recordRef(cloudId, 'AUTO_12H')), 'AUTO_12H'),
      AUTO_24H: recordFrom(get(recordRef(cloudId, 'AUTO_24H')), 'AUTO_24H'),
    },
    ...(want.report12 ? { report12: { value: get(keys.report(cloudId, 'AUTO_12H')) } } : {}),
  };
}

/** A record exactly as stored, parsed or not (strongly consistent). */
export function readRaw(cloudId: string, trigger: LedgerTrigger): Promise<unknown> {
  return store.read(recordRef(cloudId, trigger));
}

/**
 * Records read on their own, one `entity().get` each, in parallel: `get` is the read
 * Forge documents as strongly consistent (a batch's consistency is not documented,
 * docs/assumption_register.md A2), and what is read here decides whether a
 * transition landed.
 */
export async function readRecords(cloudId: string, triggers: readonly LedgerTrigger[]) {
  const values = await Promise.all(triggers.map((t) => store.read(recordRef(cloudId, t))));
  const out: Partial<Record<LedgerTrigger, ReadRecord>> = {};
  triggers.forEach((t, i) => (out[t] = recordFrom(values[i], t)));
  return out;
}

// ---------------------------------------------------------------------------
// The one way a record moves.

export interface Move {
  trigger: LedgerTrigger;
  /** The record as its writer read it: the condition. */
  from: LedgerRecord;
  /** The record as the transition leaves it (version one on, the writer its holder). */
  to: LedgerRecord;
  /** For an AUTO record: the other one as read, checked unchanged, and the state mirroring both. */
  other?: LedgerRecord;
  state?: SchedulerState;
  /** Plain keys written and deleted in the same transaction (report, DONE key, audit entry...). */
  set?: Commit['set'];
  delete?: readonly string[];
}

export type Applied =
  | { kind: 'landed' }
  /** The record is still as read: nothing landed. `other` is the other AUTO record as it is now. */
  | { kind: 'not-landed'; other?: ReadRecord; cause: StorageWriteError }
  /** Someone else moved the record first: this transition can never land. */
  | { kind: 'lost'; record: ReadRecord; cause: StorageWriteError };

function transactionOf(cloudId: string, m: Move): Commit {
  const ref = recordRef(cloudId, m.trigger);
  const set: Array<Commit['set'][number]> = [
    { entity: ref.entity, key: ref.key, value: serializeRecord(cloudId, m.to), when: asRead(m.from) },
  ];
  if (m.state) set.push({ key: keys.schedulerState(cloudId), value: serializeState(m.state) });
  set.push(...(m.set ?? []));
  const check = m.other ? [{ ...recordRef(cloudId, m.other.trigger), when: asRead(m.other) }] : [];
  return { set, delete: m.delete, check };
}

/**
 * The read that settles an unknown outcome, tried again when it fails: giving up would
 * leave a claim or a commit that nobody knows landed (a claim then holds the trigger for
 * its lease, and its attempt counts as failed). A failed read is never taken for an
 * answer; after the last try it throws as `readRecords` does.
 */
const READ_BACK_TRIES = 3;
async function readBackRecords(cloudId: string, trigger: LedgerTrigger): ReturnType<typeof readRecords> {
  for (let tries = 1; ; tries++) {
    try {
      return await readRecords(cloudId, [trigger]);
    } catch (err) {
      if (tries >= READ_BACK_TRIES || !(err instanceof StorageReadError)) throw err;
    }
  }
}

/**
 * Apply one transition. A transaction that is not answered 2xx has an unknown
 * outcome (a 5xx may follow a write that landed; how a refused condition is
 * answered is undocumented), so the record is read back, strongly consistent, and
 * the answer comes from it: moved to exactly `to` (same version and this writer:
 * landed), still as read (not landed), or moved by someone else (lost). Throws
 * StorageReadError when even the read back fails: then nobody can say.
 */
export async function apply(cloudId: string, m: Move): Promise<Applied> {
  try {
    await store.commit(transactionOf(cloudId, m));
    return { kind: 'landed' };
  } catch (err) {
    if (!(err instanceof StorageWriteError)) throw err;
    const back = await readBackRecords(cloudId, m.trigger);
    const now = back[m.trigger] ?? null;
    const live = now !== null && now !== 'unreadable' ? now : null;
    if (live && live.version === m.to.version && live.holder === m.to.holder) return { kind: 'landed' };
    if (live && live.version === m.from.version && live.holder === m.from.holder && live.status === m.from.status) {
      // Our record is as read, so a refusal was the other record's check: read it as it is
      // now. A request KVS failed (5xx, 429, no answer) refused nothing; the other record is
      // taken as read, and if that is wrong the next send is refused and this reads it.
      const status = answeredStatus(err);
      const refused = status !== undefined && status >= 400 && status < 500 && status !== 429;
      const other = m.other && refused ? (await readRecords(cloudId, [m.other.trigger]))[m.other.trigger] : m.other;
      return { kind: 'not-landed', other, cause: err };
    }
    return { kind: 'lost', record: now, cause: err };
  }
}

/**
 * A record that does not parse is not written over on a guess. It is rebuilt from
 * what can be trusted (the DONE key says whether the report is stored; of the rest of
 * its progress only an attempt count that reads as one is kept, so claims number on) by a transaction conditional, by equality, on the
 * attributes the app's transitions condition on, as they stand: so it lands only if
 * nobody moved the record since it was read. A holder whose claim was in it can no
 * longer commit (its own condition fails). Without any of those attributes there is
 * nothing to condition on, and the record is left for an administrator's Reset
 * (which fails the same way) and the page's alert: `false`.
 */
export async function repairRecord(
  cloudId: string,
  trigger: AutoTrigger,
  raw: unknown,
  marker: DoneMarker | null,
  by: string,
  now: number,
  /** The stored state's copy of this trigger's progress, if the state parses. */
  { mirror, installedAt }: { mirror?: TriggerProgress; installedAt: number },
): Promise<boolean> {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const when: Record<string, string | number> = {};
  if (typeof r.version === 'number' && Number.isSafeInteger(r.version)) when.version = r.version;
  if (typeof r.status === 'string' && r.status.trim()) when.status = r.status;
  if (typeof r.holder === 'string' && r.holder.trim()) when.holder = r.holder;
  if (Object.keys(when).length === 0) return false;
  const epoch = typeof r.epoch === 'number' && Number.isSafeInteger(r.epoch) && r.epoch >= 0 ? r.epoch : 0;
  const version = typeof when.version === 'number' && when.version >= 0 ? when.version + 1 : 1;
  const progress = {
    ...emptyProgress(Math.min(epoch, SCHEDULER.maxEpoch)),
    generatedAt: marker ? (marker.generatedAt ?? now) : null,
  };
  // The attempt count, when it reads as one, carries on so claims stay numbered on by one;
  // it decides only the backoff ladder, never who may commit.
  const attempt =
    typeof r.attempt === 'number' && Number.isSafeInteger(r.attempt) && r.attempt >= 0
      ? r.attempt
      : (mirror?.attemptCount ?? 0);
  const attemptCount = Math.min(Math.max(attempt, marker ? 1 : 0), SCHEDULER.maxAttempts);
  // Its last failure and backoff: the state's copy when that copy is of this attempt's
  // failure; otherwise the attempt counts as failed from when it is found, so it is
  // retried after its backoff, not at once. (Only when to try; never who may commit.)
  const mirrored =
    mirror &&
    mirror.attemptCount === attemptCount &&
    mirror.lastError?.attempt === attemptCount &&
    mirror.backoffUntil !== null
      ? { lastError: mirror.lastError, backoffUntil: mirror.backoffUntil }
      : null;
  const lastError =
    marker || attemptCount === 0
      ? null
      : (mirrored?.lastError ?? {
          at: now,
          attempt: attemptCount,
          message: `Attempt #${attemptCount}'s ledger record was unreadable`,
        });
  const backoffUntil = lastError
    ? (mirrored?.backoffUntil ?? nextAttemptAt(SCHEDULER_BACKOFF, now, attemptCount, windowOf(trigger, installedAt)))
    : null;
  const record: LedgerRecord = {
    ...createdRecord(
      trigger,
      by,
      now,
      { ...progress, attemptCount, lastError, backoffUntil },
      marker ? 'done' : 'idle',
    ),
    version,
  };
  const ref = recordRef(cloudId, trigger);
  try {
    await store.commit({
      set: [
        { ...ref, value: serializeRecord(cloudId, { ...record, progress: { ...record.progress, version } }), when },
      ],
    });
    return true;
  } catch (err) {
    if (err instanceof StorageWriteError) return false;
    throw err;
  }
}

/** The state write alone, when the state no longer mirrors the records (lost, garbled, an earlier version's). */
export async function rebuildState(
  cloudId: string,
  records: Records,
  installedAt: number,
  now: number,
): Promise<SchedulerState> {
  const state = stateFromRecords(records, installedAt, now);
  await store.commit({
    set: [{ key: keys.schedulerState(cloudId), value: serializeState(state) }],
    check: AUTO_TRIGGERS.map((t) => ({ ...recordRef(cloudId, t), when: asRead(records[t]) })),
  });
  return state;
}

// ---------------------------------------------------------------------------
// The scheduler's transitions.

export interface AutoContext {
  cloudId: string;
  trigger: AutoTrigger;
  records: Records;
  installedAt: number;
  /** The stored state's last run, carried over for display. */
  lastRunAt: number | null;
  /** This invocation: every record it moves names it. */
  by: string;
  now: number;
}

const stateOf = (c: AutoContext, records: Records = c.records): SchedulerState =>
  stateFromRecords(records, c.installedAt, c.lastRunAt);

function move(c: AutoContext, t: Transition, extra: Pick<Move, 'set' | 'delete'> = {}): Move {
  const other = c.records[otherTrigger(c.trigger)];
  return { trigger: c.trigger, from: c.records[c.trigger], to: t.record, other, state: t.state, ...extra };
}

/** The same context with the other trigger's record as it is now (after a refusal that may have been its check). */
function withOther(c: AutoContext, other: ReadRecord | undefined): AutoContext | null {
  if (!other || other === 'unreadable') return null;
  return { ...c, records: { ...c.records, [otherTrigger(c.trigger)]: other } };
}

export type ClaimOutcome =
  | {
      kind: 'claimed';
      record: LedgerRecord;
      records: Records;
      abandonedAttempt?: FailureOutcome & Transition & { counted: boolean };
    }
  /** Another invocation's lease is running. */
  | { kind: 'held'; record: LedgerRecord }
  /** Backing off: as the record said, or after recording an abandoned attempt (`abandonedAttempt`). */
  | {
      kind: 'backoff';
      until: number;
      abandonedAttempt?: FailureOutcome & Transition & { counted: boolean };
      records?: Records;
    }
  | { kind: 'done' }
  /**
   * The claim transaction was refused and its record could not be read back: whether it
   * landed is unknown. Its holder generates anyway (its commit is conditional on this very
   * claim, so it lands only if the claim did), because a claim that landed says generation
   * started, and one whose holder then did nothing would count as a failed attempt.
   */
  | { kind: 'unsure'; record: LedgerRecord; records: Records; cause: StorageReadError }
  /** Someone else moved the record between our read and our claim. */
  | { kind: 'lost' }
  /** Storage refused every try, each known not to have landed. */
  | { kind: 'refused'; cause: StorageWriteError };

/**
 * Step 7a: take the claim of the trigger's next attempt, which says generation starts
 * now. From an idle record whose backoff is over, the claim; from a record whose
 * holder's lease has run out by this invocation's clock, that attempt recorded as
 * failed (released uncounted if an earlier version's holder never started) and, if its
 * backoff has passed too, the next one claimed in the same transaction. A refusal
 * known not to have landed is sent again, up to SCHEDULER.transitionTries in all.
 */
export async function claim(c: AutoContext, leaseMs: number = SCHEDULER.claimLeaseMs): Promise<ClaimOutcome> {
  let ctx = c;
  for (let tries = 1; ; tries++) {
    const r = ctx.records[ctx.trigger];
    if (r.status === 'done') return { kind: 'done' };
    if (leaseRunning(r, ctx.now)) return { kind: 'held', record: r };
    const state = stateOf(ctx);
    let t: Transition;
    let gave: (FailureOutcome & Transition & { counted: boolean }) | undefined;
    if (r.status === 'held') {
      gave = abandoned(state, r, ctx.by, ctx.now, ctx.installedAt);
      t = backoffActive(gave.state.triggers[ctx.trigger], ctx.now)
        ? gave
        : takenOver(state, r, ctx.by, ctx.now, leaseMs, ctx.installedAt);
    } else {
      if (backoffActive(r.progress, ctx.now)) return { kind: 'backoff', until: r.progress.backoffUntil! };
      t = claimNext(state, r, ctx.by, ctx.now, leaseMs);
    }
    let applied: Applied;
    try {
      applied = await apply(ctx.cloudId, move(ctx, t));
    } catch (err) {
      if (!(err instanceof StorageReadError) || t.record.status !== 'held') throw err;
      const records = { ...ctx.records, [ctx.trigger]: t.record };
      return { kind: 'unsure', record: t.record, records, cause: err };
    }
    if (applied.kind === 'lost') return { kind: 'lost' };
    if (applied.kind === 'landed') {
      const records = { ...ctx.records, [ctx.trigger]: t.record };
      if (t.record.status === 'held') return { kind: 'claimed', record: t.record, records, abandonedAttempt: gave };
      return { kind: 'backoff', until: gave!.nextEligibleAt, abandonedAttempt: gave, records };
    }
    const next = withOther(ctx, applied.other);
    if (!next || tries >= SCHEDULER.transitionTries) return { kind: 'refused', cause: applied.cause };
    ctx = next;
  }
}

export type CommitOutcome =
  | { kind: 'committed'; records: Records }
  /** Someone took the claim over, or reset the trigger: this report can never be stored. */
  | { kind: 'lost' }
  /** Storage refused every try; the claim is still ours and open. */
  | { kind: 'refused'; cause: StorageWriteError };

/**
 * Step 8: the report, its DONE key and the state, with the holder's claim moved to
 * done, in one transaction conditional on that claim being still open and ours. A
 * refusal is read back (`apply`): it either landed after all, or the claim is still
 * ours and the commit is sent again, within a budget of requests, or someone else has
 * moved the claim and the report is dropped: it can never land any more.
 */
export async function commit(
  c: AutoContext,
  plain: { set: Commit['set']; generatedAt: number },
  budget: number = SCHEDULER.commitRequestBudget,
): Promise<CommitOutcome> {
  let ctx = c;
  let cause: StorageWriteError | undefined;
  for (let spent = 0; spent < budget; spent += 2) {
    const t = committed(stateOf(ctx), ctx.records[ctx.trigger], ctx.now, plain.generatedAt);
    const applied = await apply(ctx.cloudId, move(ctx, t, { set: plain.set }));
    if (applied.kind === 'landed') return { kind: 'committed', records: { ...ctx.records, [ctx.trigger]: t.record } };
    if (applied.kind === 'lost') return { kind: 'lost' };
    cause = applied.cause;
    ctx = withOther(ctx, applied.other) ?? ctx;
  }
  return { kind: 'refused', cause: cause! };
}

/**
 * A transition of the holder's own claim (a failure recorded, a claim released), made
 * again from the record as it then stands and resent while each refusal is known not to
 * have landed, up to SCHEDULER.transitionTries sends. `landed: false` when it did not
 * land (storage refused every send, or the claim was moved on): then the claim runs out
 * its lease and the next invocation records the attempt.
 */
async function ownTransition<T extends Transition>(
  c: AutoContext,
  make: (ctx: AutoContext) => T,
): Promise<{ t: T; landed: boolean }> {
  let ctx = c;
  let t = make(ctx);
  for (let tries = 0; tries < SCHEDULER.transitionTries; tries++) {
    if (tries > 0) t = make(ctx);
    const applied = await apply(ctx.cloudId, move(ctx, t));
    if (applied.kind === 'landed') return { t, landed: true };
    if (applied.kind === 'lost') break;
    ctx = withOther(ctx, applied.other) ?? ctx;
  }
  return { t, landed: false };
}

/**
 * Step 9 on failure: the attempt is recorded failed, and its claim released, in one
 * transaction conditional on the claim being still ours. `recorded: false` when it
 * did not land.
 */
export async function fail(
  c: AutoContext,
  message: string,
): Promise<FailureOutcome & Transition & { recorded: boolean }> {
  const { t, landed } = await ownTransition(c, (x) =>
    failed(stateOf(x), x.records[x.trigger], x.now, message, x.installedAt),
  );
  return { ...t, recorded: landed };
}

/**
 * Step 9 when storage, not generation, failed: the commit was refused for its whole budget
 * with the claim still ours. The claim is released uncounted (decisions.ts#uncommitted), in
 * one transaction conditional on it. `false` when it did not land: then the claim runs out
 * its lease and the next invocation records the attempt as failed (the record cannot say it
 * was storage).
 */
export async function release(c: AutoContext): Promise<boolean> {
  return (await ownTransition(c, (x) => uncommitted(stateOf(x), x.records[x.trigger], x.now))).landed;
}

/** The 12 h window closed without a report: recorded in the record and the state. */
export async function recordMissed(c: AutoContext): Promise<Applied & { records: Records }> {
  const t = missed(stateOf(c), c.records[c.trigger], c.by, c.now);
  const applied = await apply(c.cloudId, move(c, t));
  return { ...applied, records: applied.kind === 'landed' ? { ...c.records, [c.trigger]: t.record } : c.records };
}

/** A DONE key the record did not know of: the record and the state follow it. */
export async function reconcileDone(c: AutoContext, marker: DoneMarker): Promise<Applied & { records: Records }> {
  const t = reconciled(stateOf(c), c.records[c.trigger], c.by, marker, c.now);
  const applied = await apply(c.cloudId, move(c, t));
  return { ...applied, records: applied.kind === 'landed' ? { ...c.records, [c.trigger]: t.record } : c.records };
}

// ---------------------------------------------------------------------------
// The administrator's transitions.

/**
 * Reset: the record moves to the next epoch, idle, from nothing; in the same
 * transaction the DONE key and the report go and the report is set aside (the
 * caller's plain sets and deletes), and the state restarts the trigger. Conditional
 * on the record as the administrator's page read it, so a generation that claimed or
 * committed in between refuses the Reset, and one still holding an old claim can no
 * longer commit after it.
 */
export function reset(c: AutoContext, plain: Pick<Move, 'set' | 'delete'>): Promise<Applied> {
  return apply(c.cloudId, move(c, resetRecord(stateOf(c), c.records[c.trigger], c.by, c.now), plain));
}

/** Retry: the backoff ends now; record and state together, conditional as ever. */
export function retry(c: AutoContext, plain: Pick<Move, 'set'>): Promise<Applied> {
  return apply(c.cloudId, move(c, retriedRecord(stateOf(c), c.records[c.trigger], c.by, c.now), plain));
}

export type ManualClaim =
  | { kind: 'claimed'; record: LedgerRecord }
  | { kind: 'busy'; since: number }
  | { kind: 'lost' }
  | { kind: 'refused'; cause: StorageWriteError };

/**
 * A manual report's number: the MANUAL record's next one, taken conditionally like
 * every claim, so numbers never repeat and two manual generations never run at
 * once. A generation whose lease has run out (its resolver was stopped) is passed
 * over; its number stays used.
 */
export async function claimManual(
  cloudId: string,
  r: LedgerRecord,
  by: string,
  now: number,
  leaseMs: number,
  given = 0,
): Promise<ManualClaim> {
  if (leaseRunning(r, now, leaseMs)) return { kind: 'busy', since: r.claim!.claimedAt };
  const to = manualClaimed(r, by, now, leaseMs, given);
  const applied = await apply(cloudId, { trigger: 'MANUAL', from: r, to });
  if (applied.kind === 'landed') return { kind: 'claimed', record: to };
  return applied.kind === 'lost' ? { kind: 'lost' } : { kind: 'refused', cause: applied.cause };
}

/** The manual generation's end: its report, entry and pruning (or nothing), and the claim released, together. */
export function finishManual(
  cloudId: string,
  held: LedgerRecord,
  now: number,
  outcome: 'generated' | 'failed',
  plain: Pick<Move, 'set' | 'delete'>,
): Promise<Applied> {
  return apply(cloudId, { trigger: 'MANUAL', from: held, to: manualReleased(held, now, outcome), ...plain });
}
