/**
 * /api/v1/batch/{get,set,delete}. Items succeed or fail on their own, but a malformed
 * batch (empty, over 25 items, a repeated key) fails as a whole, as Forge documents.
 */
import { entryJson, nextEntry, readLive, readVisible } from './entries';
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
import { Violation, badRequest, notEmulated } from './violation';

type BatchItem = Record<string, unknown> & { key: string };

interface FailedKey {
  key: string;
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
    if (item.entityName !== undefined) return notEmulated(400, 'Custom entity storage (entityName)');
    if (seen.has(item.key))
      return new Violation(400, 'DUPLICATE_KEYS', `Key appears more than once in the batch: ${item.key}`);
    seen.add(item.key);
  }
  return body as BatchItem[];
}

/**
 * Per-item refusals use VALIDATION_ERROR, the item-level code in the SDK's fixtures; the
 * specific reason (INVALID_KEY, MAX_SIZE, ...) is kept at the front of the message.
 */
const itemFailure = (key: string, v: Violation): FailedKey => ({
  key,
  error: { code: 'VALIDATION_ERROR', message: `${v.code}: ${v.message}` },
});

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

const keyOnlyJson = (key: string): string => '{"key":' + JSON.stringify(key) + '}';

export const batchGetOp: Operation = (ctx, body) =>
  runBatch(ctx, body, (item, index) => {
    const badKey = validateKey(item.key);
    if (badKey) return itemFailure(item.key, badKey);
    const fields = parseReadOptions(item.options);
    if (fields instanceof Violation) return itemFailure(item.key, fields);
    if (ctx.variants.batchGetItemErrors === 'firstItem' && index === 0) {
      const code = INVENTED_CODES.ITEM_INTERNAL_SERVER_ERROR;
      return { key: item.key, error: { code, message: 'An internal server error has occurred' } };
    }
    const entry = readVisible(ctx, item.key, ctx.variants.readLagMs.batchGet);
    if (entry === undefined) {
      if (ctx.variants.batchGetMissing === 'omitted') return null;
      if (ctx.variants.batchGetMissing === 'nullValue') return '{"key":' + JSON.stringify(item.key) + ',"value":null}';
      return { key: item.key, error: { code: 'KEY_NOT_FOUND', message: 'Key does not exist' } };
    }
    return entryJson(item.key, entry, fields);
  });

export const batchSetOp: Operation = (ctx, body) => {
  const tooBig = validatePayloadSize(ctx.rawBody);
  if (tooBig) return refuse(tooBig);
  const invalid = (item: BatchItem): Violation | undefined => {
    const value = encodeValue(item.value);
    return validateKey(item.key) ?? (value instanceof Violation ? value : undefined);
  };
  return runBatch(
    ctx,
    body,
    (item) => {
      const badKey = validateKey(item.key);
      if (badKey) return itemFailure(item.key, badKey);
      const value = encodeValue(item.value);
      if (value instanceof Violation) return itemFailure(item.key, value);
      // Batch sets honour only `ttl`; keyPolicy and returnValue are single-set features.
      if (item.options !== undefined && !isRecord(item.options))
        return itemFailure(item.key, badRequest('options must be an object'));
      const ttlMs = ttlToMs(item.options?.ttl);
      if (ttlMs instanceof Violation) return itemFailure(item.key, ttlMs);
      const previous = readLive(ctx, item.key);
      ctx.backend.put(ctx.namespace, item.key, nextEntry(previous, value, ttlMs, ctx.now));
      return keyOnlyJson(item.key);
    },
    invalid,
  );
};

export const batchDeleteOp: Operation = (ctx, body) =>
  runBatch(ctx, body, (item) => {
    const badKey = validateKey(item.key);
    if (badKey) return itemFailure(item.key, badKey);
    ctx.backend.delete(ctx.namespace, item.key);
    return keyOnlyJson(item.key);
  });
