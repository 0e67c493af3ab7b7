import type Database from 'better-sqlite3';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { assertWritableFolder, PathProblem } from '../fs_checks';
import type { PendingDelivery } from '../events/emulator';
import type { SitePreset } from '../jira';
import type { Installation } from './forge_runtime';
import { openSqlite } from '../sqlite';

/**
 * The simulated installation that lives in a `--kvs-file`, next to its KVS data,
 * so that `npm start` can continue it and `npm run dev` can serve it: which
 * installation it is (its KVS namespace is keyed by installationId), the Jira
 * site it runs on, where its scheduled trigger fires within the interval, the
 * simulated clock, and the wake-up events pushed and not yet delivered. Without
 * this the file would hold data no later run could find, because each run would
 * make up a new installation; without the waiting wake-ups, a run that stops
 * between a push and its delivery would lose the event, and the report it was
 * timed for would wait for the next tick.
 *
 * The file is also claimed by the one tool using it (a holder row with its
 * process id), because two tools advancing one installation's clock at once
 * would each run the scheduler over the other's KVS writes.
 */

export interface SavedWorld {
  installation: Installation;
  site: SitePreset;
  seed: number;
  /** The installation's stable offset of its scheduled trigger within each interval. */
  offsetMs: number;
  /** When Forge first delivered the installed event: the origin of the trigger's schedule. */
  installEventAt: number;
  /** The simulated clock when the world was last saved (epoch ms). */
  now: number;
}

/**
 * The first scheduled tick strictly after `after`: Forge fires an installation's trigger at a
 * stable offset within each interval, counted here from the installed event. `npm start` and
 * `npm run dev` both step a saved installation's clock along this grid, so either can pick up
 * where the other stopped.
 */
export function nextTickAfter(
  grid: Pick<SavedWorld, 'installEventAt' | 'offsetMs'>,
  intervalMs: number,
  after: number,
): number {
  const origin = grid.installEventAt + grid.offsetMs;
  return origin + (Math.floor((after - origin) / intervalMs) + 1) * intervalMs;
}

export interface Holder {
  pid: number;
  command: string;
}

/** Why a file cannot serve as a local world; `reason` completes a sentence about the file. */
export class WorldFileError extends PathProblem {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'WorldFileError';
  }
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const OUR_TABLES = new Set(['kvs_entries', 'local_world']);
const SCHEMA = 'CREATE TABLE IF NOT EXISTS local_world (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The first bytes of `file`, or fewer if it is shorter. */
function head(file: string, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    return buf.subarray(0, readSync(fd, buf, 0, length, 0));
  } finally {
    closeSync(fd);
  }
}

function sqliteReason(err: unknown, file: string): string {
  const code = (err as { code?: string }).code ?? '';
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return 'is not a SQLite database, or is damaged';
  if (code.startsWith('SQLITE_READONLY')) return 'is read-only (the file, or the folder SQLite keeps its journal in)';
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return `cannot be opened for writing (SQLite also needs to create ${path.basename(file)}-wal in its folder)`;
  }
  if (code.startsWith('SQLITE_BUSY')) return 'is locked by another program';
  return `cannot be used: ${(err as Error).message}`;
}

const str = (v: unknown) => typeof v === 'string' && v.length > 0;
const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseWorld(text: string): SavedWorld {
  const w = JSON.parse(text) as Partial<SavedWorld> & { installation?: Partial<Installation> };
  if (
    !w.installation ||
    !str(w.installation.installationId) ||
    !str(w.installation.cloudId) ||
    !str(w.installation.siteAri) ||
    !str(w.site) ||
    !num(w.seed) ||
    !num(w.offsetMs) ||
    !num(w.installEventAt) ||
    !num(w.now)
  ) {
    throw new Error('missing or mistyped fields');
  }
  return w as SavedWorld;
}

function parsePending(text: string): PendingDelivery[] {
  const list = JSON.parse(text) as unknown;
  if (!Array.isArray(list)) throw new Error('not a list');
  for (const d of list as unknown[]) {
    if (
      !isObject(d) ||
      !num(d.at) ||
      !num(d.scheduledAt) ||
      !num(d.enqueuedAt) ||
      !str(d.installationId) ||
      !str(d.queueName) ||
      !str(d.jobId) ||
      !str(d.eventId) ||
      !str(d.chain) ||
      !num(d.retryCount) ||
      typeof d.duplicate !== 'boolean' ||
      !isObject(d.event) ||
      !isObject(d.event.body)
    ) {
      throw new Error('a waiting event with missing or mistyped fields');
    }
  }
  return list as PendingDelivery[];
}

export class WorldFile {
  private constructor(
    readonly file: string,
    private readonly db: Database.Database,
    private readonly holding: boolean,
  ) {}

  /**
   * Opens (or creates) `file` as a local world. With `holder`, claims it for this process and
   * refuses when another live process holds it. Throws WorldFileError saying what is wrong.
   */
  static open(file: string, holder?: string): WorldFile {
    let exists = true;
    try {
      const stat = statSync(file);
      if (stat.isDirectory()) throw new WorldFileError('is a folder, not a file');
      if (!stat.isFile()) throw new WorldFileError('is not a regular file');
      if (stat.size > 0 && !head(file, SQLITE_HEADER.length).equals(SQLITE_HEADER)) {
        throw new WorldFileError('is not a SQLite database (give a new file name, or a file --kvs-file made before)');
      }
    } catch (err) {
      if (err instanceof PathProblem) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new WorldFileError(`cannot be read (${(err as NodeJS.ErrnoException).code})`, { cause: err });
      }
      exists = false;
      assertWritableFolder(path.dirname(file));
    }

    let db: Database.Database | undefined;
    try {
      db = openSqlite(file);
      const tables = db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((t) => t.name);
      const foreign = tables.filter((t) => !OUR_TABLES.has(t));
      if (exists && foreign.length > 0 && !tables.some((t) => OUR_TABLES.has(t))) {
        throw new WorldFileError(
          `is a SQLite database of something else (tables ${foreign.slice(0, 3).join(', ')}), not a local KVS file`,
        );
      }
      // As the KVS backend has it, so the two connections agree on the journal; NORMAL keeps the
      // clock saved after every tick from costing a disk sync each.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(SCHEMA);
      // A file can open read-write and still refuse writes (a read-only file or mount): find out now.
      db.prepare("INSERT OR REPLACE INTO local_world (key, value) VALUES ('write-probe', '')").run();
      db.prepare("DELETE FROM local_world WHERE key = 'write-probe'").run();
      const world = new WorldFile(file, db, holder !== undefined);
      if (holder !== undefined) world.claim(holder);
      return world;
    } catch (err) {
      db?.close();
      if (err instanceof WorldFileError) throw err;
      throw new WorldFileError(sqliteReason(err, file), { cause: err });
    }
  }

  /** The live process other than this one that holds the file, if any. */
  heldBy(): Holder | undefined {
    const row = this.db
      .prepare<[string], { value: string }>('SELECT value FROM local_world WHERE key = ?')
      .get('holder');
    if (!row) return undefined;
    const h = JSON.parse(row.value) as Holder;
    return h.pid !== process.pid && alive(h.pid) ? h : undefined;
  }

  private claim(command: string): void {
    this.db
      .transaction(() => {
        const other = this.heldBy();
        if (other) {
          throw new WorldFileError(
            `is in use by ${other.command} (process ${other.pid}); stop it (Ctrl-C) before using the file here`,
          );
        }
        this.put('holder', JSON.stringify({ pid: process.pid, command } satisfies Holder));
      })
      .immediate();
  }

  private get(key: string): string | undefined {
    return this.db.prepare<[string], { value: string }>('SELECT value FROM local_world WHERE key = ?').get(key)?.value;
  }

  /** The installation saved in the file, if one was. */
  load(): SavedWorld | undefined {
    const text = this.get('installation');
    if (text === undefined) return undefined;
    try {
      return parseWorld(text);
    } catch (err) {
      throw new WorldFileError('holds a damaged installation record; use a new file', { cause: err });
    }
  }

  /** The wake-up events pushed for the installation and not yet delivered when it was last saved. */
  loadPendingEvents(): PendingDelivery[] {
    // A file saved before wake-ups were kept has none waiting.
    const text = this.get('pending-events');
    if (text === undefined) return [];
    try {
      return parsePending(text);
    } catch (err) {
      throw new WorldFileError('holds a damaged list of waiting wake-up events; use a new file', { cause: err });
    }
  }

  save(world: SavedWorld): void {
    this.put('installation', JSON.stringify(world));
  }

  /**
   * Moves the saved clock and replaces the waiting wake-ups with `pendingEvents`, in one
   * transaction: a run stopped at any point leaves a clock and the events still due after it,
   * never one without the other. The rest of the record stays.
   */
  saveProgress(now: number, pendingEvents: readonly PendingDelivery[]): void {
    this.db
      .transaction(() => {
        const world = this.load();
        if (!world) return;
        this.save({ ...world, now });
        this.put('pending-events', JSON.stringify(pendingEvents));
      })
      .immediate();
  }

  close(): void {
    if (!this.db.open) return;
    if (this.holding) {
      this.db
        .prepare("DELETE FROM local_world WHERE key = 'holder' AND json_extract(value, '$.pid') = ?")
        .run(process.pid);
    }
    this.db.close();
  }

  private put(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO local_world (key, value) VALUES (?, ?)').run(key, value);
  }
}

/** What a file holds, for checking a command line: opened without claiming it, then closed. */
export function inspectWorldFile(file: string): { exists: boolean; world?: SavedWorld; heldBy?: Holder } {
  let existed = true;
  try {
    statSync(file);
  } catch {
    existed = false;
  }
  if (!existed) {
    // Nothing to read: only whether it can be created. Creating it here would leave a file
    // behind when a later option turns out to be wrong.
    assertWritableFolder(path.dirname(file));
    return { exists: false };
  }
  const wf = WorldFile.open(file);
  try {
    const world = wf.load();
    // Read now so that damage is reported before a run starts, not halfway through it.
    if (world) wf.loadPendingEvents();
    return { exists: true, world, heldBy: wf.heldBy() };
  } finally {
    wf.close();
  }
}
