import api, { route } from '@forge/api';
import { CLAIM_ENTITY, keys, store } from '../storage';
import type { EntityRef, Equalities } from '../storage/kvs_store';

/**
 * What a probe may do: KVS requests through the storage module's raw answers,
 * counted against a budget and confined to the run's scratch keys; a few Jira
 * reads; and waiting. Every scratch key written is remembered for clean-up, and
 * is written with a TTL (SCRATCH_TTL_SECONDS) unless the probe asks for its own:
 * a key that clean-up cannot delete, or that a stopped resolver leaves, expires.
 * No request is sent and no wait begun past `stopAt`, so the check keeps the end
 * of the resolver's time for its clean-up and its audit entry.
 */

export class BudgetExhausted extends Error {}
/** The check has reached the instant it stops probing at. */
export class OutOfTime extends Error {}

/** Scratch keys expire on their own after an hour, cleaned up or not. */
export const SCRATCH_TTL_SECONDS = 3_600;

export interface JiraAnswer {
  status: number;
  body: unknown;
}

export interface ProbeDeps {
  /** Waits `ms` of platform time (a timer in production; the simulated clock locally). */
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

type RawKvs = typeof store.rawKvs;

/** Forge's most keys in one batch request. */
const BATCH_MAX = 25;

export class ProbeContext {
  kvsUsed = 0;
  jiraUsed = 0;
  readonly written = new Set<string>();
  /** Scratch records of the ledger's entity written (a key under the scratch prefix each). */
  readonly recordsWritten = new Set<string>();
  readonly prefix: string;

  constructor(
    readonly runId: string,
    readonly cloudId: string,
    readonly budget: { kvsRequests: number; jiraRequests: number },
    readonly deps: ProbeDeps,
    /** No request is sent, and no wait begun that would end, at or after this instant. */
    readonly stopAt: number = Infinity,
  ) {
    this.prefix = keys.platformCheckPrefix(runId);
  }

  private inTime(until: number = this.deps.now()): void {
    if (until >= this.stopAt) throw new OutOfTime('time the check keeps for its clean-up');
  }

  /** Waits `ms` of platform time, unless that would run into the time kept for clean-up. */
  async wait(ms: number): Promise<void> {
    this.inTime(this.deps.now() + ms);
    await this.deps.sleep(ms);
  }

  /** A scratch key of this run; the only keys a probe may write. */
  key(name: string): string {
    return keys.platformCheckKey(this.runId, name);
  }

  private spend(kind: 'kvs' | 'jira', n = 1): void {
    this.inTime();
    if (kind === 'kvs' && this.kvsUsed + n > this.budget.kvsRequests) throw new BudgetExhausted('KVS request budget');
    if (kind === 'jira' && this.jiraUsed + n > this.budget.jiraRequests) throw new BudgetExhausted('Jira budget');
    if (kind === 'kvs') this.kvsUsed += n;
    else this.jiraUsed += n;
  }

  private scratch(key: string): string {
    if (!key.startsWith(this.prefix)) throw new Error(`A probe may only write its scratch keys, not ${key}`);
    return key;
  }

  /** The KVS calls a probe may make; writes only under the scratch prefix. */
  readonly kvs = {
    get: (key: string) => {
      this.spend('kvs');
      return store.rawKvs.get(key);
    },
    set: (key: string, value: unknown, opts: Parameters<RawKvs['set']>[2] = {}) => {
      this.spend('kvs');
      this.written.add(this.scratch(key));
      return store.rawKvs.set(key, value, { ttlSeconds: SCRATCH_TTL_SECONDS, ...opts });
    },
    batchGet: (keyList: readonly string[]) => {
      this.spend('kvs');
      return store.rawKvs.batchGet(keyList);
    },
    /** Items whose key is not a valid KVS key at all may be sent: KVS cannot store them. */
    batchSet: (items: ReadonlyArray<{ key: string; value: unknown }>) => {
      this.spend('kvs');
      for (const i of items) if (/^[a-zA-Z0-9:._\s\-#]+$/.test(i.key)) this.written.add(this.scratch(i.key));
      return store.rawKvs.batchSet(items, SCRATCH_TTL_SECONDS);
    },
    query: (limit: number) => {
      this.spend('kvs');
      return store.rawKvs.query(this.prefix, limit);
    },
    transactSet: (sets: ReadonlyArray<{ key: string; value: unknown }>) => {
      this.spend('kvs');
      for (const s of sets) this.written.add(this.scratch(s.key));
      return store.rawKvs.transactSet(sets, SCRATCH_TTL_SECONDS);
    },
    /**
     * A scratch record of the ledger's entity (CLAIM_ENTITY), under a scratch key, with the
     * scratch TTL: what the conditional-transaction probes ask about. Its `cloud_id` is the
     * run, not the site, so the site's own listing of its records never shows it.
     */
    record: (name: string) => ({ entity: CLAIM_ENTITY, key: this.key(name) }) as EntityRef,
    recordValue: (version: number) => ({
      schema_version: 1,
      cloud_id: this.prefix,
      trigger: 'PLATFORM_CHECK',
      version,
      status: 'idle',
      holder: `platform-check:${this.runId}`,
    }),
    recordSet: (ref: EntityRef, value: object) => {
      this.spend('kvs');
      this.recordsWritten.add(this.scratch(ref.key));
      return store.rawKvs.recordSet(ref, value, SCRATCH_TTL_SECONDS);
    },
    recordSetIf: (ref: EntityRef, value: object, condition: { equalTo: Equalities } | { notExists: string }) => {
      this.spend('kvs');
      this.recordsWritten.add(this.scratch(ref.key));
      return store.rawKvs.recordSetIf(ref, value, condition, SCRATCH_TTL_SECONDS);
    },
    /** The one key outside the scratch space a probe reads (never writes): the installation evidence. */
    readEvidence: () => {
      this.spend('kvs');
      return store.rawKvs.get(keys.installationEvidence(this.cloudId));
    },
  };

  /**
   * Deletes every scratch key written, and `alongside` (the run's lock), in batches of 25: one
   * request for a whole run, so clean-up fits the time kept for it however slow storage is.
   * Returns the scratch keys KVS did not confirm deleted; their TTL removes them within the
   * hour. Outside the budget and past `stopAt`.
   */
  async cleanUp(alongside: readonly string[] = []): Promise<string[]> {
    const scratch = [...this.written].sort();
    const records = [...this.recordsWritten].sort().map((key): EntityRef => ({ entity: CLAIM_ENTITY, key }));
    const left: string[] = [];
    const all = [...scratch, ...records, ...alongside];
    const isScratch = (r: string | EntityRef) => (typeof r === 'string' ? scratch.includes(r) : true);
    const keyOf = (r: string | EntityRef) => (typeof r === 'string' ? r : r.key);
    for (let i = 0; i < all.length; i += BATCH_MAX) {
      const batch = all.slice(i, i + BATCH_MAX);
      const answer = await store.rawKvs.batchDelete(batch);
      const deleted = new Set(answer.ok ? answer.successfulKeys.map((k) => k.key) : []);
      left.push(...batch.filter((r) => isScratch(r) && !deleted.has(keyOf(r))).map(keyOf));
    }
    return left;
  }

  private async jira(as: 'app' | 'user', path: ReturnType<typeof route>, init?: RequestInit): Promise<JiraAnswer> {
    this.spend('jira');
    const requester = as === 'app' ? api.asApp() : api.asUser();
    const response = await requester.requestJira(path, {
      ...init,
      headers: { Accept: 'application/json', ...(init?.body ? { 'Content-Type': 'application/json' } : {}) },
    } as Parameters<typeof requester.requestJira>[1]);
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  }

  readonly jiraAsApp = (path: ReturnType<typeof route>, init?: RequestInit) => this.jira('app', path, init);
  readonly jiraAsUser = (path: ReturnType<typeof route>, init?: RequestInit) => this.jira('user', path, init);
}
