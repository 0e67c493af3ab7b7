/** Reading and writing entries with Forge's metadata and lazy-expiry rules. */
import { OpContext } from './operation';
import { StoredEntry, isLive } from './store';
import { MetadataField } from './validation';

/** Whether the lazy purge has removed an expired entry by now (`expiredReadableForMs` after its expiry). */
function purged(ctx: OpContext, entry: StoredEntry): boolean {
  return entry.expiresAt !== undefined && entry.expiresAt + ctx.variants.expiredReadableForMs <= ctx.now;
}

/**
 * The live entry, as writes see it. Expiry is lazy, as in Forge: an expired entry is
 * dropped when someone touches it after its purge time; until then it is not live
 * (a write replaces it as if absent) but reads may still return it.
 */
export function readLive(ctx: OpContext, key: string): StoredEntry | undefined {
  const entry = ctx.backend.get(ctx.namespace, key);
  if (entry === undefined || isLive(entry, ctx.now)) return entry;
  if (purged(ctx, entry)) ctx.backend.delete(ctx.namespace, key);
  return undefined;
}

/** An entry that has expired but is still stored, waiting for its purge. */
export function readUnpurged(ctx: OpContext, key: string): StoredEntry | undefined {
  const entry = ctx.backend.get(ctx.namespace, key);
  return entry !== undefined && !isLive(entry, ctx.now) && !purged(ctx, entry) ? entry : undefined;
}

/**
 * The entry a read returns: as it stood `lagMs` ago (read-lag variant), and still
 * returned after its expiry until it is purged (lazy-purge variant).
 */
export function readVisible(ctx: OpContext, key: string, lagMs: number): StoredEntry | undefined {
  const entry =
    lagMs > 0 && ctx.history
      ? ctx.history.entryAt(ctx.namespace, key, ctx.now - lagMs)
      : ctx.backend.get(ctx.namespace, key);
  if (entry === undefined || isLive(entry, ctx.now)) return entry;
  if (!purged(ctx, entry)) return entry;
  if (lagMs === 0) ctx.backend.delete(ctx.namespace, key);
  return undefined;
}

/**
 * An overwrite keeps the creation time but replaces the TTL: a set without ttl makes the
 * key permanent again, because the service stores the whole item afresh.
 */
export function nextEntry(
  previous: StoredEntry | undefined,
  value: string,
  ttlMs: number | undefined,
  now: number,
): StoredEntry {
  const createdAt = previous?.createdAt ?? now;
  return ttlMs === undefined
    ? { value, createdAt, updatedAt: now }
    : { value, createdAt, updatedAt: now, expiresAt: now + ttlMs };
}

export function expireTimeOf(entry: StoredEntry): string | undefined {
  return entry.expiresAt === undefined ? undefined : new Date(entry.expiresAt).toISOString();
}

/**
 * `{key, value, ...requested metadata}` as wire JSON. Built by concatenation because the
 * value is already JSON text; parsing it only to stringify it again would double the cost.
 */
export function entryJson(key: string, entry: StoredEntry, fields: readonly MetadataField[]): string {
  let json = '{"key":' + JSON.stringify(key) + ',"value":' + entry.value;
  if (fields.length > 0) {
    if (fields.includes('CREATED_AT')) json += ',"createdAt":' + entry.createdAt;
    if (fields.includes('UPDATED_AT')) json += ',"updatedAt":' + entry.updatedAt;
    if (fields.includes('EXPIRE_TIME') && entry.expiresAt !== undefined) {
      json += ',"expireTime":"' + expireTimeOf(entry) + '"';
    }
  }
  return json + '}';
}
