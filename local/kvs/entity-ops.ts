/**
 * /api/v1/entity/{get,set,delete,query}: the Custom Entity Store. Each declared
 * entity is a key space of its own inside an installation's namespace, with the
 * same key rules, TTL, metadata and lazy expiry as plain keys, plus the manifest's
 * attribute types and indexes. The request bodies are @forge/kvs 1.6.5's
 * (`out/storage-api.js`, `out/entity-query.js`).
 */
import { Condition, entityMeets, Filter, meets, parseClause, parseFilter, RANGE_CONDITIONS } from './conditions';
import { entryJson, nextEntry, readLive, readUnpurged, readVisible } from './entries';
import { checkEntityValue, EntityDefinition, EntityIndex, entityNamed } from './entity_schema';
import { INVENTED_CODES } from './invented_codes';
import { noContent, ok, OpContext, Operation, Reply, refuse } from './operation';
import type { StoredEntry } from './store';
import { encodeValue, isRecord, MetadataField, parseReadOptions, parseWritePolicy, validateKey } from './validation';
import { badRequest, keyConflict, keyNotFound, Violation } from './violation';

/** The backend namespace an entity's keys live in; never a valid installation id, so never listed as one. */
export const ENTITY_SEPARATOR = '\u001f';
export const entityNamespace = (namespace: string, entityName: string): string =>
  `${namespace}${ENTITY_SEPARATOR}entity${ENTITY_SEPARATOR}${entityName}`;

/** The same request context, reading and writing one entity's key space. */
export function inEntity(ctx: OpContext, entityName: string): OpContext {
  return { ...ctx, namespace: entityNamespace(ctx.namespace, entityName) };
}

/** A declared entity and its key space, or the refusal of a request naming it. */
export function entityOf(ctx: OpContext, body: Record<string, unknown>): [EntityDefinition, OpContext] | Violation {
  const definition = entityNamed(ctx.entities, body.entityName);
  if (definition instanceof Violation) return definition;
  return [definition, inEntity(ctx, definition.name)];
}

/** The stored JSON of an entity value, checked against its declaration; shared by set, batch set and transactions. */
export function encodeEntityValue(definition: EntityDefinition, value: unknown): string | Violation {
  const json = encodeValue(value);
  if (json instanceof Violation) return json;
  return checkEntityValue(definition, value) ?? json;
}

export const entityGetOp: Operation = (ctx, body) => {
  if (!isRecord(body)) return refuse(badRequest('expected an object'));
  const target = entityOf(ctx, body);
  if (target instanceof Violation) return refuse(target);
  const [, ectx] = target;
  const badKey = validateKey(body.key);
  if (badKey) return refuse(badKey);
  const fields = parseReadOptions(body.options);
  if (fields instanceof Violation) return refuse(fields);
  const entry = readVisible(ectx, body.key as string, ctx.variants.readLagMs.get);
  return entry === undefined ? refuse(keyNotFound()) : ok(entryJson(body.key as string, entry, fields));
};

function conflict(ctx: OpContext, key: string): Reply {
  const code = ctx.variants.conflictCode;
  if (code === 'none') return { status: 409 };
  return refuse(keyConflict(key, code));
}

/** entity().set: `keyPolicy: 'FAIL_IF_EXISTS'` makes it a create-if-absent, atomic as for plain keys. */
export const entitySetOp: Operation = (ctx, body) => {
  if (!isRecord(body)) return refuse(badRequest('expected an object'));
  const target = entityOf(ctx, body);
  if (target instanceof Violation) return refuse(target);
  const [definition, ectx] = target;
  const badKey = validateKey(body.key);
  if (badKey) return refuse(badKey);
  const key = body.key as string;
  const value = encodeEntityValue(definition, body.value);
  if (value instanceof Violation) return refuse(value);
  const policy = parseWritePolicy(body.options);
  if (policy instanceof Violation) return refuse(policy);
  const previous = readLive(ectx, key);
  const exists =
    previous !== undefined ||
    (ctx.variants.failIfExistsOnExpired === 'conflicts' && readUnpurged(ectx, key) !== undefined);
  if (exists && policy.keyPolicy === 'FAIL_IF_EXISTS') return conflict(ctx, key);
  const written = nextEntry(previous, value, policy.ttlMs, ctx.now);
  ctx.backend.put(ectx.namespace, key, written);
  if (policy.returnValue === 'LATEST') return ok(entryJson(key, written, policy.returnFields));
  if (policy.returnValue === 'PREVIOUS' && previous !== undefined) {
    return ok(entryJson(key, previous, policy.returnFields));
  }
  return noContent;
};

export const entityDeleteOp: Operation = (ctx, body) => {
  if (!isRecord(body)) return refuse(badRequest('expected an object'));
  const target = entityOf(ctx, body);
  if (target instanceof Violation) return refuse(target);
  const badKey = validateKey(body.key);
  if (badKey) return refuse(badKey);
  ctx.backend.delete(target[1].namespace, body.key as string);
  return noContent;
};

// ---------------------------------------------------------------------------
// Queries over an index.

const pageLimit = (limit: unknown): number | Violation => {
  if (limit === undefined) return 10;
  if (typeof limit === 'number' && Number.isInteger(limit) && limit >= 1 && limit <= 100) return limit;
  return new Violation(400, 'COMPLEX_QUERY_PAGE_LIMIT_NOT_IN_RANGE', 'The page limit must be set between 1 and 100.');
};

interface Row {
  key: string;
  entry: StoredEntry;
  value: Record<string, unknown>;
  /** The index's range value (the key itself for by-key). */
  sortValue: string | number | boolean;
}

const compareRows = (a: Row, b: Row): number => {
  const x = a.sortValue;
  const y = b.sortValue;
  if (x !== y) {
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
};

/** Cursors are opaque (and, Forge warns, not to be stored): the last row's position, base64url. */
const encodeCursor = (row: Row): string =>
  Buffer.from(JSON.stringify([row.sortValue, row.key]), 'utf8').toString('base64url');

function decodeCursor(cursor: unknown): [string | number | boolean, string] | undefined | Violation {
  if (cursor === undefined) return undefined;
  const bad = new Violation(400, INVENTED_CODES.INVALID_CURSOR, 'The provided cursor is invalid');
  if (typeof cursor !== 'string' || cursor.length === 0) return bad;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[1] === 'string') {
      return parsed as [string | number | boolean, string];
    }
  } catch {
    // falls through to the refusal
  }
  return bad;
}

function indexOf(definition: EntityDefinition, name: unknown): EntityIndex | Violation {
  const index = definition.indexes.find((i) => i.name === name);
  return (
    index ?? new Violation(400, 'INVALID_ENTITY_INDEX', `${JSON.stringify(name)} is not an index of ${definition.name}`)
  );
}

/**
 * The index's rows in order: entities that have every partition attribute equal to
 * the query's partition values and a range attribute (an index holds only entities
 * that have its attributes), the key itself standing as the range of `by-key`.
 */
function indexRows(ectx: OpContext, index: EntityIndex, partition: readonly unknown[], now: number): Row[] {
  const rows: Row[] = [];
  const visibleAt = now - ectx.variants.expiredReadableForMs;
  for (const [key, entry] of ectx.backend.scan(ectx.namespace, {
    prefix: '',
    limit: Number.POSITIVE_INFINITY,
    now: visibleAt,
  })) {
    const value = JSON.parse(entry.value) as Record<string, unknown>;
    if (index.partition.some((attr, i) => value[attr] === undefined || value[attr] !== partition[i])) continue;
    const sortValue = index.range === null ? key : value[index.range];
    if (typeof sortValue !== 'string' && typeof sortValue !== 'number' && typeof sortValue !== 'boolean') continue;
    rows.push({ key, entry, value, sortValue });
  }
  return rows.sort(compareRows);
}

export const entityQueryOp: Operation = (ctx, body) => {
  if (!isRecord(body)) return refuse(badRequest('expected an object'));
  const target = entityOf(ctx, body);
  if (target instanceof Violation) return refuse(target);
  const [definition, ectx] = target;
  const index = indexOf(definition, body.indexName);
  if (index instanceof Violation) return refuse(index);
  const partition = body.partition ?? [];
  if (!Array.isArray(partition) || partition.length !== index.partition.length) {
    return refuse(
      new Violation(
        400,
        INVENTED_CODES.INVALID_PARTITION,
        `Index ${index.name} needs ${index.partition.length} partition value(s), in the order it declares them`,
      ),
    );
  }
  let range: Condition | undefined;
  if (body.range !== undefined) {
    const type = index.range === null ? null : definition.attributes[index.range];
    const parsed = parseClause(body.range, type, `range of ${index.name}`);
    if (parsed instanceof Violation) return refuse(parsed);
    if (!RANGE_CONDITIONS.has(parsed.condition)) {
      return refuse(badRequest(`${parsed.condition} cannot be used in where (index range)`));
    }
    range = parsed;
  }
  let filter: Filter | undefined;
  if (body.filters !== undefined) {
    const parsed = parseFilter(body.filters, definition, 'filters');
    if (parsed instanceof Violation) return refuse(parsed);
    filter = parsed;
  }
  if (body.sort !== undefined && body.sort !== 'ASC' && body.sort !== 'DESC') {
    return refuse(badRequest('sort must be ASC or DESC'));
  }
  const limit = pageLimit(body.limit);
  if (limit instanceof Violation) return refuse(limit);
  const after = decodeCursor(body.cursor);
  if (after instanceof Violation) return refuse(after);
  const fields = parseReadOptions(body.options);
  if (fields instanceof Violation) return refuse(fields);

  let rows = indexRows(ectx, index, partition, ctx.now);
  if (range) rows = rows.filter((r) => meets(r.sortValue, range));
  if (body.sort === 'DESC') rows.reverse();
  if (after !== undefined) {
    const [sortValue, key] = after;
    const position = rows.findIndex((r) => r.sortValue === sortValue && r.key === key);
    rows = position < 0 ? [] : rows.slice(position + 1);
  }
  // Filters are applied in memory to the page, as Forge documents: a page may come back
  // with fewer results than the limit (even none), and a cursor to the next one.
  const page = rows.slice(0, limit);
  const shown = filter ? page.filter((r) => entityMeets(r.value, filter, 'fails')) : page;
  let json = '{"data":[' + shown.map((r) => entryJson(r.key, r.entry, fields as MetadataField[])).join(',') + ']';
  if (rows.length > limit) json += ',"cursor":' + JSON.stringify(encodeCursor(page[page.length - 1]));
  return ok(json + '}');
};
