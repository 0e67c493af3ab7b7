/**
 * Storage behind the emulator, kept apart from the wire protocol (as Miniflare separates
 * its KV gateway from its storage) so the same rules run over a Map for speed or over
 * SQLite when local state has to survive a restart.
 */

/** One stored entry. `value` is the JSON text, so reads never re-serialise and never alias. */
export interface StoredEntry {
  readonly value: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly expiresAt?: number;
}

export interface ScanRange {
  /** Only keys starting with this ('' for all). */
  prefix: string;
  /** Only keys strictly after this one (query cursor). */
  after?: string;
  /** At most this many live entries. */
  limit: number;
  /** Entries expiring at or before this instant are skipped. */
  now: number;
}

export interface KvsBackend {
  /** The entry as stored, possibly expired: expiry policy belongs to the caller. */
  get(namespace: string, key: string): StoredEntry | undefined;
  put(namespace: string, key: string, entry: StoredEntry): void;
  delete(namespace: string, key: string): void;
  /** Live entries in ascending UTF-16 code-unit key order. */
  scan(namespace: string, range: ScanRange): Array<[string, StoredEntry]>;
  /** Namespaces holding at least one live entry, sorted. */
  namespaces(now: number): string[];
  /** Runs `fn` so that its writes land together or not at all. */
  atomically<T>(fn: () => T): T;
  close(): void;
}

/** Expiry is exclusive: an entry whose TTL ends at `now` is already gone. */
export function isLive(entry: StoredEntry, now: number): boolean {
  return entry.expiresAt === undefined || entry.expiresAt > now;
}
