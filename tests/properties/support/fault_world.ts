import type fc from 'fast-check';
import type { PendingDelivery } from '../../../local/events/emulator';
import type { Installation, SeamCall } from '../../../local/runtime/forge_runtime';
import { DEFAULT_START, LocalApp } from '../../../local/runtime/local_app';
import { SCHEDULER_BACKOFF } from '../../../src/scheduled/backoff';
import { SCHEDULER } from '../../../src/scheduled/config';
import type { AutoTrigger } from '../../../src/storage/keys';
import { CONFIRMATIONS } from '../../../src/admin/contract';
import {
  AdminAction,
  AdminPlan,
  CallAction,
  CallSite,
  EvidenceCorruption,
  History,
  HOUR,
  INTERVAL_MS,
  InvocationPlan,
  KvsFault,
  StateCorruption,
  Step,
} from './history';

/**
 * Plays a History against the real thing: the handler manifest.yml names, run by
 * the local Forge runtime's invoker, the real @forge/kvs SDK, the KVS emulator,
 * the Jira emulator, all on a ManualClock. During the fault phase every KVS and
 * Jira call is parked on a promise and a fast-check scheduler decides which parked
 * call goes next, so concurrent duplicates interleave at every storage call.
 * Everything the seam saw is recorded for the invariant checks (invariants.ts).
 */

export const TRIGGERS: readonly AutoTrigger[] = ['AUTO_12H', 'AUTO_24H'];

export interface CallRecord {
  invocation: string;
  cloudId: string;
  index: number;
  op: string;
  site: CallSite;
  body: unknown;
  keys: string[];
  /** 'pass', a KvsFault, 'crash' or 'stall'. */
  action: string;
  /** Simulated time when the call was served (or dropped). */
  at: number;
  /** Position in the world's order of events (interceptions and services), when the call was made. */
  seq: number;
  /** The call reached the KVS service and was applied (for a write) or answered (for a read). */
  served: boolean;
  /** Position in the same order when the service answered it. */
  servedSeq?: number;
  /** What the service answered, before any fault spoiled the reply. */
  serviceStatus?: number;
}

export interface InvocationRecord {
  label: string;
  cloudId: string;
  phase: 'install' | 'fault' | 'recovery';
  /** What started it: the trigger's tick, or a wake-up event delivered to the consumer. */
  source?: 'tick' | 'wake-up';
  startedAt: number;
  endedAt?: number;
  killed: boolean;
  /** The handler's return value, exactly as Forge would receive it. */
  response?: unknown;
  /** Set for a call of the admin page's resolver (everything else is the scheduler or the installed event). */
  admin?: { action: AdminAction };
  thrown?: unknown;
  calls: CallRecord[];
}

export interface Tenant {
  inst: Installation;
  installedAt: number;
}

/** The part of fast-check's Scheduler the world uses, so hand-written regressions can pass a plain one. */
export type Interleaver = Pick<fc.Scheduler, 'schedule' | 'count' | 'waitNext'>;

/** Parked calls released in the order they were parked: for regressions whose interleaving does not matter. */
export function inOrder(): Interleaver {
  const queue: Array<() => void> = [];
  return {
    schedule: <T>(task: Promise<T>) =>
      new Promise<T>((resolve, reject) => {
        queue.push(() => void task.then(resolve, reject));
      }),
    count: () => queue.length,
    waitNext: async (n: number) => {
      for (let i = 0; i < n; i++) queue.shift()?.();
    },
  };
}

interface Live {
  record: InvocationRecord;
  plan?: InvocationPlan;
  jiraDown?: boolean;
}

const WRITE_OPS = new Set(['set', 'delete', 'batch/set', 'batch/delete', 'transaction', 'entity/set', 'entity/delete']);

export function isWrite(op: string): boolean {
  return WRITE_OPS.has(op);
}

/** Every KVS key a request body names (get/set/delete, batches, transactions). */
export function keysOf(body: unknown): string[] {
  const out: string[] = [];
  const visit = (item: unknown) => {
    if (item && typeof item === 'object' && typeof (item as { key?: unknown }).key === 'string') {
      out.push((item as { key: string }).key);
    }
  };
  if (Array.isArray(body)) body.forEach(visit);
  else if (body && typeof body === 'object') {
    visit(body);
    const b = body as { set?: unknown[]; delete?: unknown[]; check?: unknown[]; where?: Array<{ values?: unknown[] }> };
    (b.set ?? []).forEach(visit);
    (b.delete ?? []).forEach(visit);
    (b.check ?? []).forEach(visit);
    for (const w of b.where ?? []) for (const v of w.values ?? []) if (typeof v === 'string') out.push(v);
  }
  return out;
}

/** The Jira administrator who acts on the admin page in generated histories. */
export const ADMIN_ACCOUNT = '5b10a2844c20165700ede21g';
const ADMIN_PAGE = 'phase5-admin-page';

/** The resolver function and payload each admin action is; `now` is when the admin asks (Record installation: "installed now"). */
export function adminCall(action: AdminAction, now: number): { functionKey: string; payload: unknown } {
  const trigger = action.endsWith('12h') ? 'AUTO_12H' : 'AUTO_24H';
  switch (action) {
    case 'reset-12h':
    case 'reset-24h':
      return { functionKey: 'resetTrigger', payload: { trigger, confirmation: CONFIRMATIONS.resetTrigger(trigger) } };
    case 'retry-12h':
    case 'retry-24h':
      return { functionKey: 'retryTrigger', payload: { trigger, confirmation: CONFIRMATIONS.retryTrigger(trigger) } };
    case 'manual':
      return {
        functionKey: 'generateManualReport',
        payload: { confirmation: CONFIRMATIONS.generateManualReport() },
      };
    case 'record-installation':
      return {
        functionKey: 'recordInstallation',
        payload: { confirmation: CONFIRMATIONS.recordInstallation(), installedAt: new Date(now).toISOString() },
      };
  }
}

export const keysFor = (cloudId: string) => ({
  evidence: `phase4:evidence:installation:${cloudId}`,
  state: `phase5:scheduler:state:${cloudId}`,
  done: (t: AutoTrigger) => `phase5:scheduler:${cloudId}:${t}:DONE`,
  report: (t: AutoTrigger) => `phase5:report:${cloudId}:${t}`,
  record: (t: AutoTrigger | 'MANUAL') => `phase5:claim:${cloudId}:${t}`,
  reportPrefix: `phase5:report:${cloudId}:`,
  adminEntryPrefix: `phase5:admin:${cloudId}:`,
});

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** A reply spoiled on its way back from a service that did apply the call. */
async function spoil(fault: KvsFault, op: string, served: Response): Promise<Response> {
  if (fault === 'lost-reply-500') {
    return jsonResponse(500, { code: 'INTERNAL_SERVER_ERROR', message: 'An internal server error has occurred' });
  }
  if (fault === 'garbled-2xx') return new Response('<html><body>502 Bad Gateway</body></html>', { status: 200 });
  // partial-2xx: well-formed JSON that quietly leaves items out.
  if (!served.ok) return served;
  if (op.startsWith('batch/')) {
    const parsed = JSON.parse(await served.text()) as { successfulKeys?: unknown[] };
    return jsonResponse(200, { successfulKeys: (parsed.successfulKeys ?? []).slice(0, 1), failedKeys: [] });
  }
  return jsonResponse(200, {});
}

function refusal(fault: KvsFault, op: string): Response {
  if (fault === 'throttled-429') {
    const code = op === 'transaction' ? 'TOO_MANY_REQUESTS' : 'RATE_LIMIT_EXCEEDED';
    return jsonResponse(429, { code, message: 'Rate limit exceeded' });
  }
  return jsonResponse(500, { code: 'INTERNAL_SERVER_ERROR', message: 'An internal server error has occurred' });
}

/** Jira answers a read; nothing to apply, so every fault is just a different answer. */
function jiraFault(fault: KvsFault): Response {
  if (fault === 'transport') throw new TypeError('fetch failed');
  if (fault === 'throttled-429') return jsonResponse(429, { errorMessages: ['Rate limit exceeded'] });
  if (fault === 'garbled-2xx') return new Response('<html><body>502 Bad Gateway</body></html>', { status: 200 });
  if (fault === 'partial-2xx') return jsonResponse(200, {});
  return jsonResponse(fault === 'server-500' ? 503 : 500, { errorMessages: ['Service unavailable'] });
}

/** What a transaction of the scheduler's is: a commit (stores a DONE key), a claim (a record taken), or another transition. */
export function transactionKind(body: unknown): 'commit' | 'claim' | 'other' {
  const sets = ((body as { set?: Array<{ key: string; entityName?: string; value?: { status?: string } }> })?.set ??
    []) as Array<{ key: string; entityName?: string; value?: { status?: string } }>;
  if (sets.some((x) => x.entityName === undefined && x.key.endsWith(':DONE'))) return 'commit';
  if (sets.some((x) => x.entityName === 'claim' && x.value?.status === 'held')) return 'claim';
  return 'other';
}

/** Which of the scheduler's call sites a call is, from its operation and keys. */
function siteOf(op: string, body: unknown, keys: string[]): CallSite {
  if (op === 'jira') return 'jira';
  if (op === 'batch/get') return 'read';
  if (op === 'transaction') {
    const kind = transactionKind(body);
    return kind === 'commit' ? 'commit' : kind === 'claim' ? 'claim' : 'state-save';
  }
  if (op === 'entity/get') return 'claim-read';
  if (op === 'get') return keys.some((k) => k.startsWith('phase5:scheduler:state:')) ? 'read' : 'report-read';
  return 'state-save';
}

const REFUSED: ReadonlySet<KvsFault> = new Set<KvsFault>(['throttled-429', 'server-500', 'transport']);

export interface WorldOptions {
  /** Installations sharing this world; by default one. */
  tenants?: Array<{ cloudId?: string; installationId?: string; installedAfterMs?: number }>;
  /**
   * A local app to play in instead of a new one (see sharedApp): each world then
   * brings fresh installations, resets the clock, and removes its data when disposed.
   */
  app?: LocalApp;
  /**
   * Deliver the wake-ups that fall due between the fault phase's ticks, and those waiting
   * when faults stop, at their instants, as Forge does (fault-free, Jira up), rather than
   * leaving them to the first recovery tick, which may come up to an interval later.
   */
  wakeUpsDuringFaults?: boolean;
}

/**
 * One local app for many worlds. Every LocalApp installs the seam's globals and an
 * AsyncLocalStorage that stays enabled for good (it is how a stopped invocation is
 * recognised after its runtime is gone), and each enabled store is carried along
 * every promise made afterwards: a fresh app per history would make the thousandth
 * history ten times slower than the first.
 */
export function sharedApp(): LocalApp {
  return new LocalApp({ jiraAdmins: [ADMIN_ACCOUNT] });
}

export class FaultWorld {
  readonly app: LocalApp;
  readonly tenants: Tenant[] = [];
  readonly invocations: InvocationRecord[] = [];
  readonly calls: CallRecord[] = [];
  /** Simulated time at which faults stopped (end of the fault phase). */
  faultsStoppedAt = 0;
  /** Spells during which a tenant's evidence was corrupt, as ranges of invocation numbers (launch order). */
  readonly evidenceCorrupt: Array<{ cloudId: string; from: number; to: number }> = [];
  doneCorrupted = false;
  /** Each tenant's storage the moment faults stopped, by cloudId. */
  readonly storedAtFaultStop = new Map<string, Map<string, unknown>>();
  /** Each tenant's ledger records the moment faults stopped, by cloudId. */
  readonly recordsAtFaultStop = new Map<string, Map<string, Record<string, unknown>>>();
  readonly live = new Map<Installation, Live>();
  private readonly seam: { world?: FaultWorld } = { world: this };
  private readonly ownsApp: boolean;
  private scheduler: Interleaver | undefined;
  private lastTickAt = -Infinity;
  private sequence = 0;
  /** Calls currently held at the seam waiting for the scheduler. */
  private parked = 0;
  private events = 0;
  private tickOffsetMs = 0;
  private readonly wakeUpsDuringFaults: boolean;

  constructor(opts: WorldOptions = {}) {
    // The runtime reaches this world only through `seam`, which dispose() empties (see there).
    const seam = this.seam;
    const interceptor = (call: SeamCall) => seam.world?.intercept(call);
    this.ownsApp = opts.app === undefined;
    this.wakeUpsDuringFaults = opts.wakeUpsDuringFaults ?? false;
    this.app = opts.app ?? new LocalApp({ interceptor, jiraAdmins: [ADMIN_ACCOUNT] });
    // Each invocation runs on a host of its own; its plan says how far that host's clock is off.
    this.app.runtime.hostClockOffset = (inv) => seam.world?.live.get(inv.installation)?.plan?.skewMs ?? 0;
    if (opts.app) {
      this.app.runtime.interceptor = interceptor;
      this.app.clock.set(DEFAULT_START);
    }
    const start = this.app.clock.now();
    for (const spec of opts.tenants ?? [{}]) {
      const inst = this.app.newInstallation(spec.cloudId);
      if (spec.installationId) inst.installationId = spec.installationId;
      this.tenants.push({ inst, installedAt: start + (spec.installedAfterMs ?? 0) });
    }
  }

  dispose(): void {
    // Jest keeps every value ever assigned to a global (the seam's __forge_fetch__ among them)
    // until the test file ends; cut the runtime loose from this world so it is not kept too.
    this.seam.world = undefined;
    this.app.runtime.hostClockOffset = undefined;
    if (this.ownsApp) {
      this.app.dispose();
      return;
    }
    this.app.runtime.interceptor = undefined;
    this.app.jira?.requestLog.splice(0);
    for (const namespace of new Set(this.tenants.map((t) => t.inst.installationId))) {
      for (const { key } of this.app.kvs.entries(namespace)) {
        void this.app.kvs.handle(namespace, '/api/v1/delete', { method: 'POST', body: JSON.stringify({ key }) });
      }
      for (const { key } of this.app.kvs.entityEntries(namespace, 'claim')) {
        const body = JSON.stringify({ entityName: 'claim', key });
        void this.app.kvs.handle(namespace, '/api/v1/entity/delete', { method: 'POST', body });
      }
    }
  }

  get now(): number {
    return this.app.clock.now();
  }

  /** Phase-4 evidence written by the real lifecycle handler, at each tenant's installation instant. */
  async install(): Promise<void> {
    for (const t of [...this.tenants].sort((a, b) => a.installedAt - b.installedAt)) {
      this.app.clock.set(t.installedAt);
      await this.launch(t.inst, 'install', 'install');
    }
  }

  // -------------------------------------------------------------------------
  // The seam.

  async intercept(call: SeamCall): Promise<Response | void> {
    // Pushes go to the async events emulator as they are; what happens to the events is its faults' business.
    if (call.service === 'events') return undefined;
    const live = this.live.get(call.invocation.installation);
    const op = call.service === 'jira' ? 'jira' : call.path.replace(/^\/api\/v1\//, '');
    let body: unknown;
    try {
      body = call.body === undefined ? undefined : JSON.parse(call.body);
    } catch {
      body = call.body;
    }
    const keys = call.service === 'kvs' ? keysOf(body) : [];
    let site = siteOf(op, body, keys);
    // After a refused commit the holder reads its own claim back (did the commit land?).
    if (site === 'claim-read' && live?.record.calls.some((c) => c.site === 'commit')) site = 'done-read';
    const record: CallRecord = {
      invocation: live?.record.label ?? '?',
      cloudId: call.invocation.installation.cloudId,
      index: call.index,
      op,
      site,
      body,
      keys,
      action: 'pass',
      at: this.now,
      seq: this.events++,
      served: false,
    };
    this.calls.push(record);
    let action: CallAction | undefined;
    if (live) {
      live.record.calls.push(record);
      const nth = live.record.calls.filter((c) => c.site === site).length - 1;
      action = live.plan?.actions.find((a) => a.site === site && a.nth === nth)?.action;
    }
    if (live && this.scheduler) {
      const what = call.service === 'jira' ? call.path.replace(/\?.*$/, '') : `${op} ${shortKeys(keys)}`;
      this.parked++;
      try {
        await this.scheduler.schedule(Promise.resolve(), `${live.record.label} ${site}: ${what}`);
      } finally {
        this.parked--;
      }
    }
    record.at = this.now;
    if (action?.kind === 'crash') {
      record.action = 'crash';
      call.invocation.kill();
      return undefined;
    }
    if (action?.kind === 'stall') {
      record.action = 'stall';
      this.app.clock.advance(action.ms);
      record.at = this.now;
    }
    // Forge has stopped the function by now: the call never goes out (the runtime drops it too).
    if (call.invocation.killed || this.now > call.invocation.deadlineAt) {
      call.invocation.kill();
      return undefined;
    }
    let fault = action?.kind === 'fault' ? action.fault : undefined;
    if (call.service === 'jira') {
      // Jira being down spoils reports; the admin page's permission check is left to its own faults.
      if (live?.jiraDown && !fault && !call.path.startsWith('/rest/api/3/mypermissions')) fault = 'server-500';
      if (fault) record.action = fault;
      return fault ? jiraFault(fault) : undefined;
    }
    if (fault) record.action = fault;
    if (fault && REFUSED.has(fault)) {
      if (fault === 'transport') throw new TypeError('fetch failed');
      return refusal(fault, op);
    }
    const served = await this.app.kvs.handle(call.invocation.installation.installationId, call.path, {
      method: 'POST',
      body: call.body,
    });
    record.served = true;
    record.servedSeq = this.events++;
    record.serviceStatus = served.status;
    return fault ? spoil(fault, op, served) : served;
  }

  // -------------------------------------------------------------------------
  // Invocations.

  private launch(
    inst: Installation,
    label: string,
    phase: InvocationRecord['phase'],
    plan?: InvocationPlan | AdminPlan,
    jiraDown = false,
    wakeUp?: PendingDelivery,
  ): Promise<void> {
    // Each invocation gets its own copy of the installation, so the seam can tell concurrent duplicates apart.
    const handle: Installation = { ...inst };
    const record: InvocationRecord = {
      label,
      cloudId: inst.cloudId,
      phase,
      source: phase === 'install' ? undefined : wakeUp ? 'wake-up' : 'tick',
      startedAt: this.now,
      killed: false,
      calls: [],
    };
    const admin = plan && 'action' in plan ? plan.action : undefined;
    if (admin) record.admin = { action: admin };
    this.invocations.push(record);
    const live: Live = { record, plan, jiraDown };
    this.live.set(handle, live);
    const call = admin ? adminCall(admin, this.app.clock.now()) : undefined;
    // A frozen host, or `forge tunnel`, enforces no timeout: the invocation runs as long as it runs.
    const timeoutMs = plan?.unbounded ? 1_000 * 24 * HOUR : undefined;
    const run = call
      ? this.app.invoker.resolver(handle, ADMIN_PAGE, call.functionKey, call.payload, ADMIN_ACCOUNT, {}, timeoutMs)
      : phase === 'install'
        ? this.app.invoker.installed(handle)
        : wakeUp
          ? this.app.invoker.asyncEvent(handle, wakeUp.queueName, this.app.events.asyncEvent(wakeUp), wakeUp.chain)
          : this.app.invoker.scheduledTrigger(handle, undefined, timeoutMs);
    return run.then(
      (r) => {
        if (wakeUp) {
          // Forge delivers the event again after a timeout (as after a throw or an InvocationError).
          this.app.events.answered(
            wakeUp,
            r.killed ? undefined : r.result,
            r.killed ? 'timed-out' : 'returned',
            r.invocation.id,
          );
        }
        record.killed = r.killed;
        if (!r.killed) record.response = r.result;
        record.endedAt = this.now;
        this.live.delete(handle);
      },
      (err: unknown) => {
        if (wakeUp) this.app.events.answered(wakeUp, undefined, 'threw');
        record.thrown = err;
        record.endedAt = this.now;
        this.live.delete(handle);
      },
    );
  }

  /**
   * Let every invocation run until it is parked at the seam or finished. Progress
   * between parked calls is promise continuations (plus at most a macrotask hop in
   * a Response body), so nothing changing across a few macrotask turns means
   * everything left is waiting for the scheduler.
   */
  private async quiesce(): Promise<void> {
    const signature = () =>
      `${this.parked}/${this.calls.length}/${this.invocations.filter((i) => i.endedAt !== undefined).length}`;
    let last = signature();
    for (let stable = 0, turns = 0; stable < 3; turns++) {
      if (turns > 100_000) throw new Error('An invocation neither finished nor reached the seam');
      await nextTurn();
      const now = signature();
      stable = now === last ? stable + 1 : 0;
      last = now;
    }
  }

  private tickAt(k: number, tenant: Tenant): number {
    return tenant.installedAt + this.tickOffsetMs + k * INTERVAL_MS;
  }

  /** Move the clock to the next tick of the first tenant's schedule (at or after `notBefore`). */
  private advanceToNextTick(notBefore = this.now): void {
    const base = this.tenants[0];
    const from = Math.max(notBefore, this.lastTickAt + 1);
    const k = Math.ceil((from - this.tickOffsetMs - base.installedAt) / INTERVAL_MS);
    const at = this.tickAt(k, base);
    this.app.clock.set(Math.max(at, this.now));
    this.lastTickAt = at;
  }

  /** One tick whose invocations interleave as the scheduler decides; invocation i belongs to tenant i mod n. */
  private async faultTick(
    plans: InvocationPlan[],
    jiraDown: boolean,
    s: Interleaver,
    stepNo: number,
    admin: AdminPlan[] = [],
    advance = true,
  ): Promise<void> {
    if (advance) this.advanceToNextTick();
    this.scheduler = s;
    const runs = plans.map((p, i) => {
      const tenant = this.tenants[i % this.tenants.length];
      return this.launch(tenant.inst, `s${stepNo}.${p.name}`, 'fault', p, jiraDown);
    });
    // The admin page acts on the first site, at the same time as the tick's deliveries.
    for (const p of admin)
      runs.push(this.launch(this.tenants[0].inst, `s${stepNo}.admin.${p.name}`, 'fault', p, jiraDown));
    let finished = false;
    const all = Promise.all(runs).then(() => {
      finished = true;
    });
    try {
      for (let idle = 0; !finished;) {
        await this.quiesce();
        if (s.count() > 0) {
          idle = 0;
          await s.waitNext(1);
        } else if (++idle > 10_000) {
          throw new Error('Invocations are waiting on something the scheduler does not hold');
        } else {
          await nextTurn(); // a released call on its way back, or an invocation finishing
        }
      }
      await all;
    } finally {
      this.scheduler = undefined;
    }
  }

  /** Deliver the wake-ups due before `until` (fault-free), each to its tenant's consumer, in time order. */
  private async deliverWakeUps(until: number): Promise<void> {
    for (let next = this.app.events.nextAt(); next !== null && next < until; next = this.app.events.nextAt()) {
      if (next > this.now) this.app.clock.set(next);
      const due = this.app.events.takeDue(this.now);
      await Promise.all(
        due.map((d) => {
          const tenant = this.tenants.find((t) => t.inst.installationId === d.installationId)!;
          return this.launch(tenant.inst, `w${++this.sequence}`, 'recovery', undefined, false, d);
        }),
      );
    }
  }

  /** The instant of the first tenant's next tick after now. */
  private nextTickAt(): number {
    const base = this.tenants[0];
    const k = Math.floor((this.now - this.tickOffsetMs - base.installedAt) / INTERVAL_MS) + 1;
    return this.tickAt(k, base);
  }

  private async recoveryTick(duplicates: number): Promise<InvocationRecord[]> {
    this.advanceToNextTick();
    const label = `r${++this.sequence}`;
    const started = this.invocations.length;
    const runs: Array<Promise<void>> = [];
    for (const tenant of this.tenants) {
      for (let d = 0; d < duplicates; d++) runs.push(this.launch(tenant.inst, `${label}.${d + 1}`, 'recovery'));
    }
    await Promise.all(runs);
    return this.invocations.slice(started);
  }

  // -------------------------------------------------------------------------
  // Storage as a test sees it (never through the seam).

  private raw(tenant: Tenant): Map<string, unknown> {
    return this.app.stored(tenant.inst);
  }

  private async rawDelete(tenant: Tenant, key: string): Promise<void> {
    await this.app.kvs.handle(tenant.inst.installationId, '/api/v1/delete', {
      method: 'POST',
      body: JSON.stringify({ key }),
    });
  }

  private async corruptState(tenant: Tenant, c: StateCorruption): Promise<void> {
    const key = keysFor(tenant.inst.cloudId).state;
    const current = this.raw(tenant).get(key);
    const base =
      current && typeof current === 'object' && !Array.isArray(current) ? (current as Record<string, unknown>) : {};
    const farFuture = new Date(this.now + 50 * 365 * 24 * HOUR).toISOString();
    const values: Record<Exclude<StateCorruption, 'deleted'>, unknown> = {
      'not-an-object': 'state unavailable',
      'wrong-types': { ...base, auto_12h_attempt_count: 'two', auto_24h_attempt_count: -1 },
      'bad-instant': { ...base, last_run_at: 'yesterday', auto_12h_backoff_until: '2026-13-45T25:61:00Z' },
      'far-future-backoff': {
        ...base,
        auto_12h_backoff_until: farFuture,
        auto_24h_backoff_until: farFuture,
        last_backoff_until: farFuture,
      },
      'generated-without-done': {
        ...base,
        auto_12h_generated_at: new Date(this.now).toISOString(),
        auto_24h_generated_at: new Date(this.now).toISOString(),
      },
    };
    if (c === 'deleted') await this.rawDelete(tenant, key);
    else await this.app.put(tenant.inst, key, values[c]);
  }

  private async corruptEvidence(tenant: Tenant, c: EvidenceCorruption): Promise<void> {
    const key = keysFor(tenant.inst.cloudId).evidence;
    const values: Record<Exclude<EvidenceCorruption, 'deleted'>, unknown> = {
      'not-an-object': 'installed recently',
      'bad-instant': { installation_timestamp: 'yesterday', source: 'avi:forge:installed:app' },
      'far-future': {
        installation_timestamp: new Date(this.now + 10 * 365 * 24 * HOUR).toISOString(),
        source: 'avi:forge:installed:app',
      },
    };
    this.evidenceCorrupt.push({ cloudId: tenant.inst.cloudId, from: this.invocations.length, to: Infinity });
    if (c === 'deleted') await this.rawDelete(tenant, key);
    else await this.app.put(tenant.inst, key, values[c]);
  }

  /** Every ledger record of a tenant, by key (a test's view, never through the seam). */
  records(tenant: Tenant = this.tenants[0]): Map<string, Record<string, unknown>> {
    return new Map(
      this.app.kvs
        .entityEntries(tenant.inst.installationId, 'claim')
        .map((e) => [e.key, e.value as Record<string, unknown>]),
    );
  }

  /** Overwrites the AUTO record most recently written (nothing if there is none). */
  private async corruptNewestClaim(tenant: Tenant, c: 'not-an-object' | 'far-future-lease'): Promise<void> {
    const entries = this.app.kvs
      .entityEntries(tenant.inst.installationId, 'claim')
      .filter((e) => !e.key.endsWith(':MANUAL'))
      .sort((a, b) => a.updatedAt - b.updatedAt);
    const newest = entries[entries.length - 1];
    if (!newest) return;
    const current = newest.value as Record<string, unknown>;
    // The store enforces attribute types, so the worst that can be stored is a record of the right
    // types that cannot be true: one the app cannot read, or one claimed with a lease fifty years long.
    const value =
      c === 'not-an-object'
        ? { ...current, status: 'garbled', version: (current.version as number) + 7 }
        : {
            ...current,
            status: 'held',
            claimed_at: new Date(this.now).toISOString(),
            lease_expires_at: new Date(this.now + 50 * 365 * 24 * HOUR).toISOString(),
          };
    await this.app.kvs.handle(tenant.inst.installationId, '/api/v1/entity/set', {
      method: 'POST',
      body: JSON.stringify({ entityName: 'claim', key: newest.key, value }),
    });
  }

  private async corruptDone(tenant: Tenant): Promise<void> {
    const k = keysFor(tenant.inst.cloudId);
    for (const t of TRIGGERS) {
      if (this.raw(tenant).has(k.done(t))) {
        await this.app.put(tenant.inst, k.done(t), 'garbled');
        this.doneCorrupted = true;
      }
    }
  }

  private async applyStep(step: Step, s: Interleaver, stepNo: number): Promise<void> {
    const first = this.tenants[0];
    switch (step.kind) {
      case 'tick':
        return this.faultTick(step.invocations, step.jiraDown, s, stepNo, step.admin);
      case 'jump':
        this.app.clock.advance(step.ms);
        return;
      case 'failing-attempts':
        for (let i = 1; i <= step.attempts; i++) {
          const plans = Array.from({ length: step.duplicates }, (_, d) => ({ name: `${'ABCDE'[d]}${i}`, actions: [] }));
          await this.faultTick(plans, true, s, stepNo);
          this.app.clock.advance(SCHEDULER_BACKOFF.delayAfter(i));
        }
        return;
      case 'corrupt-state':
        return this.corruptState(first, step.corruption);
      case 'corrupt-evidence':
        return this.corruptEvidence(first, step.corruption);
      case 'corrupt-claim':
        return this.corruptNewestClaim(first, step.corruption);
      case 'corrupt-done':
        return this.corruptDone(first);
    }
  }

  /** Operators repair corrupt evidence once the faults stop; the reports are owed from then on. */
  private async repairEvidence(): Promise<void> {
    for (const spell of this.evidenceCorrupt) {
      if (spell.to !== Infinity) continue;
      spell.to = this.invocations.length;
      const tenant = this.tenants.find((t) => t.inst.cloudId === spell.cloudId)!;
      await this.app.put(tenant.inst, keysFor(spell.cloudId).evidence, {
        installation_timestamp: new Date(tenant.installedAt).toISOString(),
        source: 'avi:forge:installed:app',
      });
    }
  }

  /** True once nothing more can happen: AUTO_24H stored and AUTO_12H stored or its window closed. */
  private settled(): boolean {
    return this.tenants.every((t) => {
      const stored = this.raw(t);
      const k = keysFor(t.inst.cloudId);
      const closed12 = this.now >= t.installedAt + SCHEDULER.auto24hAfterMs;
      return stored.has(k.done('AUTO_24H')) && (stored.has(k.done('AUTO_12H')) || closed12);
    });
  }

  /**
   * Ticks that read and wrote nothing change nothing, so ticks before the earliest
   * instant any response named (or a window boundary) would be identical: skip them.
   */
  private skipIdleTicks(tick: InvocationRecord[]): void {
    let target = Infinity;
    for (const inv of tick) {
      if (inv.calls.some((c) => isWrite(c.op))) return;
      const body = parseBody(inv.response);
      const next = typeof body?.next_eligible_at === 'string' ? Date.parse(body.next_eligible_at) : NaN;
      if (!Number.isFinite(next)) return;
      target = Math.min(target, next);
    }
    for (const t of this.tenants) {
      for (const boundary of [t.installedAt + SCHEDULER.auto12hAfterMs, t.installedAt + SCHEDULER.auto24hAfterMs]) {
        if (boundary > this.now) target = Math.min(target, boundary);
      }
    }
    // The tick in the interval before the instant is not idle: it pushes the wake-up for it.
    if (this.wakeUpsDuringFaults) target -= INTERVAL_MS;
    if (Number.isFinite(target) && target > this.now) this.app.clock.set(target);
  }

  /** The whole history: install, fault phase under the scheduler, then fault-free ticks until settled. */
  async play(h: History, s: Interleaver): Promise<void> {
    this.tickOffsetMs = h.tickOffsetMs;
    this.app.events.clear();
    // Faults on events are seeded from the history, so a failing case replays exactly.
    this.app.events.setFaults({ ...h.eventFaults, maxLatenessMs: 5 * 60_000, seed: h.tickOffsetMs + h.startAgeMs });
    if (h.installation?.by === 'admin') await this.recordByAdmins(h.installation.recorders, s);
    else await this.install();
    this.app.clock.set(this.tenants[0].installedAt + h.startAgeMs);
    for (const [i, step] of h.steps.entries()) {
      await this.applyStep(step, s, i + 1);
      // Between this step and the next tick, the wake-ups due meanwhile arrive.
      if (this.wakeUpsDuringFaults && step.kind === 'tick') await this.deliverWakeUps(this.nextTickAt());
    }
    this.faultsStoppedAt = this.now;
    for (const t of this.tenants) {
      this.storedAtFaultStop.set(t.inst.cloudId, this.raw(t));
      this.recordsAtFaultStop.set(t.inst.cloudId, this.records(t));
    }
    await this.repairEvidence();

    if (this.wakeUpsDuringFaults) await this.deliverWakeUps(this.nextTickAt());
    // At least one fault-free tick, so that whatever the faults left behind has been seen once.
    const lastDue = Math.max(...this.tenants.map((t) => t.installedAt + SCHEDULER.auto24hAfterMs));
    const horizon = Math.max(this.now, lastDue) + 24 * HOUR + SCHEDULER.claimLeaseMs + 3 * INTERVAL_MS;
    do {
      const tick = await this.recoveryTick(h.recoveryDuplicates);
      await this.deliverWakeUps(this.nextTickAt());
      if (this.app.events.waiting().length === 0) this.skipIdleTicks(tick);
    } while (this.now < horizon && !this.settled());
  }

  /**
   * No installed event: administrators record the installation time from the admin page,
   * several at once, racing a scheduled run. The time the evidence then holds (a host's
   * clock, so possibly skewed) is the installation time from here on. If every recorder
   * met a fault, one more records it without faults, as an administrator would retry.
   */
  private async recordByAdmins(recorders: AdminPlan[], s: Interleaver): Promise<void> {
    const tenant = this.tenants[0];
    this.app.clock.set(tenant.installedAt);
    await this.faultTick([{ name: 'A', actions: [] }], false, s, 0, recorders, false);
    const evidenceKey = keysFor(tenant.inst.cloudId).evidence;
    if (!this.raw(tenant).has(evidenceKey)) {
      await this.launch(tenant.inst, 'install.admin', 'install', {
        name: 'R',
        action: 'record-installation',
        actions: [],
      });
    }
    const evidence = this.raw(tenant).get(evidenceKey) as { installation_timestamp?: string } | undefined;
    const at = Date.parse(String(evidence?.installation_timestamp));
    if (Number.isFinite(at)) tenant.installedAt = at;
  }

  /** Everything stored for a tenant now. */
  stored(tenant: Tenant = this.tenants[0]): Map<string, unknown> {
    return this.raw(tenant);
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function parseBody(response: unknown): Record<string, unknown> | undefined {
  const body = (response as { body?: unknown } | undefined)?.body;
  if (typeof body !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Keys with each cloudId cut to its first four characters, to keep the scheduler's report readable. */
function shortKeys(keys: string[]): string {
  return keys.map((k) => k.replace(/([0-9a-f]{4})[0-9a-f]{4}-[0-9a-f-]{27}/g, '$1')).join(',');
}
