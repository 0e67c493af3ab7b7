/** /api/v1/get, /api/v1/set and /api/v1/delete. */
import { entryJson, nextEntry, readLive, readUnpurged, readVisible } from './entries';
import { OpContext, Operation, Reply, noContent, ok, refuse } from './operation';
import { encodeValue, isRecord, parseReadOptions, parseWritePolicy, validateKey } from './validation';
import { Violation, badRequest, keyConflict, keyNotFound } from './violation';

export const getOp: Operation = (ctx, body) => {
  if (!isRecord(body)) return refuse(badRequest('expected an object'));
  const badKey = validateKey(body.key);
  if (badKey) return refuse(badKey);
  const key = body.key as string;
  const fields = parseReadOptions(body.options);
  if (fields instanceof Violation) return refuse(fields);
  const entry = readVisible(ctx, key, ctx.variants.readLagMs.get);
  if (entry !== undefined) return ok(entryJson(key, entry, fields));
  return ctx.variants.getMissing === 'nullValue'
    ? ok('{"key":' + JSON.stringify(key) + ',"value":null}')
    : refuse(keyNotFound());
};

/** The 409 of a FAIL_IF_EXISTS write, with the code string the conflict-code variant names (or no body at all). */
function conflict(ctx: OpContext, key: string): Reply {
  const code = ctx.variants.conflictCode;
  if (code === 'none') return { status: 409 };
  return refuse(keyConflict(key, code));
}

export const setOp: Operation = (ctx, body) => {
  if (!isRecord(body)) return refuse(badRequest('expected an object'));
  const badKey = validateKey(body.key);
  if (badKey) return refuse(badKey);
  const key = body.key as string;
  const value = encodeValue(body.value);
  if (value instanceof Violation) return refuse(value);
  const policy = parseWritePolicy(body.options);
  if (policy instanceof Violation) return refuse(policy);

  // Check and write happen in one synchronous step, which is what makes FAIL_IF_EXISTS a
  // lock: no other request can run between them.
  const previous = readLive(ctx, key);
  const exists =
    previous !== undefined ||
    (ctx.variants.failIfExistsOnExpired === 'conflicts' && readUnpurged(ctx, key) !== undefined);
  if (exists && policy.keyPolicy === 'FAIL_IF_EXISTS') return conflict(ctx, key);
  const written = nextEntry(previous, value, policy.ttlMs, ctx.now);
  ctx.backend.put(ctx.namespace, key, written);

  if (policy.returnValue === 'LATEST') return ok(entryJson(key, written, policy.returnFields));
  if (policy.returnValue === 'PREVIOUS' && previous !== undefined) {
    return ok(entryJson(key, previous, policy.returnFields));
  }
  // PREVIOUS of a fresh key: an empty body, which the SDK turns into `undefined`.
  return noContent;
};

export const deleteOp: Operation = (ctx, body) => {
  if (!isRecord(body)) return refuse(badRequest('expected an object'));
  const badKey = validateKey(body.key);
  if (badKey) return refuse(badKey);
  ctx.backend.delete(ctx.namespace, body.key as string);
  return noContent;
};
