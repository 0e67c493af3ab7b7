/**
 * /api/v1/transaction: sets, deletes and checks over plain keys and custom
 * entities, all or nothing (storage-reference/kvs-transactions,
 * storage-reference/entities-transactions). Every operation is validated, and
 * every condition evaluated against storage as it stands, before the first one is
 * applied; one bad key or one condition that does not hold leaves storage
 * untouched. Limits: 25 operations (checks included), each key (or key plus
 * entity) once, a 4 MB payload. Conditions exist for custom entities only.
 */
import { entityMeets, Filter, parseFilter } from './conditions';
import { nextEntry, readLive } from './entries';
import { encodeEntityValue, entityOf } from './entity-ops';
import { INVENTED_CODES } from './invented_codes';
import { noContent, OpContext, Operation, refuse } from './operation';
import { encodeValue, isRecord, LIMITS, ttlToMs, validateKey, validatePayloadSize } from './validation';
import { badRequest, Violation } from './violation';

interface Planned {
  kind: 'set' | 'delete' | 'check';
  key: string;
  /** The key space it applies to: the installation's, or one entity's within it. */
  ctx: OpContext;
  /** The JSON to store, for a set. */
  value?: string;
  ttlMs?: number;
  conditions?: Filter;
}

function listOf(field: unknown, name: string): unknown[] | Violation {
  if (field === undefined) return [];
  return Array.isArray(field) ? field : badRequest(`${name} must be an array`);
}

function planOne(ctx: OpContext, kind: Planned['kind'], op: unknown): Planned | Violation {
  if (!isRecord(op) || typeof op.key !== 'string') return badRequest('every operation needs a string key');
  const badKey = validateKey(op.key);
  if (badKey) return badKey;
  const planned: Planned = { kind, key: op.key, ctx };
  let definition;
  if (op.entityName !== undefined) {
    const target = entityOf(ctx, op);
    if (target instanceof Violation) return target;
    [definition, planned.ctx] = target;
  } else if (kind === 'check') {
    return badRequest('a check names a custom entity (entityName) and its conditions');
  }
  if (op.conditions !== undefined || kind === 'check') {
    if (!definition) return badRequest('conditions apply to custom entities only (entityName)');
    const conditions = parseFilter(op.conditions, definition, `conditions on ${op.key}`);
    if (conditions instanceof Violation) return conditions;
    planned.conditions = conditions;
  }
  if (kind !== 'set') return planned;
  const value = definition ? encodeEntityValue(definition, op.value) : encodeValue(op.value);
  if (value instanceof Violation) return value;
  if (op.options !== undefined && !isRecord(op.options)) return badRequest('options must be an object');
  const ttlMs = ttlToMs(op.options?.ttl);
  if (ttlMs instanceof Violation) return ttlMs;
  return { ...planned, value, ttlMs };
}

function plan(ctx: OpContext, body: unknown): Planned[] | Violation {
  if (!isRecord(body)) return badRequest('expected an object');
  const lists: Array<[Planned['kind'], unknown[] | Violation]> = [
    ['set', listOf(body.set, 'set')],
    ['delete', listOf(body.delete, 'delete')],
    ['check', listOf(body.check, 'check')],
  ];
  const ops: Array<[Planned['kind'], unknown]> = [];
  for (const [kind, list] of lists) {
    if (list instanceof Violation) return list;
    for (const op of list) ops.push([kind, op]);
  }
  if (ops.length === 0)
    return new Violation(400, 'EMPTY_TRANSACTION', 'A transaction must contain at least one operation');
  if (ops.length > LIMITS.transactionMaxOperations) {
    return new Violation(
      400,
      'TRANSACTION_SIZE_EXCEEDED',
      `A transaction can contain at most ${LIMITS.transactionMaxOperations} operations`,
    );
  }
  const seen = new Set<string>();
  const planned: Planned[] = [];
  for (const [kind, op] of ops) {
    const p = planOne(ctx, kind, op);
    if (p instanceof Violation) return p;
    // Each key once, a check included: a check and a set of the same entity key are refused.
    const id = `${p.ctx.namespace}\u0000${p.key}`;
    if (seen.has(id)) {
      return new Violation(400, 'DUPLICATE_KEYS', `Key appears more than once in the transaction: ${p.key}`);
    }
    seen.add(id);
    planned.push(p);
  }
  return planned;
}

/** The answer to a transaction refused by a condition, as the conditionRefusal variant has it. */
function conditionRefused(ctx: OpContext, key: string): Violation {
  const message = `A condition on ${key} is not met; the transaction was not applied`;
  switch (ctx.variants.conditionRefusal) {
    case 'conflict409':
      return new Violation(409, INVENTED_CODES.CONDITIONAL_CHECK_FAILED, message);
    case 'badRequest400':
      return new Violation(400, INVENTED_CODES.TRANSACTION_CONDITION_FAILED, message);
    case 'preconditionFailed412':
      return new Violation(412, INVENTED_CODES.PRECONDITION_FAILED, message);
  }
}

export const transactionOp: Operation = (ctx, body) => {
  const tooBig = validatePayloadSize(ctx.rawBody);
  if (tooBig) return refuse(tooBig);
  const ops = plan(ctx, body);
  if (ops instanceof Violation) return refuse(ops);
  const window = ctx.variants.transactionConflictWindowMs;
  if (window > 0 && ctx.history) {
    const contested = ops.find((w) => {
      if (w.kind === 'check') return false;
      const at = ctx.history?.lastWriteAt(w.ctx.namespace, w.key, ctx.writer);
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
  // Operations run synchronously: nothing can be written between evaluating the conditions and applying.
  for (const op of ops) {
    if (!op.conditions) continue;
    const entry = readLive(op.ctx, op.key);
    const entity = entry === undefined ? undefined : (JSON.parse(entry.value) as Record<string, unknown>);
    if (!entityMeets(entity, op.conditions, ctx.variants.conditionOnAbsentEntity)) {
      return refuse(conditionRefused(ctx, op.key));
    }
  }
  ctx.backend.atomically(() => {
    for (const op of ops) {
      if (op.kind === 'delete') ctx.backend.delete(op.ctx.namespace, op.key);
      else if (op.kind === 'set')
        ctx.backend.put(op.ctx.namespace, op.key, nextEntry(readLive(op.ctx, op.key), op.value!, op.ttlMs, ctx.now));
    }
  });
  return noContent;
};
