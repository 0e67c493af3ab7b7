import type Database from 'better-sqlite3';
import { KvsBackend, ScanRange, StoredEntry } from './store';
import { openSqlite } from '../sqlite';

interface Row {
  key: string;
  value: string;
  created_at: number;
  updated_at: number;
  expires_at: number | null;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS kvs_entries (
    namespace  TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    expires_at INTEGER,
    PRIMARY KEY (namespace, key)
  ) WITHOUT ROWID;
`;

const toEntry = (row: Row): StoredEntry =>
  row.expires_at === null
    ? { value: row.value, createdAt: row.created_at, updatedAt: row.updated_at }
    : { value: row.value, createdAt: row.created_at, updatedAt: row.updated_at, expiresAt: row.expires_at };

/**
 * File-backed storage so a local Forge runtime keeps its installations' data across
 * restarts. Key order: SQLite's BINARY collation compares UTF-8 bytes, which matches the
 * memory backend's UTF-16 order for every character a valid key can hold (all in the BMP).
 */
export class SqliteBackend implements KvsBackend {
  private readonly db: Database.Database;
  private readonly selectOne: Database.Statement<[string, string], Row>;
  private readonly upsert: Database.Statement<[string, string, string, number, number, number | null]>;
  private readonly remove: Database.Statement<[string, string]>;
  private readonly scanFrom: Database.Statement<[string, string, string, number], Row>;
  private readonly liveNamespaces: Database.Statement<[number], { namespace: string }>;

  constructor(file: string) {
    this.db = openSqlite(file);
    // WAL keeps a crashed run from corrupting state and makes the many small commits cheap.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.selectOne = this.db.prepare(
      'SELECT key, value, created_at, updated_at, expires_at FROM kvs_entries WHERE namespace = ? AND key = ?',
    );
    this.upsert = this.db.prepare(
      'INSERT OR REPLACE INTO kvs_entries (namespace, key, value, created_at, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.remove = this.db.prepare('DELETE FROM kvs_entries WHERE namespace = ? AND key = ?');
    // Two lower bounds (prefix inclusive, cursor exclusive); the prefix's end is detected
    // while iterating, which avoids computing an upper-bound string.
    this.scanFrom = this.db.prepare(
      `SELECT key, value, created_at, updated_at, expires_at FROM kvs_entries
       WHERE namespace = ? AND key >= ? AND key > ? AND (expires_at IS NULL OR expires_at > ?)
       ORDER BY key`,
    );
    this.liveNamespaces = this.db.prepare(
      'SELECT DISTINCT namespace FROM kvs_entries WHERE expires_at IS NULL OR expires_at > ? ORDER BY namespace',
    );
  }

  get(namespace: string, key: string): StoredEntry | undefined {
    const row = this.selectOne.get(namespace, key);
    return row === undefined ? undefined : toEntry(row);
  }

  put(namespace: string, key: string, entry: StoredEntry): void {
    this.upsert.run(namespace, key, entry.value, entry.createdAt, entry.updatedAt, entry.expiresAt ?? null);
  }

  delete(namespace: string, key: string): void {
    this.remove.run(namespace, key);
  }

  scan(namespace: string, range: ScanRange): Array<[string, StoredEntry]> {
    const found: Array<[string, StoredEntry]> = [];
    if (range.limit <= 0) return found;
    for (const row of this.scanFrom.iterate(namespace, range.prefix, range.after ?? '', range.now)) {
      if (!row.key.startsWith(range.prefix)) break;
      found.push([row.key, toEntry(row)]);
      if (found.length >= range.limit) break;
    }
    return found;
  }

  namespaces(now: number): string[] {
    return this.liveNamespaces.all(now).map((r) => r.namespace);
  }

  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
