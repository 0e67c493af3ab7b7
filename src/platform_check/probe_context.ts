import api, { route } from '@forge/api';
import { keys, store } from '../storage';
import type { RawAnswer } from '../storage/kvs_store';

/**
 * What a probe may do: KVS requests through the storage module's raw answers,
 * counted against a budget and confined to the run's scratch keys; a few Jira
 * reads; and waiting. Every scratch key written is remembered for clean-up.
 */

export class BudgetExhausted extends Error {}

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

export class ProbeContext {
  kvsUsed = 0;
  jiraUsed = 0;
  readonly written = new Set<string>();
  readonly prefix: string;

  constructor(
    readonly runId: string,
    readonly cloudId: string,
    readonly budget: { kvsRequests: number; jiraRequests: number },
    readonly deps: ProbeDeps,
  ) {
    this.prefix = keys.platformCheckPrefix(runId);
  }

  /** A scratch key of this run; the only keys a probe may write. */
  key(name: string): string {
    return keys.platformCheckKey(this.runId, name);
  }

  private spend(kind: 'kvs' | 'jira', n = 1): void {
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
    set: (key: string, value: unknown, opts?: Parameters<RawKvs['set']>[2]) => {
      this.spend('kvs');
      this.written.add(this.scratch(key));
      return store.rawKvs.set(key, value, opts);
    },
    batchGet: (keyList: readonly string[]) => {
      this.spend('kvs');
      return store.rawKvs.batchGet(keyList);
    },
    /** Items whose key is not a valid KVS key at all may be sent: KVS cannot store them. */
    batchSet: (items: ReadonlyArray<{ key: string; value: unknown }>) => {
      this.spend('kvs');
      for (const i of items) if (/^[a-zA-Z0-9:._\s\-#]+$/.test(i.key)) this.written.add(this.scratch(i.key));
      return store.rawKvs.batchSet(items);
    },
    query: (limit: number) => {
      this.spend('kvs');
      return store.rawKvs.query(this.prefix, limit);
    },
    transactSet: (sets: ReadonlyArray<{ key: string; value: unknown }>) => {
      this.spend('kvs');
      for (const s of sets) this.written.add(this.scratch(s.key));
      return store.rawKvs.transactSet(sets);
    },
    /** The one key outside the scratch space a probe reads (never writes): the installation evidence. */
    readEvidence: () => {
      this.spend('kvs');
      return store.rawKvs.get(keys.installationEvidence(this.cloudId));
    },
  };

  /** Deletes every scratch key written; returns those that could not be deleted. Outside the budget. */
  async cleanUp(): Promise<string[]> {
    const left: string[] = [];
    for (const key of [...this.written].sort()) {
      const answer: RawAnswer = await store.rawKvs.delete(key);
      if (!answer.ok) left.push(key);
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
