import { randomUUID } from 'node:crypto';
import { StorageReadError, StorageWriteError } from '../errors';
import { answeredStatus } from '../storage/kvs_store';
import { AutoTrigger, keys, store } from '../storage';
import { toIso } from '../time';
import { SCHEDULER } from './config';
import {
  AUTO_TRIGGERS,
  createdRecord,
  DoneMarker,
  emptyProgress,
  emptyState,
  inEpochs,
  LedgerRecord,
  recordDoneFromMarker,
  TriggerProgress,
} from './decisions';
import { readRecords, rebuildState, recordRef, Records } from './ledger';
import {
  doneMarkerFrom,
  isRecord,
  legacyEpochFrom,
  legacyFence,
  LegacyClaim,
  parseLegacyClaim,
  parseState,
  serializeRecord,
  StoredRetiredEpoch,
} from './scheduler_state';

/**
 * Creating an installation's AUTO records, once: for a new installation, and for
 * one whose records are still in the shapes the version before the ledger wrote
 * (claims as plain keys with leases, EPOCH keys). Records are created by the one
 * create-if-absent the Custom Entity Store documents, `entity().set` with
 * `FAIL_IF_EXISTS`, outside any transaction (transaction sets take no keyPolicy),
 * and they are created idle: a record grants nobody anything until a conditional
 * transition claims it, so two creators racing, or a create answered 2xx that did
 * not land, can only make a later condition fail.
 *
 * While a deploy rolls out, invocations of the earlier version may still run. They
 * claim with create-if-absent of plain keys and commit unconditionally, so before
 * any record exists the earlier version is shut out, in this order:
 *  1. each trigger's EPOCH key is retired: replaced by a record with no epoch in it,
 *     which the earlier version fails closed on (no claim, no Reset);
 *  2. the trigger's old claims are walked, and while any may still be live the
 *     upgrade waits. This is the one place a clock decides anything: an old claim
 *     is taken over only once its lease has certainly ended, by its lease plus the
 *     two minutes hosts' clocks may disagree (SCHEDULER.maxClockDisagreementMs);
 *     an old holder commits only with a minute of its lease left, and Forge stops
 *     functions long before a 16-minute lease ends;
 *  3. a fence is created at the next old claim number: a Reset's fence, already
 *     released, which an earlier-version invocation that read the EPOCH key before
 *     step 1 meets and stops at (its claims are numbered from its state, which it
 *     read no later than that EPOCH key). An earlier-version Reset that raced it
 *     loses the create;
 *  4. the EPOCH key is read again: if an earlier-version Reset's transaction landed
 *     in between (it holds the fence before ours), the upgrade starts over. The DONE
 *     keys are read again too: an old holder's commit may have landed after the
 *     caller's read and before step 2 found its claim over (released), and none can
 *     land after step 2.
 * Only then are the records created, carrying the trigger's progress: its epoch,
 * attempts, backoff, and done when its DONE key exists.
 */

export type Ensured =
  { kind: 'ready'; records: Records; created: boolean } | { kind: 'wait'; until: number; reason: string };

interface LegacyTrigger {
  trigger: AutoTrigger;
  /** The old epoch; null when the EPOCH key holds something that is not one. */
  epoch: number | null;
  /** Claims found, by number, of the old epoch (or of every epoch, when it is unknown). */
  claims: Array<{ key: string; claim: LegacyClaim | null }>;
  /** The highest old claim number taken, fences included: the next fence goes above it. */
  top: number;
  /** Every epoch number seen, for a garbled EPOCH key. */
  epochsSeen: number[];
}

/**
 * Creating the records takes about twenty requests, once per installation, every one
 * idempotent (reads; the EPOCH keys' retirement; creates-if-absent, whose 409 after a
 * landed 500 is recognised as ours). A request KVS refused (429, 5xx) or never answered
 * is sent again, up to three times: at a fifth of requests refused, twenty in a row
 * would otherwise almost never all succeed, and the installation would wait tick after
 * tick. A refusal of any other kind ends the attempt, as before.
 */
const TRIES = 3;
async function retrying<T>(f: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await f();
    } catch (err) {
      const storage = err instanceof StorageReadError || err instanceof StorageWriteError;
      const status = storage ? answeredStatus(err) : undefined;
      const transient = storage && (status === undefined || status === 429 || status >= 500);
      if (tries >= TRIES || !transient) throw err;
    }
  }
}

/** Claims read per request while walking an epoch (a batch read takes at most 25 keys). */
const WALK_BATCH = 25;
/** An epoch with more claims than this is walked no further (it would take 1,000 failed days). */
const WALK_MAX = 1_000;
const FENCE_PREFIX = 'ledger-upgrade:';

/**
 * Whether an old claim's holder may still write: unreleased, and its lease not over
 * by every clock within the assumed disagreement. A lease ending further ahead than
 * any holder wrote is not believed (the earlier version's own rule).
 */
export function legacyClaimMayBeLive(c: LegacyClaim, now: number): boolean {
  if (c.released !== null) return false;
  const skew = SCHEDULER.maxClockDisagreementMs;
  const longest = c.kind === 'reset' ? SCHEDULER.resetFenceLeaseMs : SCHEDULER.claimLeaseMs;
  const believable = c.leaseExpiresAt <= now + longest + skew && c.claimedAt <= now + skew;
  return believable && now < c.leaseExpiresAt + skew;
}

async function walkEpoch(cloudId: string, trigger: AutoTrigger, epoch: number) {
  const claims: LegacyTrigger['claims'] = [];
  for (let start = 1; start < 1 + WALK_MAX; start += WALK_BATCH) {
    const numbers = Array.from({ length: WALK_BATCH }, (_, i) => start + i);
    const values = await retrying(() =>
      store.readMany(numbers.map((n) => keys.legacyClaim(cloudId, trigger, n, epoch))),
    );
    for (const n of numbers) {
      const key = keys.legacyClaim(cloudId, trigger, n, epoch);
      const raw = values.get(key);
      if (raw === undefined) return claims;
      claims.push({ key, claim: parseLegacyClaim(raw) });
    }
  }
  return claims;
}

/** Claims of every epoch, from a listing, for a trigger whose EPOCH key cannot say which epoch is current. */
async function listEveryEpoch(cloudId: string, trigger: AutoTrigger) {
  const prefix = keys.legacyTriggerPrefix(cloudId, trigger);
  const listed = await retrying(() => store.listByPrefix(prefix, 5_000));
  const epochs = new Set<number>();
  const claims: LegacyTrigger['claims'] = [];
  for (const { key, value } of listed) {
    const m = /^(?:E(\d+):)?CLAIM:(\d+)$/.exec(key.slice(prefix.length));
    if (!m) continue;
    epochs.add(Number(m[1] ?? 0));
    claims.push({ key, claim: parseLegacyClaim(value) });
  }
  return { claims, epochs: [...epochs] };
}

async function legacyOf(cloudId: string, trigger: AutoTrigger, rawEpoch: unknown): Promise<LegacyTrigger> {
  const read = legacyEpochFrom(rawEpoch);
  const epoch = read === 'retired' ? retiredEpoch(rawEpoch) : read;
  if (epoch === null) {
    const every = await listEveryEpoch(cloudId, trigger);
    return { trigger, epoch: null, claims: every.claims, top: 0, epochsSeen: every.epochs };
  }
  // A Reset of the earlier version whose transaction landed after the EPOCH key was read (and before step 1
  // retired it) left its fence, released, as the epoch's last claim, and moved the trigger to the next epoch,
  // where earlier-version schedulers that read the EPOCH key meanwhile claim: follow it there.
  let at = epoch;
  for (let hops = 0; ; hops++) {
    const claims = await walkEpoch(cloudId, trigger, at);
    const last = claims[claims.length - 1]?.claim;
    const movedOn =
      last?.kind === 'reset' && last.released?.outcome === 'reset' && !last.invocationId.startsWith(FENCE_PREFIX);
    if (!movedOn || hops >= 3) return { trigger, epoch: at, claims, top: claims.length, epochsSeen: [at] };
    at++;
  }
}

/**
 * Both EPOCH keys, one `get` each: the upgrade decides from them which old claims to
 * wait for, so they are read the way Forge documents as strongly consistent (A2).
 */
async function readEpochs(cloudId: string): Promise<Map<string, unknown>> {
  const epochKeys = AUTO_TRIGGERS.map((t) => keys.legacyEpoch(cloudId, t));
  const values = await Promise.all(epochKeys.map((k) => retrying(() => store.read(k))));
  return new Map(epochKeys.map((k, i) => [k, values[i]]));
}

function retiredEpoch(raw: unknown): number | null {
  const e = isRecord(raw) ? raw.epoch_before_ledger : undefined;
  return typeof e === 'number' && Number.isSafeInteger(e) && e >= 0 ? e : null;
}

/** The progress an earlier version had made on a trigger, for its record. */
function progressOf(
  legacy: LegacyTrigger,
  stateRaw: unknown,
  marker: DoneMarker | null,
  now: number,
  epochAfter: number,
): TriggerProgress {
  const parsed = stateRaw === undefined ? null : parseState(stateRaw, now);
  let state = emptyState();
  if (parsed?.ok && legacy.epoch !== null) {
    state = inEpochs(parsed.value, { AUTO_12H: legacy.epoch, AUTO_24H: legacy.epoch });
  }
  const base = { ...state.triggers[legacy.trigger], epoch: epochAfter };
  let progress: TriggerProgress = { ...base, attemptCount: Math.max(base.attemptCount, legacyAttempts(legacy)) };
  if (marker) {
    const s = recordDoneFromMarker(
      { ...emptyState(), triggers: { ...emptyState().triggers, [legacy.trigger]: progress } },
      legacy.trigger,
      marker,
      now,
    );
    progress = { ...s.triggers[legacy.trigger], attemptCount: Math.max(1, s.triggers[legacy.trigger].attemptCount) };
  }
  return { ...progress, version: 1, status: marker ? 'done' : 'idle', lastError: marker ? null : progress.lastError };
}

/**
 * How many old claims were attempts: the attempt count the record starts from, which is
 * the backoff ladder's step and the report's attempt number. Fences are not attempts, the
 * upgrade's own least of all: an upgrade that KVS refused part-way leaves its fence and the
 * next try fences one number higher, so on a new installation under storage faults the
 * claim numbers climb with every retry while nothing was ever generated. Counted as
 * attempts, they put the first real failure on the ladder's 24-hour step. An old claim
 * that does not parse is counted: it may have been an attempt.
 */
function legacyAttempts(legacy: LegacyTrigger): number {
  return legacy.claims.filter((c) => c.claim === null || c.claim.kind === 'attempt').length;
}

export interface UpgradeInputs {
  cloudId: string;
  now: number;
  by?: string;
  /** The stored state (any version), as the caller read it. The DONE keys are read again here. */
  stateRaw: unknown;
}

/**
 * The AUTO records, created if they do not exist yet (see above). `wait` when an old
 * claim may still be live, or an earlier-version Reset is in the middle of its move:
 * the caller answers as for a held claim, and a later invocation tries again.
 */
export async function ensureRecords(u: UpgradeInputs): Promise<Ensured> {
  // Every writer of a fence names itself with the prefix, so two upgraders recognise each other's fence.
  const by = `${FENCE_PREFIX}${u.by ?? randomUUID()}`;
  const epochsBefore = await readEpochs(u.cloudId);

  // 1. Retire the EPOCH keys (one transaction, all or nothing).
  const retire = AUTO_TRIGGERS.filter(
    (t) => legacyEpochFrom(epochsBefore.get(keys.legacyEpoch(u.cloudId, t))) !== 'retired',
  );
  if (retire.length > 0) {
    await retrying(() =>
      store.commit({
        set: retire.map((t) => {
          const e = legacyEpochFrom(epochsBefore.get(keys.legacyEpoch(u.cloudId, t)));
          const value: StoredRetiredEpoch = {
            schema_version: 2,
            retired_at: toIso(u.now),
            ...(typeof e === 'number' ? { epoch_before_ledger: e } : {}),
          };
          return { key: keys.legacyEpoch(u.cloudId, t), value };
        }),
      }),
    );
  }

  // 2. Every old claim is over.
  const legacy = await Promise.all(
    AUTO_TRIGGERS.map((t) => legacyOf(u.cloudId, t, epochsBefore.get(keys.legacyEpoch(u.cloudId, t)))),
  );
  for (const l of legacy) {
    const live = l.claims.find((c) => c.claim && legacyClaimMayBeLive(c.claim, u.now));
    if (live?.claim) {
      return {
        kind: 'wait',
        until: live.claim.leaseExpiresAt + SCHEDULER.maxClockDisagreementMs,
        reason: `${l.trigger}'s claim from before the upgrade may be live until its lease has certainly ended`,
      };
    }
  }

  // 3. A fence at the next old number, where the old epoch is known.
  for (const l of legacy) {
    if (l.epoch === null) continue;
    const key = keys.legacyClaim(u.cloudId, l.trigger, l.top + 1, l.epoch);
    const fence = legacyFence(l.top + 1, u.now, by);
    if (await retrying(() => store.createIfAbsent(key, fence, { value: 30, unit: 'DAYS' }))) continue;
    const there = parseLegacyClaim(await retrying(() => store.read(key)));
    if (!there?.invocationId.startsWith(FENCE_PREFIX)) {
      return { kind: 'wait', until: u.now + SCHEDULER.resetFenceLeaseMs, reason: `${l.trigger}'s old claims moved on` };
    }
  }

  // 4. No earlier-version Reset moved an EPOCH key back meanwhile; and the DONE keys as they are now. Every
  // old claim was over at step 2 and none can be taken past the fences, so no old commit lands after this
  // read: a commit that landed after the caller's read, before its claim was found over, is seen here.
  const doneKeys = AUTO_TRIGGERS.map((t) => keys.done(u.cloudId, t));
  const [epochsAfter, doneNow] = await Promise.all([
    readEpochs(u.cloudId),
    Promise.all(doneKeys.map((k) => retrying(() => store.read(k)))),
  ]);
  const done: Record<AutoTrigger, DoneMarker | null> = {
    AUTO_12H: doneMarkerFrom(doneNow[0], u.now),
    AUTO_24H: doneMarkerFrom(doneNow[1], u.now),
  };
  if (AUTO_TRIGGERS.some((t) => legacyEpochFrom(epochsAfter.get(keys.legacyEpoch(u.cloudId, t))) !== 'retired')) {
    return {
      kind: 'wait',
      until: u.now + SCHEDULER.resetFenceLeaseMs,
      reason: 'a Reset from before the upgrade landed',
    };
  }

  // The records, idle, with the progress made so far.
  for (const l of legacy) {
    const epoch = l.epoch ?? Math.max(0, ...l.epochsSeen, epochFromState(u.stateRaw, l.trigger)) + 1;
    const progress = progressOf(l, u.stateRaw, done[l.trigger], u.now, epoch);
    const record: LedgerRecord = createdRecord(
      l.trigger,
      by.slice(FENCE_PREFIX.length),
      u.now,
      progress,
      progress.status,
    );
    await retrying(() =>
      store.createRecordIfAbsent(recordRef(u.cloudId, l.trigger), serializeRecord(u.cloudId, record)),
    );
  }
  const records = await retrying(() => readRecords(u.cloudId, AUTO_TRIGGERS));
  const r12 = records.AUTO_12H;
  const r24 = records.AUTO_24H;
  if (!r12 || r12 === 'unreadable' || !r24 || r24 === 'unreadable') {
    throw new StorageWriteError('The ledger records were created (2xx) but do not read back', [
      recordRef(u.cloudId, 'AUTO_12H').key,
      recordRef(u.cloudId, 'AUTO_24H').key,
    ]);
  }
  return { kind: 'ready', records: { AUTO_12H: r12, AUTO_24H: r24 }, created: true };
}

/**
 * At installation (the lifecycle event): the AUTO records and the state mirroring
 * them, so that the scheduler's first invocations are idle ones, one read each. A
 * duplicate or late event finds the records and changes nothing. If this fails,
 * the scheduler does the same on its first run that reads the records.
 */
export async function initializeInstallation(cloudId: string, installedAt: number, now: number): Promise<void> {
  const refs = [recordRef(cloudId, 'AUTO_12H'), recordRef(cloudId, 'AUTO_24H'), keys.schedulerState(cloudId)];
  const values = await retrying(() => store.readMany(refs));
  const get = (ref: (typeof refs)[number]) => values.get(store.refId(ref));
  if (get(refs[0]) !== undefined && get(refs[1]) !== undefined) return;
  const ensured = await ensureRecords({ cloudId, now, stateRaw: get(keys.schedulerState(cloudId)) });
  if (ensured.kind === 'wait') return;
  await retrying(() => rebuildState(cloudId, ensured.records, installedAt, now));
}

function epochFromState(stateRaw: unknown, trigger: AutoTrigger): number {
  const field = trigger === 'AUTO_12H' ? 'auto_12h_epoch' : 'auto_24h_epoch';
  const e = isRecord(stateRaw) ? stateRaw[field] : undefined;
  return typeof e === 'number' && Number.isSafeInteger(e) && e >= 0 && e <= SCHEDULER.maxEpoch ? e : 0;
}

// ---------------------------------------------------------------------------
// MANUAL.

/**
 * The MANUAL record, created if absent, numbering on from every manual report
 * number used before: `given()`, what the records that show one say (the sequence
 * record, the history entries, an earlier version's list, a listing of its manual
 * claims: admin/actions.ts), and past it every old claim that exists, as the
 * listing may lag.
 */
export async function ensureManualRecord(
  cloudId: string,
  now: number,
  given: () => Promise<number>,
): Promise<LedgerRecord> {
  const ref = recordRef(cloudId, 'MANUAL');
  const existing = (await readRecords(cloudId, ['MANUAL'])).MANUAL;
  if (existing && existing !== 'unreadable') return existing;
  let top = Math.min(await given(), SCHEDULER.maxAttempts);
  // A listing may lag: read on past it while the next old claim exists.
  while (
    top < SCHEDULER.maxAttempts &&
    (await store.read(keys.legacyClaim(cloudId, 'MANUAL', top + 1))) !== undefined
  ) {
    top++;
  }
  const record = createdRecord('MANUAL', `${FENCE_PREFIX}${randomUUID()}`, now, {
    ...emptyProgress(),
    attemptCount: top,
  });
  await store.createRecordIfAbsent(ref, serializeRecord(cloudId, record));
  const back = (await readRecords(cloudId, ['MANUAL'])).MANUAL;
  if (!back || back === 'unreadable') {
    throw new StorageWriteError('The MANUAL ledger record was created (2xx) but does not read back', [ref.key]);
  }
  return back;
}
