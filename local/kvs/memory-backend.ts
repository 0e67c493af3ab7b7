import { KvsBackend, ScanRange, StoredEntry, isLive } from './store';

/**
 * One installation's entries. Gets and sets must stay O(1) for soak tests, so the sorted
 * key list that queries need is only rebuilt when a query finds it stale; appending keys
 * in ascending order (timestamps, counters) keeps it fresh for free.
 */
class NamespaceTable {
  readonly rows = new Map<string, StoredEntry>();
  private order: string[] = [];
  private orderFresh = true;

  put(key: string, entry: StoredEntry): void {
    if (!this.rows.has(key) && this.orderFresh) {
      const last = this.order[this.order.length - 1];
      if (last === undefined || key > last) this.order.push(key);
      else this.orderFresh = false;
    }
    this.rows.set(key, entry);
  }

  delete(key: string): void {
    if (!this.rows.delete(key) || !this.orderFresh) return;
    if (this.order[this.order.length - 1] === key) this.order.pop();
    else this.orderFresh = false;
  }

  sortedKeys(): readonly string[] {
    if (!this.orderFresh) {
      this.order = Array.from(this.rows.keys()).sort();
      this.orderFresh = true;
    }
    return this.order;
  }
}

/** First index whose key is >= target (or > target when `strict`). */
function lowerBound(keys: readonly string[], target: string, strict: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid] as string;
    if (k < target || (strict && k === target)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class MemoryBackend implements KvsBackend {
  private readonly tables = new Map<string, NamespaceTable>();

  get(namespace: string, key: string): StoredEntry | undefined {
    return this.tables.get(namespace)?.rows.get(key);
  }

  put(namespace: string, key: string, entry: StoredEntry): void {
    let table = this.tables.get(namespace);
    if (table === undefined) {
      table = new NamespaceTable();
      this.tables.set(namespace, table);
    }
    table.put(key, entry);
  }

  delete(namespace: string, key: string): void {
    const table = this.tables.get(namespace);
    if (table === undefined) return;
    table.delete(key);
    // Dropping empty tables keeps namespaces() honest after an uninstall-style wipe.
    if (table.rows.size === 0) this.tables.delete(namespace);
  }

  scan(namespace: string, range: ScanRange): Array<[string, StoredEntry]> {
    const table = this.tables.get(namespace);
    const found: Array<[string, StoredEntry]> = [];
    if (table === undefined) return found;
    const keys = table.sortedKeys();
    let i = lowerBound(keys, range.prefix, false);
    if (range.after !== undefined) i = Math.max(i, lowerBound(keys, range.after, true));
    for (; i < keys.length && found.length < range.limit; i++) {
      const key = keys[i] as string;
      if (!key.startsWith(range.prefix)) break;
      const entry = table.rows.get(key) as StoredEntry;
      if (isLive(entry, range.now)) found.push([key, entry]);
    }
    return found;
  }

  namespaces(now: number): string[] {
    const live: string[] = [];
    for (const [namespace, table] of this.tables) {
      for (const entry of table.rows.values()) {
        if (isLive(entry, now)) {
          live.push(namespace);
          break;
        }
      }
    }
    return live.sort();
  }

  atomically<T>(fn: () => T): T {
    // Writes are synchronous and validated before they start, so nothing can interleave
    // or fail half-way: running fn is already all-or-nothing.
    return fn();
  }

  close(): void {
    this.tables.clear();
  }
}
