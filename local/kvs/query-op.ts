/** /api/v1/query: keys in lexicographic order, optionally by prefix, paged by cursor. */
import { entryJson } from './entries';
import { Operation, ok, refuse } from './operation';
import { isRecord, parseKeyPrefix, parseQueryLimit, parseReadOptions } from './validation';
import { Violation, badRequest } from './violation';

/**
 * Cursors are opaque to clients (Forge warns they are unstable and not to be stored), so
 * any encoding works; this one is the last key returned, base64url so it looks opaque.
 */
export const encodeCursor = (lastKey: string): string => Buffer.from(lastKey, 'utf8').toString('base64url');

export function decodeCursor(cursor: unknown): string | undefined | Violation {
  if (cursor === undefined) return undefined;
  if (typeof cursor !== 'string' || cursor.length === 0) return badRequest('after must be a non-empty cursor string');
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (encodeCursor(key) !== cursor) return new Violation(400, 'INVALID_CURSOR', 'The provided cursor is invalid');
  return key;
}

export const queryOp: Operation = (ctx, body) => {
  if (!isRecord(body)) return refuse(badRequest('expected an object'));
  const limit = parseQueryLimit(body.limit, ctx.variants.queryMaxLimit);
  if (limit instanceof Violation) return refuse(limit);
  const prefix = parseKeyPrefix(body.where);
  if (prefix instanceof Violation) return refuse(prefix);
  const after = decodeCursor(body.after);
  if (after instanceof Violation) return refuse(after);
  const fields = parseReadOptions(body.options);
  if (fields instanceof Violation) return refuse(fields);

  // One extra row tells whether another page exists, so the last page carries no cursor.
  // Expired entries the lazy purge has not reached yet are still listed (lazy-purge variant).
  const visibleAt = ctx.now - ctx.variants.expiredReadableForMs;
  const rows = ctx.backend.scan(ctx.namespace, { prefix, after, limit: limit + 1, now: visibleAt });
  const page = rows.length > limit ? rows.slice(0, limit) : rows;
  let json = '{"data":[' + page.map(([key, entry]) => entryJson(key, entry, fields)).join(',') + ']';
  if (rows.length > limit) json += ',"cursor":' + JSON.stringify(encodeCursor(page[page.length - 1][0]));
  return ok(json + '}');
};
