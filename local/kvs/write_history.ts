/**
 * What each key held a moment ago, for the variants where a read does not see the
 * newest write at once (read lag) and where a transaction is refused because one of
 * its keys was just written (transaction conflicts). Only kept when one of those
 * variants is on, and only as far back as the longest window asks.
 */
import { KvsBackend, ScanRange, StoredEntry } from './store';

interface Version {
  at: number;
  /** Who wrote it, when the request said (see KvsRequestInit.writer). */
  writer?: string;
  /** Absent: the key did not exist (deleted). */
  entry: StoredEntry | undefined;
}

const id = (namespace: string, key: string): string => namespace + '\u0000' + key;

/** A backend that records every write, with the emulator clock's time, before passing it on. */
export class HistoryBackend implements KvsBackend {
  private readonly versions = new Map<string, Version[]>();
  private writer: string | undefined;

  constructor(
    private readonly inner: KvsBackend,
    private readonly now: () => number,
    /** Versions older than this (ms) are dropped, except the newest of them. */
    private readonly keepMs: number,
  ) {}

  private record(namespace: string, key: string, entry: StoredEntry | undefined): void {
    const k = id(namespace, key);
    let list = this.versions.get(k);
    if (list === undefined) {
      // What the key held before history began (a file-backed store from an earlier run).
      list = [{ at: Number.NEGATIVE_INFINITY, entry: this.inner.get(namespace, key) }];
      this.versions.set(k, list);
    }
    const at = this.now();
    list.push({ at, entry, writer: this.writer });
    const cutoff = at - this.keepMs;
    let drop = 0;
    while (drop + 1 < list.length && (list[drop + 1] as Version).at <= cutoff) drop++;
    if (drop > 0) list.splice(0, drop);
  }

  /** The entry as it stood at `asOf` (the newest write at or before it). */
  entryAt(namespace: string, key: string, asOf: number): StoredEntry | undefined {
    const list = this.versions.get(id(namespace, key));
    if (list === undefined) return this.inner.get(namespace, key);
    for (let i = list.length - 1; i >= 0; i--) {
      const v = list[i] as Version;
      if (v.at <= asOf) return v.entry;
    }
    return undefined;
  }

  /** Attributes the writes that follow, until the next call, to `writer` (undefined: unknown). */
  setWriter(writer: string | undefined): void {
    this.writer = writer;
  }

  /**
   * When the key was last written or deleted by someone other than `except`, if within
   * the kept window. A writer's own earlier write is sequential to it, not concurrent;
   * a write of unknown origin is counted.
   */
  lastWriteAt(namespace: string, key: string, except?: string): number | undefined {
    const list = this.versions.get(id(namespace, key));
    if (list === undefined) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const v = list[i] as Version;
      if (v.at === Number.NEGATIVE_INFINITY) return undefined;
      if (except === undefined || v.writer === undefined || v.writer !== except) return v.at;
    }
    return undefined;
  }

  get(namespace: string, key: string): StoredEntry | undefined {
    return this.inner.get(namespace, key);
  }

  put(namespace: string, key: string, entry: StoredEntry): void {
    this.record(namespace, key, entry);
    this.inner.put(namespace, key, entry);
  }

  delete(namespace: string, key: string): void {
    if (this.inner.get(namespace, key) === undefined && !this.versions.has(id(namespace, key))) return;
    this.record(namespace, key, undefined);
    this.inner.delete(namespace, key);
  }

  scan(namespace: string, range: ScanRange): Array<[string, StoredEntry]> {
    return this.inner.scan(namespace, range);
  }

  namespaces(now: number): string[] {
    return this.inner.namespaces(now);
  }

  atomically<T>(fn: () => T): T {
    return this.inner.atomically(fn);
  }

  close(): void {
    this.versions.clear();
    this.inner.close();
  }
}
