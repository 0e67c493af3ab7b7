/**
 * The checks Forge KVS applies server-side (the SDK validates nothing client-side, so a
 * local emulator that skipped them would let code pass locally and fail in production).
 * Every function here is pure: input in, value or Violation out.
 */
import { Violation, badRequest } from './violation';

const SECOND = 1000;
const DAY = 24 * 60 * 60 * SECOND;

export const LIMITS = {
  keyMaxLength: 500,
  valueMaxBytes: 240 * 1024,
  /** Nested objects/arrays allowed; the 32nd level is refused (Forge's error page says "32"). */
  valueMaxDepth: 31,
  ttlMaxMs: 365 * DAY,
  batchMaxItems: 25,
  transactionMaxOperations: 25,
  queryDefaultLimit: 10,
  queryMaxLimit: 100,
  /** batchSet and transaction request bodies. */
  payloadMaxBytes: 4 * 1024 * 1024,
} as const;

export type MetadataField = 'CREATED_AT' | 'UPDATED_AT' | 'EXPIRE_TIME';
export type KeyPolicy = 'OVERRIDE' | 'FAIL_IF_EXISTS';
export type ReturnValue = 'PREVIOUS' | 'LATEST';

export interface WritePolicy {
  ttlMs: number | undefined;
  keyPolicy: KeyPolicy;
  returnValue: ReturnValue | undefined;
  returnFields: readonly MetadataField[];
}

// Copied from Forge's documented limit; `\s` deliberately admits tabs and newlines too.
const KEY_PATTERN = /^(?!\s+$)[a-zA-Z0-9:._\s\-#]+$/;
const TTL_UNIT_MS: Readonly<Record<string, number>> = {
  SECONDS: SECOND,
  MINUTES: 60 * SECOND,
  HOURS: 60 * 60 * SECOND,
  DAYS: DAY,
};
const METADATA_FIELDS: ReadonlySet<string> = new Set(['CREATED_AT', 'UPDATED_AT', 'EXPIRE_TIME']);
const NO_FIELDS: readonly MetadataField[] = [];

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function validateKey(key: unknown): Violation | undefined {
  if (typeof key !== 'string') return new Violation(400, 'INVALID_KEY', 'Key must be a string');
  if (key.length < 1) return new Violation(400, 'KEY_TOO_SHORT', 'The provided key needs to be at least one character');
  if (key.length > LIMITS.keyMaxLength) {
    return new Violation(
      400,
      'KEY_TOO_LONG',
      `The provided key has exceeded the maximum ${LIMITS.keyMaxLength} characters`,
    );
  }
  if (!KEY_PATTERN.test(key)) {
    return new Violation(400, 'INVALID_KEY', `The provided key does not match the regex: ${KEY_PATTERN}`);
  }
  return undefined;
}

export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (maxDepth === 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (exceedsDepth(item, maxDepth - 1)) return true;
    return false;
  }
  for (const k in value) {
    if (exceedsDepth((value as Record<string, unknown>)[k], maxDepth - 1)) return true;
  }
  return false;
}

/** Returns the JSON the service stores, so the size check and storage share one stringify. */
export function encodeValue(value: unknown): string | Violation {
  // `undefined` means the SDK's JSON.stringify dropped the field, e.g. kvs.set(k, undefined).
  if (value === null || value === undefined) {
    return new Violation(400, 'INVALID_VALUE', 'Value must be a JSON value other than null');
  }
  const json = JSON.stringify(value);
  const bytes = json.length * 3 <= LIMITS.valueMaxBytes ? json.length : Buffer.byteLength(json, 'utf8');
  if (bytes > LIMITS.valueMaxBytes) {
    return new Violation(
      400,
      'MAX_SIZE',
      `The provided value has exceeded the maximum size limit of ${LIMITS.valueMaxBytes} bytes`,
    );
  }
  if (exceedsDepth(value, LIMITS.valueMaxDepth)) {
    return new Violation(
      400,
      'MAX_DEPTH',
      `The provided value has exceeded the maximum object depth of ${LIMITS.valueMaxDepth}`,
    );
  }
  return json;
}

export function ttlToMs(ttl: unknown): number | undefined | Violation {
  if (ttl === undefined) return undefined;
  if (!isRecord(ttl)) return new Violation(400, 'INVALID_TTL', 'ttl must be an object { value, unit }');
  const unitMs = typeof ttl.unit === 'string' ? TTL_UNIT_MS[ttl.unit] : undefined;
  if (unitMs === undefined) {
    return new Violation(400, 'INVALID_TTL', 'ttl.unit must be one of SECONDS, MINUTES, HOURS, DAYS');
  }
  const amount = ttl.value;
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1) {
    return new Violation(400, 'INVALID_TTL', 'ttl.value must be a positive integer');
  }
  const ms = amount * unitMs;
  if (ms > LIMITS.ttlMaxMs) return new Violation(400, 'INVALID_TTL', 'ttl must not exceed 1 year');
  return ms;
}

export function parseMetadataFields(fields: unknown): readonly MetadataField[] | Violation {
  if (fields === undefined) return NO_FIELDS;
  if (!Array.isArray(fields) || !fields.every((f) => typeof f === 'string' && METADATA_FIELDS.has(f))) {
    return badRequest('metadataFields must be an array of CREATED_AT, UPDATED_AT, EXPIRE_TIME');
  }
  return fields as MetadataField[];
}

/** Options of a read: `{ metadataFields? }`. */
export function parseReadOptions(options: unknown): readonly MetadataField[] | Violation {
  if (options === undefined) return NO_FIELDS;
  if (!isRecord(options)) return badRequest('options must be an object');
  return parseMetadataFields(options.metadataFields);
}

/** Options of a single set. Batch and transaction sets read only `ttl` from the same shape. */
export function parseWritePolicy(options: unknown): WritePolicy | Violation {
  if (options === undefined)
    return { ttlMs: undefined, keyPolicy: 'OVERRIDE', returnValue: undefined, returnFields: NO_FIELDS };
  if (!isRecord(options)) return badRequest('options must be an object');
  const ttlMs = ttlToMs(options.ttl);
  if (ttlMs instanceof Violation) return ttlMs;
  const { keyPolicy = 'OVERRIDE', returnValue } = options;
  if (keyPolicy !== 'OVERRIDE' && keyPolicy !== 'FAIL_IF_EXISTS') {
    return badRequest('keyPolicy must be OVERRIDE or FAIL_IF_EXISTS');
  }
  if (returnValue !== undefined && returnValue !== 'PREVIOUS' && returnValue !== 'LATEST') {
    return badRequest('returnValue must be PREVIOUS or LATEST');
  }
  const returnFields = parseMetadataFields(options.returnMetadataFields);
  if (returnFields instanceof Violation) return returnFields;
  return { ttlMs, keyPolicy, returnValue, returnFields };
}

export function parseQueryLimit(limit: unknown, max: number = LIMITS.queryMaxLimit): number | Violation {
  if (limit === undefined) return Math.min(LIMITS.queryDefaultLimit, max);
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    return badRequest('limit must be a positive integer');
  }
  if (limit > max) {
    // Forge's own text says "below 100" for a documented maximum of 100; kept as it is.
    const bound = max === LIMITS.queryMaxLimit ? max : max + 1;
    return new Violation(400, 'LIST_QUERY_LIMIT_EXCEEDED', `Query limit should be below ${bound}`);
  }
  return limit;
}

/** A query's `where`: absent, or exactly one `key BEGINS_WITH prefix`. Returns the prefix. */
export function parseKeyPrefix(where: unknown): string | Violation {
  if (where === undefined) return '';
  if (!Array.isArray(where) || where.length !== 1 || !isRecord(where[0])) {
    return new Violation(400, 'QUERY_WHERE_INVALID', 'where must hold exactly one condition');
  }
  const clause = where[0];
  if (clause.property !== 'key') {
    return new Violation(400, 'QUERY_WHERE_FIELD_INVALID', 'Only the "key" property can be queried');
  }
  const values = clause.values;
  if (clause.condition !== 'BEGINS_WITH' || !Array.isArray(values) || values.length !== 1) {
    return new Violation(400, 'QUERY_WHERE_INVALID', 'Only BEGINS_WITH with one value is supported');
  }
  const prefix: unknown = values[0];
  if (typeof prefix !== 'string' && typeof prefix !== 'number') {
    return new Violation(400, 'QUERY_WHERE_INVALID', 'BEGINS_WITH value must be a string or number');
  }
  return String(prefix);
}

export function validatePayloadSize(body: string): Violation | undefined {
  if (body.length * 3 <= LIMITS.payloadMaxBytes) return undefined;
  if (Buffer.byteLength(body, 'utf8') <= LIMITS.payloadMaxBytes) return undefined;
  return new Violation(400, 'PAYLOAD_TOO_LARGE', `Request payload exceeds ${LIMITS.payloadMaxBytes} bytes`);
}
