/**
 * /api/v1/batch/{get,set,delete}. Items succeed or fail on their own, but a malformed
 * batch (empty, over 25 items, a repeated key) fails as a whole, as Forge documents.
 */
import { entryJson, nextEntry, readLive } from './entries';
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

function runBatch(ctx: OpContext, body: unknown, each: (item: BatchItem) => string | FailedKey): Reply {
  const items = parseBatch(body);
  if (items instanceof Violation) return refuse(items);
  const successes: string[] = [];
  const failures: FailedKey[] = [];
  ctx.backend.atomically(() => {
    for (const item of items) {
      const outcome = each(item);
      if (typeof outcome === 'string') successes.push(outcome);
      else failures.push(outcome);
    }
  });
  return ok('{"successfulKeys":[' + successes.join(',') + '],"failedKeys":' + JSON.stringify(failures) + '}');
}

const keyOnlyJson = (key: string): string => '{"key":' + JSON.stringify(key) + '}';

export const batchGetOp: Operation = (ctx, body) =>
  runBatch(ctx, body, (item) => {
    const badKey = validateKey(item.key);
    if (badKey) return itemFailure(item.key, badKey);
    const fields = parseReadOptions(item.options);
    if (fields instanceof Violation) return itemFailure(item.key, fields);
    const entry = readLive(ctx, item.key);
    if (entry === undefined) return { key: item.key, error: { code: 'KEY_NOT_FOUND', message: 'Key does not exist' } };
    return entryJson(item.key, entry, fields);
  });

export const batchSetOp: Operation = (ctx, body) => {
  const tooBig = validatePayloadSize(ctx.rawBody);
  if (tooBig) return refuse(tooBig);
  return runBatch(ctx, body, (item) => {
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
  });
};

export const batchDeleteOp: Operation = (ctx, body) =>
  runBatch(ctx, body, (item) => {
    const badKey = validateKey(item.key);
    if (badKey) return itemFailure(item.key, badKey);
    ctx.backend.delete(ctx.namespace, item.key);
    return keyOnlyJson(item.key);
  });
