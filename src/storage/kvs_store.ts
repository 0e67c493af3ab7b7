import { kvs, Filter, FilterConditions, ForgeKvsAPIError, MetadataField, WhereConditions } from '@forge/kvs';
import { StorageReadError, StorageWriteError } from '../errors';
import { RETRY } from './retry';

/**
 * The thin storage module: the only file that imports `@forge/kvs`. It adds no
 * caching, and retries only what is known to have changed nothing, or cannot change
 * anything twice: a read, a transaction KVS refused as rate-limited (429), and a
 * create-if-absent (which can never overwrite), each up to `RETRY.pausesMs.length`
 * more times, a short pause apart (`retrying`). A transaction answered 5xx may have
 * landed, so it is never resent here: the ledger reads back what it conditioned on
 * first. What it adds is meaning:
 *  - a read either returns the value, returns `undefined` because the key is
 *    absent, or throws StorageReadError. A failed read is never "absent".
 *  - a create-if-absent reports "already exists" as a value, not an error,
 *    because losing that race is an expected outcome.
 *  - a conditional write says only "all of these are equal to what I read":
 *    equality is the one condition whose meaning does not depend on how the
 *    Custom Entity Store treats an absent entity (docs/assumption_register.md A15).
 * Plain keys are named by their key; a Custom Entity Store record by
 * `{ entity, key }`. Both go through the same reads and transactions.
 */

export type Ttl = { value: number; unit: 'SECONDS' | 'MINUTES' | 'HOURS' | 'DAYS' };

/** A Custom Entity Store record: the entity (manifest.yml `app.storage.entities`) and its key. */
export interface EntityRef {
  entity: string;
  key: string;
}

/** A plain key, or an entity record. */
export type StoreRef = string | EntityRef;

/** How a read's answer is keyed: the key itself for a plain key, entity and key for a record. */
export function refId(ref: StoreRef): string {
  return typeof ref === 'string' ? ref : `${ref.entity}\u0000${ref.key}`;
}

const keyOf = (ref: StoreRef): string => (typeof ref === 'string' ? ref : ref.key);
const describeRef = (ref: StoreRef): string => (typeof ref === 'string' ? ref : `${ref.entity} ${ref.key}`);

/** Forge answers a FAIL_IF_EXISTS write on an existing key with HTTP 409; the code string is undocumented. */
function isConflict(err: unknown): boolean {
  return err instanceof ForgeKvsAPIError && err.responseDetails?.status === 409;
}

const MISSING = 'KEY_NOT_FOUND';

/**
 * Whether a failed request is known to have changed nothing and may pass with time:
 * KVS answered 429 (rate limited), 5xx, or nothing at all (a transport error). A 4xx
 * other than 429 is an answer about the request itself; trying again changes nothing.
 */
function transient(err: unknown): boolean {
  if (!(err instanceof ForgeKvsAPIError)) return true;
  const status = err.responseDetails?.status;
  return status === undefined || status === 429 || status >= 500;
}

const rateLimited = (err: unknown): boolean => err instanceof ForgeKvsAPIError && err.responseDetails?.status === 429;

/** `call`, tried again after each of RETRY's pauses while `retry(err)` says its failure changed nothing. */
async function retrying<T>(call: () => Promise<T>, retry: (err: unknown) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await call();
    } catch (err) {
      if (i >= RETRY.pausesMs.length || !retry(err)) throw err;
      await RETRY.pause(RETRY.pausesMs[i]);
    }
  }
}

/**
 * Read several keys in ONE request (`batchGet`, at most 25 keys). What a batch
 * answer means for a key is documented only in part, so the answer is believed
 * only where it is unambiguous:
 *  - a `successfulKeys` item for the key that carries a value other than null: that
 *    value (KVS cannot store null, so `value: null` is no stored value, and nothing
 *    documents that it means absent either);
 *  - a `failedKeys` item for the key with KEY_NOT_FOUND: absent.
 * Every other key (one the answer leaves out, one in `successfulKeys` without a
 * value or with null, one that failed with any other code, one answered twice) is read again
 * on its own with `read`, whose 404 KEY_NOT_FOUND is the documented absence.
 * So a service that omits missing keys, or fails items independently, costs a
 * few single reads and never an outage, and a key is never "absent" unless KVS
 * said so. Throws StorageReadError when the batch, or any single read, fails.
 *
 * Keys are read in the caller's order: no key's value is older than an earlier
 * key's. Callers rely on it (the scheduler lists its state before the DONE keys,
 * so a state that shows a commit always comes with that commit's DONE key). So
 * once a key must be read again, it and every later key are read again, one at
 * a time, in order, after the batch.
 */
export async function readMany(refs: readonly StoreRef[]): Promise<Map<string, unknown>> {
  const keyList = refs.map(keyOf);
  const wanted = new Set(refs.map(refId));
  let result;
  try {
    const items = refs.map((ref) =>
      typeof ref === 'string' ? { key: ref } : { key: ref.key, entityName: ref.entity },
    );
    result = await retrying(() => kvs.batchGet<unknown>(items), transient);
  } catch (cause) {
    throw new StorageReadError(`KVS batch read of ${refs.length} key(s) failed`, keyList, { cause });
  }
  const failedKeys = result?.failedKeys ?? [];
  if (!Array.isArray(result?.successfulKeys) || !Array.isArray(failedKeys)) {
    throw new StorageReadError('KVS batch read returned no result list', keyList);
  }
  const answers = new Map<string, { value: unknown } | 'absent' | 'unsure'>();
  const answer = (item: unknown, a: { value: unknown } | 'absent' | 'unsure'): void => {
    const i = item as { key?: unknown; entityName?: unknown } | null | undefined;
    if (typeof i?.key !== 'string') return;
    const id = typeof i.entityName === 'string' ? refId({ entity: i.entityName, key: i.key }) : i.key;
    if (!wanted.has(id)) return;
    // Two answers for one key cannot both be believed.
    answers.set(id, answers.has(id) ? 'unsure' : a);
  };
  for (const item of result.successfulKeys) {
    const hasValue = typeof item === 'object' && item !== null && 'value' in item && isStorable(item.value);
    answer(item, hasValue ? { value: item.value } : 'unsure');
  }
  for (const f of failedKeys) answer(f, f?.error?.code === MISSING ? 'absent' : 'unsure');

  const firstUnsure = refs.findIndex((ref) => {
    const a = answers.get(refId(ref));
    return a === undefined || a === 'unsure';
  });
  const fromBatch = firstUnsure < 0 ? refs : refs.slice(0, firstUnsure);
  const values = new Map<string, unknown>();
  for (const ref of fromBatch) {
    const a = answers.get(refId(ref)) as { value: unknown } | 'absent';
    values.set(refId(ref), a === 'absent' ? undefined : a.value);
  }
  for (const ref of refs.slice(fromBatch.length)) values.set(refId(ref), await readOne(ref, false));
  return values;
}

/** A value KVS can hold: any JSON but null (and `undefined`, which JSON cannot carry). */
function isStorable(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/**
 * Read one key. `undefined` means KVS said the key is absent (404 KEY_NOT_FOUND).
 * The SDK hands back `undefined` just as readily for a 2xx whose body names no
 * value, so one metadata field is requested: then a real answer comes back as
 * `{ key, value, ... }` and an empty one can be told apart and fail the read.
 * An entry whose value is null fails the read too: KVS cannot store null, so it
 * is neither the key's value nor a documented absence.
 */
export function read<T = unknown>(ref: StoreRef): Promise<T | undefined> {
  return readOne<T>(ref, true);
}

/** `read`; `askBatch` is false when the caller is `readMany`, whose one-key batch has already answered unsure. */
async function readOne<T>(ref: StoreRef, askBatch: boolean): Promise<T | undefined> {
  const key = keyOf(ref);
  let entry;
  try {
    const options = { metadataFields: [MetadataField.CREATED_AT] };
    entry = await retrying(
      () => (typeof ref === 'string' ? kvs.get<T>(key, options) : kvs.entity<T>(ref.entity).get(key, options)),
      transient,
    );
  } catch (cause) {
    throw new StorageReadError(`KVS read of ${describeRef(ref)} failed`, [key], { cause });
  }
  if (entry === undefined) return undefined;
  if (entry.key !== key || entry.value === undefined) {
    throw new StorageReadError(`KVS read of ${describeRef(ref)} answered without the entry`, [key]);
  }
  if (!isStorable(entry.value)) {
    if (!askBatch) {
      throw new StorageReadError(`KVS read of ${describeRef(ref)} answered null, which KVS cannot store`, [key]);
    }
    // Not a value and not absence: unknown (register A1a). Asked once more as a one-key batch, whose answer
    // names a missing key in `failedKeys` (KEY_NOT_FOUND), so a platform whose `get` answers a missing key with
    // `value: null` still tells absent from present. If the batch says null too, `readMany` fails the read.
    const again = await readMany([ref]);
    return again.get(refId(ref)) as T | undefined;
  }
  return entry.value;
}

export async function write(key: string, value: unknown, ttl?: Ttl): Promise<void> {
  try {
    await kvs.set(key, value, ttl ? { ttl } : undefined);
  } catch (cause) {
    throw new StorageWriteError(`KVS write of ${key} failed`, [key], { cause });
  }
}

/**
 * Atomic create-if-absent. Returns `true` only when KVS confirms that the key now
 * holds this call's value, and `false` when it holds another (somebody else won).
 *
 * A `FAIL_IF_EXISTS` set answers nothing on success (the SDK resolves `undefined`
 * for any 2xx, and `returnValue` is not allowed with that policy), so an empty or
 * malformed 2xx from anything between us and KVS would look exactly like a win.
 * The win is therefore confirmed by reading the key back: `value` must be unique
 * to the caller (a claim carries its invocation id). A key still absent after a
 * 2xx means the create did not happen, which is a failed write, not a loss.
 */
export async function createIfAbsent(key: string, value: unknown, ttl?: Ttl): Promise<boolean> {
  // Sent again after a 429, a 5xx or no answer: a create-if-absent can never overwrite, so a
  // resend is safe even after one that landed. That resend then conflicts with our own value,
  // so a conflict after a resend is settled by the read back below, never taken as a loss.
  let sends = 0;
  try {
    const options = ttl ? { keyPolicy: 'FAIL_IF_EXISTS' as const, ttl } : { keyPolicy: 'FAIL_IF_EXISTS' as const };
    await retrying(() => {
      sends++;
      return kvs.set(key, value, options);
    }, transient);
  } catch (cause) {
    if (!isConflict(cause)) throw new StorageWriteError(`KVS create-if-absent of ${key} failed`, [key], { cause });
    if (sends === 1) return false;
  }
  const stored = await readBack(key);
  if (stored === undefined) {
    throw new StorageWriteError(`KVS create-if-absent of ${key} answered 2xx but the key is absent`, [key]);
  }
  return canonical(stored) === canonical(value);
}

/**
 * Create-if-absent of a Custom Entity Store record (`entity().set` with
 * `keyPolicy: 'FAIL_IF_EXISTS'`, documented for entities as for plain keys).
 * `true` on a 2xx, `false` on a 409. Unlike `createIfAbsent` it does not read the
 * record back: the ledger creates records idle, granting nobody anything, and
 * every later change is conditional on the record as read, so a 2xx that did not
 * land is found by the next read (or refused by the next condition), not trusted.
 */
export async function createRecordIfAbsent(ref: EntityRef, value: object): Promise<boolean> {
  try {
    // Sent again after a 429, a 5xx or no answer (it can never overwrite); a resend that then
    // conflicts with our own landed create reads as "exists", which is all callers rely on.
    await retrying(() => kvs.entity(ref.entity).set(ref.key, value, { keyPolicy: 'FAIL_IF_EXISTS' }), transient);
    return true;
  } catch (cause) {
    if (isConflict(cause)) return false;
    throw new StorageWriteError(`KVS create-if-absent of ${describeRef(ref)} failed`, [ref.key], { cause });
  }
}

/**
 * Reads a create's key back, trying again when the read fails: the create may have
 * landed, and giving up would leave a key (a claim) that nobody knows is theirs until
 * its lease runs out, costing the trigger an attempt and a backoff. A failed read
 * still never counts as absent; after the last try it throws as `read` does.
 */
const READ_BACK_TRIES = 3;
async function readBack(key: string): Promise<unknown> {
  for (let tries = 1; ; tries++) {
    try {
      return await read(key);
    } catch (err) {
      if (tries >= READ_BACK_TRIES || !(err instanceof StorageReadError)) throw err;
    }
  }
}

/** JSON with object keys sorted, so a value reads back equal whatever order KVS keeps its fields in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

export async function remove(key: string): Promise<void> {
  try {
    await kvs.delete(key);
  } catch (cause) {
    throw new StorageWriteError(`KVS delete of ${key} failed`, [key], { cause });
  }
}

/** Attribute values a record must hold, every one of them, for a conditional write to apply. */
export type Equalities = Readonly<Record<string, string | number | boolean>>;

export interface Commit {
  /** Plain keys (`entity` absent) and entity records; an entity set may be conditional (`when`). */
  set: ReadonlyArray<{ key: string; value: unknown; ttl?: Ttl; entity?: string; when?: Equalities }>;
  delete?: readonly string[];
  /** Records that must hold these values for anything to apply; nothing is written to them. */
  check?: ReadonlyArray<{ entity: string; key: string; when: Equalities }>;
}

/** `{ and: [attribute EQUAL_TO value, ...] }`: every attribute equal, which no absent record can be. */
function equalityFilter(when: Equalities) {
  const entries = Object.entries(when);
  if (entries.length === 0) throw new TypeError('A condition needs at least one attribute');
  let filter = new Filter<Record<string, unknown>>().and(entries[0][0], FilterConditions.equalTo(entries[0][1]));
  for (const [attribute, value] of entries.slice(1)) filter = filter.and(attribute, FilterConditions.equalTo(value));
  return filter;
}

/**
 * All-or-nothing write of up to 25 operations (checks included) in one
 * `kvs.transact()`. A refusal of any kind, a condition that did not hold among
 * them, throws StorageWriteError: how Forge answers a refused condition is not
 * documented (docs/assumption_register.md A14), and a 5xx may follow a write that
 * landed, so the caller reads back what it conditioned on before deciding
 * anything.
 */
export async function commit(ops: Commit): Promise<void> {
  const deletes = ops.delete ?? [];
  const checks = ops.check ?? [];
  const touched = [...ops.set.map((s) => s.key), ...deletes, ...checks.map((c) => c.key)];
  let tx = kvs.transact();
  for (const s of ops.set) {
    const entity = s.entity
      ? { entityName: s.entity, ...(s.when ? { conditions: equalityFilter(s.when) } : {}) }
      : undefined;
    // The SDK takes TTL in the 4th argument; the documented 3rd-argument form is silently dropped.
    // Typed as a record only for the SDK's generic; plain values pass through unchanged.
    const value = s.value as Record<string, unknown>;
    tx = s.ttl ? tx.set(s.key, value, entity, { ttl: s.ttl }) : tx.set(s.key, value, entity);
  }
  for (const key of deletes) tx = tx.delete(key);
  for (const c of checks) tx = tx.check(c.key, { entityName: c.entity, conditions: equalityFilter(c.when) });
  try {
    // A 429 refused the whole transaction before anything applied; anything else may have landed.
    await retrying(() => tx.execute(), rateLimited);
  } catch (cause) {
    throw new StorageWriteError(`KVS transaction over ${touched.length} key(s) failed`, touched, { cause });
  }
}

/** The HTTP status a storage error carries from KVS, when it came from an answer at all (for log lines). */
export function answeredStatus(err: unknown): number | undefined {
  const cause = err instanceof Error ? err.cause : undefined;
  return cause instanceof ForgeKvsAPIError ? cause.responseDetails?.status : undefined;
}

/**
 * Every record of an entity in one partition of an index, in the index's order:
 * a listing for the admin page, never a decision (an entity query, like any
 * query, is not documented as strongly consistent). Pages through in-memory
 * filtering's empty pages the way Forge documents them.
 */
export async function listRecords<T = unknown>(
  entity: string,
  index: string,
  partition: unknown[],
  max = 100,
): Promise<Array<{ key: string; value: T }>> {
  const out: Array<{ key: string; value: T }> = [];
  let cursor: string | undefined;
  try {
    do {
      let q = kvs.entity<T>(entity).query().index(index, { partition }).limit(100);
      if (cursor) q = q.cursor(cursor);
      const page = await q.getMany();
      out.push(...page.results.map((r) => ({ key: r.key, value: r.value })));
      cursor = page.nextCursor;
    } while (cursor && out.length < max);
  } catch (cause) {
    throw new StorageReadError(`KVS query of ${entity} by ${index} failed`, [entity], { cause });
  }
  return out.slice(0, max);
}

/**
 * Page sizes a listing tries, largest first. The limits page says a query may
 * ask for "a maximum of 100", the service's own error text says "below 100", and
 * one doc comment says 20. A refused size is not asked for again while this
 * container lives, so the ladder costs one refused request at most, once.
 */
const QUERY_PAGE_SIZES = [100, 99, 20] as const;
let queryPageSize: number = QUERY_PAGE_SIZES[0];

function refusedPageSize(err: unknown): boolean {
  return err instanceof ForgeKvsAPIError && err.responseDetails?.status === 400;
}

/**
 * Every entry under a prefix, in key order. Queries are eventually consistent, so
 * this serves listings (the admin page), never a decision. It depends on no
 * particular page size being accepted: a 400 on the first page steps down the
 * ladder above.
 */
export async function listByPrefix<T = unknown>(prefix: string, max = 500): Promise<Array<{ key: string; value: T }>> {
  const out: Array<{ key: string; value: T }> = [];
  let cursor: string | undefined;
  try {
    do {
      let page;
      for (;;) {
        let q = kvs.query().where('key', WhereConditions.beginsWith(prefix)).limit(queryPageSize);
        if (cursor) q = q.cursor(cursor);
        try {
          page = await q.getMany<T>();
          break;
        } catch (err) {
          const smaller = QUERY_PAGE_SIZES.find((size) => size < queryPageSize);
          if (!refusedPageSize(err) || smaller === undefined) throw err;
          queryPageSize = smaller;
        }
      }
      out.push(...page.results.map((r) => ({ key: r.key, value: r.value })));
      cursor = page.nextCursor;
    } while (cursor && out.length < max);
  } catch (cause) {
    throw new StorageReadError(`KVS query of ${prefix}* failed`, [prefix], { cause });
  }
  return out.slice(0, max);
}

// ---------------------------------------------------------------------------
// Raw answers, for the platform check (src/platform_check/) only. The functions
// above give KVS answers their meaning; these report what KVS said, as plain
// data, so a probe can compare it with what the app assumes. They never throw.

/** What a refused (or transport-failed) request looked like. */
export interface RawRefusal {
  ok: false;
  /** HTTP status, or 0 when the request failed before an answer. */
  status: number;
  code: string;
  message: string;
}

export type RawAnswer<T extends object = object> = ({ ok: true } & T) | RawRefusal;

async function raw<T extends object>(call: () => Promise<T>): Promise<RawAnswer<T>> {
  try {
    return { ok: true, ...(await call()) };
  } catch (err) {
    if (err instanceof ForgeKvsAPIError) {
      return { ok: false, status: err.responseDetails?.status ?? 0, code: err.code, message: err.message };
    }
    return { ok: false, status: 0, code: 'TRANSPORT', message: err instanceof Error ? err.message : String(err) };
  }
}

export interface RawBatchAnswer {
  successfulKeys: Array<{ key: string; hasValue: boolean; value: unknown }>;
  failedKeys: Array<{ key: string; code: string }>;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

function rawBatch(result: unknown): RawBatchAnswer {
  const r = result as { successfulKeys?: unknown; failedKeys?: unknown } | undefined;
  const list = (v: unknown): Array<Record<string, unknown>> =>
    Array.isArray(v) ? v.filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null) : [];
  return {
    successfulKeys: list(r?.successfulKeys).map((i) => ({
      key: String(i.key),
      hasValue: i.value !== undefined,
      value: i.value,
    })),
    failedKeys: list(r?.failedKeys).map((i) => ({
      key: String(i.key),
      code: codeOf(i.error),
    })),
  };
}

export const rawKvs = {
  get: (key: string) =>
    raw(async () => {
      const entry = await kvs.get<unknown>(key, { metadataFields: [MetadataField.CREATED_AT] });
      return { found: entry !== undefined, value: entry?.value };
    }),
  set: (key: string, value: unknown, opts: { ttlSeconds?: number; failIfExists?: boolean } = {}) =>
    raw(async () => {
      const ttl = opts.ttlSeconds ? { value: opts.ttlSeconds, unit: 'SECONDS' as const } : undefined;
      const keyPolicy = opts.failIfExists ? ('FAIL_IF_EXISTS' as const) : undefined;
      await kvs.set(
        key,
        value,
        ttl || keyPolicy ? { ...(ttl ? { ttl } : {}), ...(keyPolicy ? { keyPolicy } : {}) } : undefined,
      );
      return {};
    }),
  delete: (key: string) =>
    raw(async () => {
      await kvs.delete(key);
      return {};
    }),
  batchGet: (keyList: readonly string[]) =>
    raw(async () => rawBatch(await kvs.batchGet<unknown>(keyList.map((key) => ({ key }))))),
  batchSet: (items: ReadonlyArray<{ key: string; value: unknown }>, ttlSeconds?: number) =>
    raw(async () => {
      const options = ttlSeconds ? { options: { ttl: { value: ttlSeconds, unit: 'SECONDS' as const } } } : {};
      return rawBatch(await kvs.batchSet(items.map((i) => ({ key: i.key, value: i.value, ...options }))));
    }),
  batchDelete: (refs: readonly StoreRef[]) =>
    raw(async () =>
      rawBatch(
        await kvs.batchDelete(
          refs.map((r) => (typeof r === 'string' ? { key: r } : { key: r.key, entityName: r.entity })),
        ),
      ),
    ),
  query: (prefix: string, limit: number) =>
    raw(async () => {
      const page = await kvs.query().where('key', WhereConditions.beginsWith(prefix)).limit(limit).getMany<unknown>();
      return { keys: page.results.map((r) => r.key) };
    }),
  transactSet: (sets: ReadonlyArray<{ key: string; value: unknown }>, ttlSeconds?: number) =>
    raw(async () => {
      let tx = kvs.transact();
      const ttl = ttlSeconds ? { ttl: { value: ttlSeconds, unit: 'SECONDS' as const } } : undefined;
      for (const s of sets) tx = ttl ? tx.set(s.key, s.value, undefined, ttl) : tx.set(s.key, s.value);
      await tx.execute();
      return {};
    }),
  recordGet: (ref: EntityRef) =>
    raw(async () => {
      const entry = await kvs.entity<unknown>(ref.entity).get(ref.key, { metadataFields: [MetadataField.CREATED_AT] });
      return { found: entry !== undefined, value: entry?.value };
    }),
  recordSet: (ref: EntityRef, value: object, ttlSeconds?: number) =>
    raw(async () => {
      const options = ttlSeconds ? { ttl: { value: ttlSeconds, unit: 'SECONDS' as const } } : undefined;
      await kvs.entity(ref.entity).set(ref.key, value, options);
      return {};
    }),
  recordDelete: (ref: EntityRef) =>
    raw(async () => {
      await kvs.entity(ref.entity).delete(ref.key);
      return {};
    }),
  /**
   * One conditional set of a record, its condition given as plain data: every
   * attribute `equalTo` its value, or (for the probe that asks what an absent
   * entity does with it) `notExists`.
   */
  recordSetIf: (
    ref: EntityRef,
    value: object,
    condition: { equalTo: Equalities } | { notExists: string },
    ttlSeconds?: number,
  ) =>
    raw(async () => {
      const conditions =
        'equalTo' in condition
          ? equalityFilter(condition.equalTo)
          : new Filter<Record<string, unknown>>().and(condition.notExists, FilterConditions.notExists());
      const options = ttlSeconds ? { ttl: { value: ttlSeconds, unit: 'SECONDS' as const } } : undefined;
      await kvs
        .transact()
        .set(ref.key, value as Record<string, unknown>, { entityName: ref.entity, conditions }, options)
        .execute();
      return {};
    }),
};
