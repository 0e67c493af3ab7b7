import type { Installation, SeamCall } from '../../local/runtime/forge_runtime';
import { EventDelivery, LocalApp, LocalAppOptions, SchedulerRun } from '../../local/runtime/local_app';
import { phase5SchedulerHandler } from '../../src/scheduler_entry';
import { phase5WakeUpHandler } from '../../src/wake_up_entry';
import type { SchedulerOutcome } from '../../src/scheduled/phase5_scheduler';

/** A local Forge world with one installation, and the keys the scheduler uses for it. */
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export class SchedulerWorld {
  readonly app: LocalApp;
  readonly inst: Installation;
  /** Every seam call made, in order, across invocations. */
  readonly calls: SeamCall[] = [];
  private readonly callTimes = new Map<SeamCall, number>();
  private faults: Array<(call: SeamCall) => Response | void | Promise<Response | void>> = [];

  /** `cloudId`: the installation's site, for a world loaded with records stored for that site. */
  constructor({ cloudId, ...opts }: LocalAppOptions & { cloudId?: string } = {}) {
    this.app = new LocalApp({
      ...opts,
      interceptor: async (call) => {
        this.calls.push(call);
        this.callTimes.set(call, this.app.clock.now());
        for (const fault of this.faults) {
          const answer = await fault(call);
          if (answer) return answer;
        }
        return opts.interceptor?.(call);
      },
    });
    this.inst = this.app.newInstallation(cloudId);
  }

  get keys() {
    const c = this.inst.cloudId;
    return {
      evidence: `phase4:evidence:installation:${c}`,
      state: `phase5:scheduler:state:${c}`,
      done12: `phase5:scheduler:${c}:AUTO_12H:DONE`,
      done24: `phase5:scheduler:${c}:AUTO_24H:DONE`,
      report12: `phase5:report:${c}:AUTO_12H`,
      report24: `phase5:report:${c}:AUTO_24H`,
      claim: (trigger: string, n: number) => `phase5:scheduler:${c}:${trigger}:CLAIM:${n}`,
    };
  }

  /**
   * Installed `hoursAgo` hours before the simulated now: the installed event handled then,
   * by the app's own lifecycle handler (Phase-4 evidence, the ledger records, the state).
   */
  async installedHoursAgo(hoursAgo: number): Promise<number> {
    const now = this.app.clock.now();
    const installedAt = now - hoursAgo * HOUR;
    this.app.clock.set(installedAt);
    const run = await this.app.invoker.installed(this.inst);
    this.app.clock.set(now);
    if (run.killed) throw new Error('the installed event was stopped');
    return installedAt;
  }

  /**
   * Phase-4 evidence alone, as an installation from before the lifecycle trigger has it once an
   * administrator recorded its time: no ledger records, no state; the scheduler creates them.
   */
  async evidenceOnly(hoursAgo: number): Promise<number> {
    const installedAt = this.app.clock.now() - hoursAgo * HOUR;
    await this.app.put(this.inst, this.keys.evidence, {
      installation_timestamp: new Date(installedAt).toISOString(),
      source: 'avi:forge:installed:app',
    });
    return installedAt;
  }

  /** Answer every matching KVS call with an HTTP error while the returned function has not been called. */
  failKvs(op: string, status = 500, code = 'INTERNAL_SERVER_ERROR'): () => void {
    const fault = (call: SeamCall) =>
      call.service === 'kvs' && call.path === `/api/v1/${op}`
        ? new Response(JSON.stringify({ code, message: 'injected' }), { status })
        : undefined;
    this.faults.push(fault);
    return () => {
      this.faults = this.faults.filter((f) => f !== fault);
    };
  }

  /**
   * Answer the scheduler's transactions of one kind with an HTTP error (not applied) while
   * the returned function has not been called: `claim` (a ledger record taken: status held),
   * `commit` (the transaction that stores a DONE key) or `release` (a failure recorded).
   */
  failTransactions(kind: 'claim' | 'commit' | 'release', status = 500, code = 'INTERNAL_SERVER_ERROR'): () => void {
    const fault = (call: SeamCall) =>
      call.service === 'kvs' && call.path === '/api/v1/transaction' && transactionKind(call.body) === kind
        ? new Response(JSON.stringify({ code, message: 'injected' }), { status })
        : undefined;
    this.faults.push(fault);
    return () => {
      this.faults = this.faults.filter((f) => f !== fault);
    };
  }

  /**
   * Answer every Jira request with a 503 while the returned function has not been called,
   * so that generation itself fails: the one kind of failure that climbs the backoff ladder.
   */
  failJira(): () => void {
    const fault = (call: SeamCall) =>
      call.service === 'jira'
        ? new Response(JSON.stringify({ errorMessages: ['Service unavailable'] }), { status: 503 })
        : undefined;
    this.faults.push(fault);
    return () => {
      this.faults = this.faults.filter((f) => f !== fault);
    };
  }

  addFault(fault: (call: SeamCall) => Response | void | Promise<Response | void>): void {
    this.faults.push(fault);
  }

  run(): Promise<SchedulerRun<SchedulerOutcome>> {
    return this.app.runScheduler<SchedulerOutcome>(this.inst);
  }

  /** Run the deployed handler with arguments of our choosing, inside an invocation for this installation. */
  async runWith(request: unknown, context: unknown, timeoutMs = 120_000) {
    const run = await this.app.runtime.run(this.inst, 'phase5-scheduler', timeoutMs, () =>
      phase5SchedulerHandler(request, context),
    );
    if (run.killed) throw new Error('unexpectedly killed');
    return { response: run.result, body: JSON.parse(run.result.body) as SchedulerOutcome, invocation: run.invocation };
  }

  /** Run the deployed wake-up consumer with an event and context of our choosing. */
  async wakeUpWith(event: unknown, context: unknown, timeoutMs = 120_000) {
    const run = await this.app.runtime.run(this.inst, 'phase5-wake-up-consumer', timeoutMs, () =>
      phase5WakeUpHandler(event, context),
    );
    if (run.killed) throw new Error('unexpectedly killed');
    return { result: run.result as unknown, invocation: run.invocation };
  }

  /** Deliver the wake-up events due up to `until` (the clock ends there). */
  deliver(until: number): Promise<Array<EventDelivery<SchedulerOutcome>>> {
    return this.app.deliverEvents<SchedulerOutcome>(until);
  }

  /** Run scheduled ticks `intervalMs` apart from now until `until`, delivering wake-ups between them. */
  async live(
    until: number,
    intervalMs: number,
  ): Promise<Array<{ at: number; source: 'tick' | 'wake-up'; reason?: string }>> {
    const seen: Array<{ at: number; source: 'tick' | 'wake-up'; reason?: string }> = [];
    while (this.app.clock.now() <= until) {
      const at = this.app.clock.now();
      const tick = await this.run();
      seen.push({ at, source: 'tick', reason: tick.body?.reason });
      const next = at + intervalMs;
      for (const d of await this.deliver(Math.min(next - 1, until))) {
        seen.push({ at: d.delivery.at, source: 'wake-up', reason: d.body?.reason });
      }
      this.app.clock.set(next);
    }
    return seen;
  }

  /** When `call` was made, by the world's clock. */
  calledAt(call: SeamCall): number {
    return this.callTimes.get(call)!;
  }

  stored(): Map<string, unknown> {
    return this.app.stored(this.inst);
  }

  reports(): string[] {
    return [...this.stored().keys()].filter((k) => k.startsWith('phase5:report:'));
  }

  transactions(): SeamCall[] {
    return this.calls.filter((c) => c.service === 'kvs' && c.path === '/api/v1/transaction');
  }

  /** Transactions sent that would store a DONE key (each a commit, landed or not). */
  commitsSent(): SeamCall[] {
    return this.transactions().filter((c) => transactionKind(c.body) === 'commit');
  }

  advance(ms: number): void {
    this.app.clock.advance(ms);
  }

  dispose(): void {
    this.app.dispose();
  }
}

/** What a transaction of the scheduler's is, from its body: a commit, a claim, a failure recorded, or other. */
export function transactionKind(body: string | undefined): 'commit' | 'claim' | 'release' | 'other' {
  const parsed = JSON.parse(body ?? '{}') as {
    set?: Array<{ key: string; entityName?: string; value?: { status?: string } }>;
  };
  const sets = parsed.set ?? [];
  if (sets.some((s) => s.key.endsWith(':DONE') && s.entityName === undefined)) return 'commit';
  const record = sets.find((s) => s.entityName === 'claim');
  if (record?.value?.status === 'held') return 'claim';
  if (record?.value?.status === 'idle') return 'release';
  return 'other';
}
