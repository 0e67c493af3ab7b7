/**
 * /api/v1/transaction: every operation is validated before the first one is applied, so
 * a single bad key leaves storage untouched, which is the all-or-nothing Forge promises.
 */
import { nextEntry, readLive } from './entries';
import { INVENTED_CODES } from './invented_codes';
import { Operation, noContent, refuse } from './operation';
import { LIMITS, encodeValue, isRecord, ttlToMs, validateKey, validatePayloadSize } from './validation';
import { Violation, badRequest, notEmulated } from './violation';

interface PlannedWrite {
  key: string;
  /** Absent for a delete. */
  value?: string;
  ttlMs?: number;
}

function listOf(field: unknown, name: string): unknown[] | Violation {
  if (field === undefined) return [];
  return Array.isArray(field) ? field : badRequest(`${name} must be an array`);
}

function plan(body: unknown): PlannedWrite[] | Violation {
  if (!isRecord(body)) return badRequest('expected an object');
  const sets = listOf(body.set, 'set');
  if (sets instanceof Violation) return sets;
  const deletes = listOf(body.delete, 'delete');
  if (deletes instanceof Violation) return deletes;
  const checks = listOf(body.check, 'check');
  if (checks instanceof Violation) return checks;
  // check and conditions only exist for Custom Entities, which the app does not use.
  if (checks.length > 0) return notEmulated(400, 'Transaction check (custom entity conditions)');

  const operations = [...sets, ...deletes];
  if (operations.length === 0)
    return new Violation(400, 'EMPTY_TRANSACTION', 'A transaction must contain at least one operation');
  if (operations.length > LIMITS.transactionMaxOperations) {
    return new Violation(
      400,
      'TRANSACTION_SIZE_EXCEEDED',
      `A transaction can contain at most ${LIMITS.transactionMaxOperations} operations`,
    );
  }

  const seen = new Set<string>();
  const planned: PlannedWrite[] = [];
  for (const [index, op] of operations.entries()) {
    if (!isRecord(op) || typeof op.key !== 'string') return badRequest('every operation needs a string key');
    if (op.entityName !== undefined || op.conditions !== undefined) {
      return notEmulated(400, 'Custom entity storage in transactions (entityName/conditions)');
    }
    if (seen.has(op.key))
      return new Violation(400, 'DUPLICATE_KEYS', `Key appears more than once in the transaction: ${op.key}`);
    seen.add(op.key);
    const badKey = validateKey(op.key);
    if (badKey) return badKey;
    if (index >= sets.length) {
      planned.push({ key: op.key });
      continue;
    }
    const value = encodeValue(op.value);
    if (value instanceof Violation) return value;
    if (op.options !== undefined && !isRecord(op.options)) return badRequest('options must be an object');
    const ttlMs = ttlToMs(op.options?.ttl);
    if (ttlMs instanceof Violation) return ttlMs;
    planned.push({ key: op.key, value, ttlMs });
  }
  return planned;
}

export const transactionOp: Operation = (ctx, body) => {
  const tooBig = validatePayloadSize(ctx.rawBody);
  if (tooBig) return refuse(tooBig);
  const writes = plan(body);
  if (writes instanceof Violation) return refuse(writes);
  const window = ctx.variants.transactionConflictWindowMs;
  if (window > 0 && ctx.history) {
    const contested = writes.find((w) => {
      const at = ctx.history?.lastWriteAt(ctx.namespace, w.key, ctx.writer);
      return at !== undefined && ctx.now - at < window;
    });
    if (contested) {
      return refuse(
        new Violation(
          409,
          INVENTED_CODES.TRANSACTION_CONFLICT,
          `Transaction conflicts with a concurrent write of ${contested.key}`,
        ),
      );
    }
  }
  ctx.backend.atomically(() => {
    for (const write of writes) {
      if (write.value === undefined) ctx.backend.delete(ctx.namespace, write.key);
      else
        ctx.backend.put(
          ctx.namespace,
          write.key,
          nextEntry(readLive(ctx, write.key), write.value, write.ttlMs, ctx.now),
        );
    }
  });
  return noContent;
};
