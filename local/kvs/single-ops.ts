/** /api/v1/get, /api/v1/set and /api/v1/delete. */
import { entryJson, nextEntry, readLive } from './entries';
import { Operation, noContent, ok, refuse } from './operation';
import { encodeValue, isRecord, parseReadOptions, parseWritePolicy, validateKey } from './validation';
import { Violation, badRequest, keyConflict, keyNotFound } from './violation';

export const getOp: Operation = (ctx, body) => {
  if (!isRecord(body)) return refuse(badRequest('expected an object'));
  const badKey = validateKey(body.key);
  if (badKey) return refuse(badKey);
  const key = body.key as string;
  const fields = parseReadOptions(body.options);
  if (fields instanceof Violation) return refuse(fields);
  const entry = readLive(ctx, key);
  return entry === undefined ? refuse(keyNotFound()) : ok(entryJson(key, entry, fields));
};

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
  if (previous !== undefined && policy.keyPolicy === 'FAIL_IF_EXISTS') return refuse(keyConflict(key));
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
