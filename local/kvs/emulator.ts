import { Clock, systemClock } from '../clock';
import { DEFAULT_VARIANTS, KvsVariants } from '../platform_variants';
import { batchDeleteOp, batchGetOp, batchSetOp } from './batch-ops';
import { expireTimeOf } from './entries';
import {
  ENTITY_SEPARATOR,
  entityDeleteOp,
  entityGetOp,
  entityNamespace,
  entityQueryOp,
  entitySetOp,
} from './entity-ops';
import { EntityDefinitions } from './entity_schema';
import { FaultInjector, KvsFaults } from './faults';
import { MemoryBackend } from './memory-backend';
import { Operation, refuse } from './operation';
import { queryOp } from './query-op';
import { toResponse } from './responses';
import { deleteOp, getOp, setOp } from './single-ops';
import { SqliteBackend } from './sqlite-backend';
import { KvsBackend } from './store';
import { transactionOp } from './transaction-op';
import { HistoryBackend } from './write_history';
import { Violation, badRequest, notEmulated } from './violation';

export type { KvsFaults } from './faults';

// The global timer rather than timers/promises, so tests that fake time can drive latency.
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface KvsEmulatorOptions {
  clock?: Clock;
  /** SQLite file for state that survives restarts; omit for a fast in-memory store. */
  file?: string;
  faults?: KvsFaults;
  /** Answers to the behaviours Forge's docs leave open; defaults to DEFAULT_VARIANTS.kvs. */
  variants?: Partial<KvsVariants>;
  /** The custom entities the app declares (manifest.yml `app.storage.entities`); none by default. */
  entities?: EntityDefinitions;
}

export interface KvsRequestInit {
  /** Defaults to POST, the only method the service accepts. */
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  /**
   * Who sends the request (the local runtime passes its invocation's id). Only the
   * transaction-conflict variant reads it: a write is concurrent with a transaction
   * only when somebody else made it.
   */
  writer?: string;
}

export interface KvsEntrySnapshot {
  key: string;
  value: unknown;
  createdAt: number;
  updatedAt: number;
  expireTime?: string;
}

const API_PREFIX = '/api/v1/';

const OPERATIONS: ReadonlyMap<string, Operation> = new Map([
  ['get', getOp],
  ['set', setOp],
  ['delete', deleteOp],
  ['query', queryOp],
  ['batch/get', batchGetOp],
  ['batch/set', batchSetOp],
  ['batch/delete', batchDeleteOp],
  ['transaction', transactionOp],
  ['entity/get', entityGetOp],
  ['entity/set', entitySetOp],
  ['entity/delete', entityDeleteOp],
  ['entity/query', entityQueryOp],
]);

/** 'get' for '/api/v1/get'; tolerates an absolute URL because the SDK's Mode B resolves paths against kvs.url. */
function operationName(path: string): string | undefined {
  let p = /^https?:\/\//i.test(path) ? new URL(path).pathname : path;
  const query = p.indexOf('?');
  if (query >= 0) p = p.slice(0, query);
  if (!p.startsWith('/')) p = '/' + p;
  return p.startsWith(API_PREFIX) ? p.slice(API_PREFIX.length) : undefined;
}

/**
 * The Forge KVS service for any number of installations, reachable through the same
 * wire protocol @forge/kvs speaks, so app code runs locally unchanged.
 */
export class KvsEmulator {
  private readonly clock: Clock;
  private readonly backend: KvsBackend;
  private readonly history: HistoryBackend | undefined;
  readonly variants: KvsVariants;
  readonly entities: EntityDefinitions;
  private faults: FaultInjector | undefined;
  private traceCounter = 0;
  private closed = false;

  constructor(opts: KvsEmulatorOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.variants = { ...DEFAULT_VARIANTS.kvs, ...opts.variants };
    this.entities = opts.entities ?? new Map();
    const stored = opts.file === undefined ? new MemoryBackend() : new SqliteBackend(opts.file);
    const keepMs = Math.max(
      this.variants.readLagMs.get,
      this.variants.readLagMs.batchGet,
      this.variants.transactionConflictWindowMs,
    );
    // History costs memory per write, so it is kept only when a variant reads it.
    this.history = keepMs > 0 ? new HistoryBackend(stored, () => this.clock.now(), keepMs) : undefined;
    this.backend = this.history ?? stored;
    this.setFaults(opts.faults);
  }

  /**
   * Serve one request exactly as the Forge KVS service would, for one installation's namespace.
   * Callers that bypass the SDK should read each body (`await res.text()`): Node keeps
   * unread Response bodies alive long enough to exhaust the heap over millions of calls.
   */
  async handle(namespace: string, path: string, init: KvsRequestInit = {}): Promise<Response> {
    this.assertOpen();
    if (typeof namespace !== 'string' || namespace.length === 0)
      throw new TypeError('namespace must be a non-empty string');
    const traceId = (++this.traceCounter).toString(16).padStart(16, '0');
    const reply = (v: Violation): Response => toResponse(refuse(v), traceId);

    if ((init.method ?? 'POST').toUpperCase() !== 'POST') {
      return reply(new Violation(405, 'METHOD_NOT_ALLOWED', 'Forge KVS accepts only POST'));
    }
    const name = operationName(path);
    const operation = name === undefined ? undefined : OPERATIONS.get(name);
    if (operation === undefined || name === undefined) {
      if (name?.startsWith('secret/')) return reply(notEmulated(501, `/api/v1/${name}`));
      return reply(new Violation(404, 'NOT_FOUND', `No KVS endpoint at ${path}`));
    }

    const fault = this.faults?.decide(name);
    // Without latency no timer is scheduled, so a request completes within microtasks.
    if (fault !== undefined && fault.delayMs > 0) {
      await sleep(fault.delayMs);
      this.assertOpen();
    }
    if (fault?.violation) return reply(fault.violation);

    const rawBody = init.body ?? '';
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return reply(badRequest('body is not valid JSON'));
    }
    const ctx = {
      backend: this.backend,
      namespace,
      now: this.clock.now(),
      rawBody,
      variants: this.variants,
      history: this.history,
      writer: init.writer,
      entities: this.entities,
    };
    // Operations run synchronously, so the writer set here is the one every write of this request records.
    this.history?.setWriter(init.writer);
    const result = operation(ctx, body);
    return toResponse(result, traceId);
  }

  /** Replaces the fault plan (and restarts its random sequence); undefined turns faults off. */
  setFaults(f: KvsFaults | undefined): void {
    this.faults = f === undefined ? undefined : new FaultInjector(f);
  }

  /** Inspection for tools and tests (not part of Forge's API): every live plain entry of a namespace. */
  entries(namespace: string): KvsEntrySnapshot[] {
    return this.snapshot(namespace);
  }

  /** Inspection for tools and tests: every live entity of one declared entity in a namespace. */
  entityEntries(namespace: string, entityName: string): KvsEntrySnapshot[] {
    return this.snapshot(entityNamespace(namespace, entityName));
  }

  private snapshot(namespace: string): KvsEntrySnapshot[] {
    this.assertOpen();
    const rows = this.backend.scan(namespace, { prefix: '', limit: Number.POSITIVE_INFINITY, now: this.clock.now() });
    return rows.map(([key, entry]) => {
      const snapshot: KvsEntrySnapshot = {
        key,
        value: JSON.parse(entry.value),
        createdAt: entry.createdAt,
        updatedAt: entry.updatedAt,
      };
      const expireTime = expireTimeOf(entry);
      if (expireTime !== undefined) snapshot.expireTime = expireTime;
      return snapshot;
    });
  }

  /** Namespaces that hold at least one live entry (plain or entity), sorted. */
  namespaces(): string[] {
    this.assertOpen();
    const all = this.backend.namespaces(this.clock.now()).map((ns) => ns.split(ENTITY_SEPARATOR)[0]);
    return [...new Set(all)].sort();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.backend.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('KvsEmulator is closed');
  }
}
