/** Reading and writing entries with Forge's metadata and lazy-expiry rules. */
import { OpContext } from './operation';
import { StoredEntry, isLive } from './store';
import { MetadataField } from './validation';

/**
 * The entry a client can see. Expiry is lazy, as in Forge: an expired entry is dropped
 * when someone touches it, and until then it is merely invisible.
 */
export function readLive(ctx: OpContext, key: string): StoredEntry | undefined {
  const entry = ctx.backend.get(ctx.namespace, key);
  if (entry === undefined || isLive(entry, ctx.now)) return entry;
  ctx.backend.delete(ctx.namespace, key);
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
