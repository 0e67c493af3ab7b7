import { kvs, ForgeKvsAPIError, MetadataField, WhereConditions } from '@forge/kvs';
import { StorageReadError, StorageWriteError } from '../errors';

/**
 * The thin storage module: the only file that imports `@forge/kvs`. It adds no
 * caching and no retries (a scheduled invocation runs again at the next tick;
 * retrying inside it would only spend the function's time budget). What it adds
 * is meaning:
 *  - a read either returns the value, returns `undefined` because the key is
 *    absent, or throws StorageReadError. A failed read is never "absent".
 *  - a create-if-absent reports "already exists" as a value, not an error,
 *    because losing that race is an expected outcome.
 */

export type Ttl = { value: number; unit: 'SECONDS' | 'MINUTES' | 'HOURS' | 'DAYS' };

/** Forge answers a FAIL_IF_EXISTS write on an existing key with HTTP 409; the code string is undocumented. */
function isConflict(err: unknown): boolean {
  return err instanceof ForgeKvsAPIError && err.responseDetails?.status === 409;
}

const MISSING = 'KEY_NOT_FOUND';

/**
 * Read several keys in ONE request (`batchGet`, at most 25 keys). A key is absent
 * (`undefined`) only when KVS says so, KEY_NOT_FOUND in `failedKeys`. Any other
 * per-key failure, a key the answer does not mention at all, or an item that
 * names a key but carries no value, fails the whole read: a DONE key left out of
 * (or emptied in) a 2xx answer must never read as "not done".
 */
export async function readMany(keyList: readonly string[]): Promise<Map<string, unknown>> {
  let result;
  try {
    result = await kvs.batchGet<unknown>(keyList.map((key) => ({ key })));
  } catch (cause) {
    throw new StorageReadError(`KVS batch read of ${keyList.length} key(s) failed`, keyList, { cause });
  }
  const failedKeys = result?.failedKeys ?? [];
  if (!Array.isArray(result?.successfulKeys) || !Array.isArray(failedKeys)) {
    throw new StorageReadError('KVS batch read returned no result list', keyList);
  }
  const failed = failedKeys.filter((f) => f?.error?.code !== MISSING);
  if (failed.length > 0) {
    const codes = failed.map((f) => `${f?.key}: ${f?.error?.code ?? 'UNKNOWN'}`).join(', ');
    throw new StorageReadError(
      `KVS batch read failed for ${codes}`,
      failed.map((f) => f?.key),
    );
  }
  const values = new Map<string, unknown>();
  for (const item of result.successfulKeys) {
    if (!keyList.includes(item?.key)) continue;
    if (item.value === undefined) {
      throw new StorageReadError(`KVS batch read answered ${item.key} without its value`, [item.key]);
    }
    values.set(item.key, item.value);
  }
  for (const f of failedKeys) {
    if (keyList.includes(f?.key) && !values.has(f.key)) values.set(f.key, undefined);
  }
  const unanswered = keyList.filter((k) => !values.has(k));
  if (unanswered.length > 0) {
    throw new StorageReadError(`KVS batch read did not answer for ${unanswered.join(', ')}`, unanswered);
  }
  return values;
}

/**
 * Read one key. `undefined` means KVS said the key is absent (404 KEY_NOT_FOUND).
 * The SDK hands back `undefined` just as readily for a 2xx whose body names no
 * value, so one metadata field is requested: then a real answer comes back as
 * `{ key, value, ... }` and an empty one can be told apart and fail the read.
 */
export async function read<T = unknown>(key: string): Promise<T | undefined> {
  let entry;
  try {
    entry = await kvs.get<T>(key, { metadataFields: [MetadataField.CREATED_AT] });
  } catch (cause) {
    throw new StorageReadError(`KVS read of ${key} failed`, [key], { cause });
  }
  if (entry === undefined) return undefined;
  if (entry.key !== key || entry.value === undefined) {
    throw new StorageReadError(`KVS read of ${key} answered without the entry`, [key]);
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
  try {
    await kvs.set(key, value, ttl ? { keyPolicy: 'FAIL_IF_EXISTS', ttl } : { keyPolicy: 'FAIL_IF_EXISTS' });
  } catch (cause) {
    if (isConflict(cause)) return false;
    throw new StorageWriteError(`KVS create-if-absent of ${key} failed`, [key], { cause });
  }
  const stored = await readBack(key);
  if (stored === undefined) {
    throw new StorageWriteError(`KVS create-if-absent of ${key} answered 2xx but the key is absent`, [key]);
  }
  return canonical(stored) === canonical(value);
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

export interface Commit {
  set: ReadonlyArray<{ key: string; value: unknown; ttl?: Ttl }>;
  delete?: readonly string[];
}

/** All-or-nothing write of up to 25 operations in one `kvs.transact()`. */
export async function commit(ops: Commit): Promise<void> {
  const deletes = ops.delete ?? [];
  const touched = [...ops.set.map((s) => s.key), ...deletes];
  let tx = kvs.transact();
  for (const s of ops.set) {
    // The SDK takes TTL in the 4th argument; the documented 3rd-argument form is silently dropped.
    tx = s.ttl ? tx.set(s.key, s.value, undefined, { ttl: s.ttl }) : tx.set(s.key, s.value);
  }
  for (const key of deletes) tx = tx.delete(key);
  try {
    await tx.execute();
  } catch (cause) {
    throw new StorageWriteError(`KVS transaction over ${touched.length} key(s) failed`, touched, { cause });
  }
}

/**
 * Every entry under a prefix, in key order. Queries are eventually consistent, so
 * this serves listings (the admin page), never a decision.
 */
export async function listByPrefix<T = unknown>(prefix: string, max = 500): Promise<Array<{ key: string; value: T }>> {
  const out: Array<{ key: string; value: T }> = [];
  let cursor: string | undefined;
  try {
    do {
      let q = kvs.query().where('key', WhereConditions.beginsWith(prefix)).limit(100);
      if (cursor) q = q.cursor(cursor);
      const page = await q.getMany<T>();
      out.push(...page.results.map((r) => ({ key: r.key, value: r.value })));
      cursor = page.nextCursor;
    } while (cursor && out.length < max);
  } catch (cause) {
    throw new StorageReadError(`KVS query of ${prefix}* failed`, [prefix], { cause });
  }
  return out.slice(0, max);
}
