/**
 * Local emulator of the Forge KVS service (@forge/kvs 1.6.5 wire protocol).
 *
 * Error codes the docs do not name are the emulator's inventions and are listed, all
 * of them, in invented_codes.ts; apps and tests should branch on HTTP status, which
 * is what Forge does guarantee. Behaviours the docs leave open are switches of
 * local/platform_variants.ts (KvsVariants), defaulting to the answers given here.
 */
export { KvsEmulator } from './emulator';
export type { KvsEmulatorOptions, KvsEntrySnapshot, KvsFaults, KvsRequestInit } from './emulator';
export { FAULTABLE_OPERATIONS } from './faults';
export { INVENTED_CODES } from './invented_codes';
export { installKvsOnly } from './install';
export { MemoryBackend } from './memory-backend';
export { SqliteBackend } from './sqlite-backend';
export type { KvsBackend, ScanRange, StoredEntry } from './store';
export { LIMITS } from './validation';
export type { MetadataField } from './validation';
export { Violation } from './violation';
