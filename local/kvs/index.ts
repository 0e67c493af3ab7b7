/**
 * Local emulator of the Forge KVS service (@forge/kvs 1.6.5 wire protocol).
 *
 * Where Forge documents no error code, these were chosen; apps and tests should branch
 * on HTTP status, which is what Forge does guarantee:
 *   409 KEY_CONFLICT            set with keyPolicy FAIL_IF_EXISTS on a live key
 *   400 INVALID_VALUE           null or missing value
 *   400 INVALID_TTL             malformed TTL or longer than one year
 *   400 EMPTY_BATCH, BATCH_SIZE_EXCEEDED, EMPTY_TRANSACTION, TRANSACTION_SIZE_EXCEEDED,
 *       DUPLICATE_KEYS, PAYLOAD_TOO_LARGE, INVALID_CURSOR, BAD_REQUEST
 *   200 failedKeys[].error.code VALIDATION_ERROR  per-item refusal inside a batch
 *   400/501 NOT_EMULATED        custom entities, transaction checks, secrets
 * Documented codes are used as documented: KEY_TOO_SHORT, KEY_TOO_LONG, INVALID_KEY,
 * MAX_SIZE, MAX_DEPTH, KEY_NOT_FOUND, LIST_QUERY_LIMIT_EXCEEDED, QUERY_WHERE_INVALID,
 * QUERY_WHERE_FIELD_INVALID, RATE_LIMIT_EXCEEDED / TOO_MANY_REQUESTS, INTERNAL_SERVER_ERROR.
 */
export { KvsEmulator } from './emulator';
export type { KvsEmulatorOptions, KvsEntrySnapshot, KvsFaults, KvsRequestInit } from './emulator';
export { FAULTABLE_OPERATIONS } from './faults';
export { installKvsOnly } from './install';
export { MemoryBackend } from './memory-backend';
export { SqliteBackend } from './sqlite-backend';
export type { KvsBackend, ScanRange, StoredEntry } from './store';
export { LIMITS } from './validation';
export type { MetadataField } from './validation';
export { Violation } from './violation';
