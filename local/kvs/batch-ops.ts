/**
 * /api/v1/batch/{get,set,delete}. Items succeed or fail on their own, but a malformed
 * batch (empty, over 25 items, a repeated key) fails as a whole, as Forge documents.
 */
import { entryJson, nextEntry, readLive, readVisible } from './entries';
import { encodeEntityValue, entityOf } from './entity-ops';
import { INVENTED_CODES } from './invented_codes';
import { Operation, OpContext, Reply, ok, refuse } from './operation';
import {
  LIMITS,
  encodeValue,
  isRecord,
  parseReadOptions,
  ttlToMs,
  validateKey,
  validatePayloadSize,
} from './validation';
import { Violation, badRequest } from './violation';

type BatchItem = Record<string, unknown> & { key: string; entityName?: string };

interface FailedKey {
  key: string;
  entityName?: string;
  error: { code: string; message: string };
}

function parseBatch(body: unknown): BatchItem[] | Violation {
  if (!Array.isArray(body)) return badRequest('a batch must be a JSON array');
  if (body.length === 0) return new Violation(400, 'EMPTY_BATCH', 'A batch must contain at least one item');
  if (body.length > LIMITS.batchMaxItems) {
    return new Violation(400, 'BATCH_SIZE_EXCEEDED', `A batch can contain at most ${LIMITS.batchMaxItems} items`);
  }
  const seen = new Set<string>();
  for (const item of body) {
    if (!isRecord(item) || typeof item.key !== 'string') return badRequest('every batch item needs a string key');
    if (item.entityName !== undefined && typeof item.entityName !== 'string') {
      return badRequest('entityName must be a string');
    }
    // "Multiple requests to set, delete, or get the same key or key plus entity" fail the batch.
    const id = `${item.entityName ?? ''}\u0000${item.key}`;
    if (seen.has(id))
      return new Violation(400, 'DUPLICATE_KEYS', `Key appears more than once in the batch: ${item.key}`);
    seen.add(id);
  }
  return body as BatchItem[];
}

/**
 * Per-item refusals use VALIDATION_ERROR, the item-level code in the SDK's fixtures; the
 * specific reason (INVALID_KEY, MAX_SIZE, ...) is kept at the front of the message.
 */
const itemFailure = (item: BatchItem, v: Violation): FailedKey => ({
  key: item.key,
  ...(item.entityName !== undefined ? { entityName: item.entityName } : {}),
  error: { code: 'VALIDATION_ERROR', message: `${v.code}: ${v.message}` },
});

/** The context an item reads and writes in: its entity's key space, or the plain one. */
function itemContext(ctx: OpContext, item: BatchItem) {
  if (item.entityName === undefined) return { ctx, definition: undefined };
  const target = entityOf(ctx, item);
  if (target instanceof Violation) return target;
  return { ctx: target[1], definition: target[0] };
}

/**
 * Under the all-or-nothing variant a batch with one invalid item is refused whole,
 * before anything is applied; `invalid` says what is wrong with an item, if anything.
 */
function refusedWhole(ctx: OpContext, items: BatchItem[], invalid: (item: BatchItem) => Violation | undefined) {
  if (ctx.variants.batchInvalidItem !== 'batchFails') return undefined;
  for (const item of items) {
    const v = invalid(item);
    if (v) return v;
  }
  return undefined;
}

/** `each` answers an item with its JSON, its failure, or `null` to leave it out of the answer altogether. */
function runBatch(
  ctx: OpContext,
  body: unknown,
  each: (item: BatchItem, index: number) => string | FailedKey | null,
  invalid: (item: BatchItem) => Violation | undefined = (item) => validateKey(item.key),
): Reply {
  const items = parseBatch(body);
  if (items instanceof Violation) return refuse(items);
  const whole = refusedWhole(ctx, items, invalid);
  if (whole) return refuse(whole);
  const successes: string[] = [];
  const failures: FailedKey[] = [];
  ctx.backend.atomically(() => {
    items.forEach((item, index) => {
      const outcome = each(item, index);
      if (outcome === null) return;
      if (typeof outcome === 'string') successes.push(outcome);
      else failures.push(outcome);
    });
  });
  return ok('{"successfulKeys":[' + successes.join(',') + '],"failedKeys":' + JSON.stringify(failures) + '}');
}

const keyOnlyJson = (item: BatchItem): string =>
  '{"key":' +
  JSON.stringify(item.key) +
  (item.entityName !== undefined ? ',"entityName":' + JSON.stringify(item.entityName) : '') +
  '}';

/** The item's answer JSON with its entity named, as the SDK's BatchGetItemResult has it. */
const withEntity = (item: BatchItem, json: string): string =>
  item.entityName === undefined ? json : json.slice(0, -1) + ',"entityName":' + JSON.stringify(item.entityName) + '}';

export const batchGetOp: Operation = (ctx, body) =>
  runBatch(ctx, body, (item, index) => {
    const badKey = validateKey(item.key);
    if (badKey) return itemFailure(item, badKey);
    const target = itemContext(ctx, item);
    if (target instanceof Violation) return itemFailure(item, target);
    const fields = parseReadOptions(item.options);
    if (fields instanceof Violation) return itemFailure(item, fields);
    const named = item.entityName !== undefined ? { entityName: item.entityName } : {};
    if (ctx.variants.batchGetItemErrors === 'firstItem' && index === 0) {
      const code = INVENTED_CODES.ITEM_INTERNAL_SERVER_ERROR;
      return { key: item.key, ...named, error: { code, message: 'An internal server error has occurred' } };
    }
    const entry = readVisible(target.ctx, item.key, ctx.variants.readLagMs.batchGet);
    if (entry === undefined) {
      if (ctx.variants.batchGetMissing === 'omitted') return null;
      if (ctx.variants.batchGetMissing === 'nullValue') {
        const entityPart = item.entityName !== undefined ? ',"entityName":' + JSON.stringify(item.entityName) : '';
        return '{"key":' + JSON.stringify(item.key) + entityPart + ',"value":null}';
      }
      return { key: item.key, ...named, error: { code: 'KEY_NOT_FOUND', message: 'Key does not exist' } };
    }
    return withEntity(item, entryJson(item.key, entry, fields));
  });

export const batchSetOp: Operation = (ctx, body) => {
  const tooBig = validatePayloadSize(ctx.rawBody);
  if (tooBig) return refuse(tooBig);
  const encoded = (item: BatchItem): { ctx: OpContext; value: string } | Violation => {
    const target = itemContext(ctx, item);
    if (target instanceof Violation) return target;
    const value = target.definition ? encodeEntityValue(target.definition, item.value) : encodeValue(item.value);
    return value instanceof Violation ? value : { ctx: target.ctx, value };
  };
  const invalid = (item: BatchItem): Violation | undefined => {
    const value = encoded(item);
    return validateKey(item.key) ?? (value instanceof Violation ? value : undefined);
  };
  return runBatch(
    ctx,
    body,
    (item) => {
      const badKey = validateKey(item.key);
      if (badKey) return itemFailure(item, badKey);
      const value = encoded(item);
      if (value instanceof Violation) return itemFailure(item, value);
      // Batch sets honour only `ttl`; keyPolicy and returnValue are single-set features.
      if (item.options !== undefined && !isRecord(item.options))
        return itemFailure(item, badRequest('options must be an object'));
      const ttlMs = ttlToMs(item.options?.ttl);
      if (ttlMs instanceof Violation) return itemFailure(item, ttlMs);
      const previous = readLive(value.ctx, item.key);
      ctx.backend.put(value.ctx.namespace, item.key, nextEntry(previous, value.value, ttlMs, ctx.now));
      return keyOnlyJson(item);
    },
    invalid,
  );
};

export const batchDeleteOp: Operation = (ctx, body) =>
  runBatch(ctx, body, (item) => {
    const badKey = validateKey(item.key);
    if (badKey) return itemFailure(item, badKey);
    const target = itemContext(ctx, item);
    if (target instanceof Violation) return itemFailure(item, target);
    ctx.backend.delete(target.ctx.namespace, item.key);
    return keyOnlyJson(item);
  });
