import { AsyncLocalStorage } from 'node:async_hooks';
import { RETRY } from '../../src/storage/retry';
import { Clock, systemClock } from '../clock';

/**
 * The seam every Forge SDK call goes through. `@forge/kvs` and `@forge/api` do
 * all their I/O with `global.__forge_fetch__(descriptor, path, init)` and read
 * the rest from `global.__forge_runtime__`; installing both here lets the app's
 * unmodified code, with the real SDKs, run against local emulators.
 *
 * Each call is attributed to the invocation that made it (through
 * AsyncLocalStorage), which gives per-installation KVS namespaces, per-invocation
 * counters, and a way to stop an invocation dead the way Forge does at its
 * timeout.
 */

export interface Installation {
  installationId: string;
  cloudId: string;
  /** `ari:cloud:jira::site/<cloudId>` */
  siteAri: string;
}

export interface ForgeDescriptor {
  type?: string;
  provider?: string;
  remote?: string;
  accountId?: string;
}

export interface FetchInit {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

/** The local services the seam routes to. */
export interface KvsService {
  /** `writer` names the invocation that sent the request. */
  handle(namespace: string, path: string, init: FetchInit & { writer?: string }): Promise<Response>;
}
export interface JiraService {
  handle(descriptor: ForgeDescriptor, path: string, init?: FetchInit): Promise<Response>;
}
/** Atlassian's platform APIs an app calls as itself (`requestAtlassian`), e.g. personal data reporting. */
export interface AtlassianService {
  handle(path: string, init?: FetchInit): Response | Promise<Response>;
}
/** Forge's async events endpoint (`@forge/events` pushes through `__requestAtlassianAsApp`). */
/** How one invocation ended: its result, or stopped (at its timeout, or by a throw when asked to catch it). */
export type RunResult<T> =
  | { invocation: Invocation; killed: false; result: T }
  | { invocation: Invocation; killed: true; threw?: { error: unknown } };

export interface EventsService {
  handle(
    caller: { installationId: string; chain: string; invocationId?: string },
    path: string,
    init: FetchInit,
  ): Promise<Response>;
}

export interface InvocationStats {
  kvsRequests: number;
  kvsByOperation: Record<string, number>;
  /** Bytes of values sent to KVS (request bodies of writes). */
  kvsBytesWritten: number;
  /** Bytes received from KVS (response bodies of reads). */
  kvsBytesRead: number;
  kvsWriteRequests: number;
  jiraRequests: number;
  /** Push requests sent to the async events endpoint. */
  eventPushes: number;
}

/** What a test or tool sees of each call before it is served; may delay, fail or kill it. */
export interface SeamCall {
  invocation: Invocation;
  service: 'kvs' | 'jira' | 'events';
  path: string;
  body: string | undefined;
  /** 0-based index of this call within its invocation. */
  index: number;
}
/**
 * Runs before each call is served. It may delay it (await), stop the invocation
 * (`call.invocation.kill()`), throw (the SDK sees a transport failure), or return
 * a Response to answer the call in the service's place (a fault, a malformed body).
 */
export type Interceptor = (call: SeamCall) => Promise<Response | void> | Response | void;

/**
 * Thrown into nothing: an invocation that was killed simply never sees its calls
 * answered. A fresh promise per call, not one shared one: whatever awaits it hangs
 * off it, and a shared never-settling promise would keep every killed invocation's
 * suspended frames (and the world they reach) alive for the life of the process.
 */
const never = (): Promise<never> => new Promise<never>(() => undefined);

export interface AppContextInfo {
  appId: string;
  appVersion: string;
  environmentId: string;
  environmentType: string;
}

export class Invocation {
  readonly stats: InvocationStats = {
    kvsRequests: 0,
    kvsByOperation: {},
    kvsBytesWritten: 0,
    kvsBytesRead: 0,
    kvsWriteRequests: 0,
    jiraRequests: 0,
    eventPushes: 0,
  };
  killed = false;
  /** Calls to the Forge services it has sent and not yet had answered. */
  inFlight = 0;
  /** What the invocation logged, as `forge logs` would show it. */
  readonly logs: Array<{ level: LogLevel; line: string }> = [];
  private calls = 0;
  private killHooks: Array<() => void> = [];

  constructor(
    readonly id: string,
    readonly installation: Installation,
    readonly moduleKey: string,
    /** Forge stops the function at this instant (simulated time). */
    readonly deadlineAt: number,
    /** The user a UI module's resolver runs for; `asUser()` calls act as them. Absent for triggers. */
    readonly accountId?: string,
    /**
     * The chain of invocations this one belongs to: its own id, or, for an async
     * event's consumer, the chain of the invocation that pushed the event.
     */
    readonly chain: string = id,
  ) {}

  nextCallIndex(): number {
    return this.calls++;
  }

  kill(): void {
    if (this.killed) return;
    this.killed = true;
    for (const hook of this.killHooks.splice(0)) hook();
  }

  onKill(hook: () => void): void {
    if (this.killed) hook();
    else this.killHooks.push(hook);
  }
}

export type LogLevel = 'info' | 'warn' | 'error';
export type LogSink = (invocation: Invocation, level: LogLevel, line: string) => void;

const WRITE_OPS = new Set(['set', 'delete', 'batch/set', 'batch/delete', 'transaction', 'entity/set', 'entity/delete']);

export interface LocalForgeRuntimeOptions {
  kvs: KvsService;
  jira?: JiraService;
  /** `stargate` calls (`privacy.reportPersonalData`); without one they fail as unserved. */
  atlassian?: AtlassianService;
  events?: EventsService;
  clock?: Clock;
  app?: Partial<AppContextInfo>;
  interceptor?: Interceptor;
  /**
   * Make `Date.now()` read `clock` while installed, so the app's unmodified
   * handlers live on simulated time. Defaults to true when a clock is given.
   */
  patchDateNow?: boolean;
  /** Where an invocation's console output goes besides `Invocation.logs`; by default nowhere. */
  logSink?: LogSink;
}

export class LocalForgeRuntime {
  readonly clock: Clock;
  interceptor: Interceptor | undefined;
  /**
   * How far the host running an invocation has its clock off true time (ms, + is ahead).
   * Forge runs each invocation on some host of its own; their clocks need not agree,
   * and `Date.now()` inside an invocation reads its host's clock. Deadlines and the
   * services (KVS, Jira) keep to true time.
   */
  hostClockOffset: ((invocation: Invocation) => number) | undefined;
  private readonly current = new AsyncLocalStorage<Invocation>();
  private readonly app: AppContextInfo;
  private sequence = 0;

  constructor(private opts: LocalForgeRuntimeOptions) {
    this.clock = opts.clock ?? systemClock;
    this.interceptor = opts.interceptor;
    this.hostClockOffset = undefined;
    this.app = {
      appId: 'ari:cloud:ecosystem::app/00000000-0000-4000-8000-000000000000',
      appVersion: '1.0.0',
      environmentId: 'local',
      environmentType: 'DEVELOPMENT',
      ...opts.app,
    };
  }

  /** Attach (or replace) the Jira site the seam routes product calls to; it usually shares this runtime's clock. */
  attachJira(jira: JiraService): void {
    this.opts.jira = jira;
  }

  /** Attach the async events service pushes are routed to. */
  attachEvents(events: EventsService): void {
    this.opts.events = events;
  }

  /** Install the seam globally; returns a function that puts back what was there. */
  install(): () => void {
    const g = globalThis as Record<string, unknown>;
    const previous = { fetch: g.__forge_fetch__, runtime: g.__forge_runtime__ };
    g.__forge_fetch__ = (descriptor: ForgeDescriptor, path: string, init: FetchInit) =>
      this.fetch(descriptor, path, init);
    g.__forge_runtime__ = this.runtimeObject();
    const realConsole = { log: console.log, info: console.info, warn: console.warn, error: console.error };
    const capture =
      (level: LogLevel, real: (...a: unknown[]) => void) =>
      (...args: unknown[]) => {
        const invocation = this.current.getStore();
        if (!invocation) return real(...args);
        const line = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
        invocation.logs.push({ level, line });
        // The sink prints to the real console: run it outside the invocation so it is not captured again.
        const sink = this.opts.logSink;
        if (sink) this.current.exit(() => sink(invocation, level, line));
      };
    console.log = capture('info', realConsole.log);
    console.info = capture('info', realConsole.info);
    console.warn = capture('warn', realConsole.warn);
    console.error = capture('error', realConsole.error);
    const realNow = Date.now;
    const patch = this.opts.patchDateNow ?? this.opts.clock !== undefined;
    // The storage module's pause between in-invocation retries would wait in real time
    // while the clock stands still: on a simulated clock it takes no time, like any other
    // work inside one step of it.
    const realPause = RETRY.pause;
    if (patch) {
      RETRY.pause = () => Promise.resolve();
      Date.now = () => {
        const invocation = this.current.getStore();
        return this.clock.now() + (invocation && this.hostClockOffset ? this.hostClockOffset(invocation) : 0);
      };
    }
    return () => {
      // Code of an invocation that was stopped can still wake up later (a timer it set fires),
      // where Forge would simply have frozen it. Whatever such leftovers try to do once this
      // runtime is gone goes nowhere: their calls are never answered and their lines not printed.
      // Everyone else gets back exactly what was there before.
      const leftover = () => this.current.getStore() !== undefined;
      const previousFetch = previous.fetch as ((...a: unknown[]) => unknown) | undefined;
      g.__forge_fetch__ = (...a: unknown[]) => {
        if (leftover()) return never();
        if (typeof previousFetch !== 'function') throw new TypeError('global.__forge_fetch__ is not a function');
        return previousFetch(...a);
      };
      g.__forge_runtime__ = previous.runtime;
      if (patch) {
        Date.now = realNow;
        RETRY.pause = realPause;
      }
      const quiet =
        (real: (...a: unknown[]) => void) =>
        (...args: unknown[]) =>
          leftover() ? undefined : real(...args);
      console.log = quiet(realConsole.log);
      console.info = quiet(realConsole.info);
      console.warn = quiet(realConsole.warn);
      console.error = quiet(realConsole.error);
    };
  }

  /**
   * Run `fn` as one invocation for an installation. Resolves with its result, or
   * with `killed: true` if it was stopped (by its timeout or by `Invocation.kill`).
   * A throw rejects, unless `catchThrow` is set: then it resolves with no result and
   * `threw` holding the error (how Forge's event delivery sees a throw).
   */
  async run<T>(
    installation: Installation,
    moduleKey: string,
    timeoutMs: number,
    fn: () => Promise<T>,
    principal: { accountId?: string; chain?: string; catchThrow?: boolean } = {},
  ): Promise<RunResult<T>> {
    const id = `local-${++this.sequence}`;
    const invocation = new Invocation(
      id,
      installation,
      moduleKey,
      this.clock.now() + timeoutMs,
      principal.accountId,
      principal.chain ?? id,
    );
    const killed = new Promise<'killed'>((resolve) => invocation.onKill(() => resolve('killed')));
    let outcome: T | 'killed';
    try {
      outcome = await Promise.race([this.current.run(invocation, fn), killed]);
    } catch (error) {
      if (!principal.catchThrow) throw error;
      return { invocation, killed: true, threw: { error } };
    }
    if (outcome === 'killed' || invocation.killed) return { invocation, killed: true };
    return { invocation, killed: false, result: outcome as T };
  }

  /** The invocation the calling code belongs to, if any. */
  currentInvocation(): Invocation | undefined {
    return this.current.getStore();
  }

  private async fetch(descriptor: ForgeDescriptor, path: string, init: FetchInit): Promise<Response> {
    const invocation = this.current.getStore();
    if (!invocation) throw new Error(`Forge call outside an invocation: ${descriptor?.type} ${path}`);
    // A request is concurrent with whatever else its invocation has in flight; one it
    // sends after the earlier ones returned follows them. The KVS emulator's
    // transaction-conflict variant needs to tell the two apart (KvsRequestInit.writer).
    const writer = invocation.inFlight === 0 ? invocation.id : `${invocation.id}#${invocation.inFlight}`;
    invocation.inFlight++;
    try {
      return await this.serve(invocation, writer, descriptor, path, init);
    } finally {
      invocation.inFlight--;
    }
  }

  private async serve(
    invocation: Invocation,
    writer: string,
    descriptor: ForgeDescriptor,
    path: string,
    init: FetchInit,
  ): Promise<Response> {
    const service =
      descriptor?.type === 'kvs'
        ? 'kvs'
        : descriptor?.type === 'fpp' && descriptor.remote === 'jira'
          ? 'jira'
          : descriptor?.type === 'fpp' && descriptor.remote === 'stargate' && path.startsWith('/webhook/queue/')
            ? 'events'
            : descriptor?.type === 'fpp' && descriptor.remote === 'stargate' && descriptor.provider === 'app'
              ? 'atlassian'
              : null;
    if (!service) throw new Error(`The local Forge runtime does not serve ${JSON.stringify(descriptor)} ${path}`);
    if (service === 'atlassian') {
      // Not offered to the interceptor: the service itself (PersonalDataApi.failWith) injects its faults.
      if (invocation.killed || this.clock.now() > invocation.deadlineAt) {
        invocation.kill();
        return never();
      }
      if (!this.opts.atlassian) throw new Error(`No Atlassian API is attached to this local runtime: ${path}`);
      return this.opts.atlassian.handle(path, init);
    }
    // Forge stops a function at its timeout: past it, nothing it asks for is answered.
    if (invocation.killed || this.clock.now() > invocation.deadlineAt) {
      invocation.kill();
      return never();
    }
    const index = invocation.nextCallIndex();
    const override = this.interceptor
      ? await this.interceptor({ invocation, service, path, body: init?.body, index })
      : undefined;
    // A call held up past the deadline never goes out: by then Forge has stopped the function.
    if (invocation.killed || this.clock.now() > invocation.deadlineAt) {
      invocation.kill();
      return never();
    }

    if (service === 'events') {
      invocation.stats.eventPushes++;
      if (override) return override;
      if (!this.opts.events) throw new Error('No async events emulator is attached to this local runtime');
      const caller = {
        installationId: invocation.installation.installationId,
        chain: invocation.chain,
        invocationId: invocation.id,
      };
      const response = await this.opts.events.handle(caller, path, init ?? {});
      return invocation.killed ? never() : response;
    }
    if (service === 'jira') {
      invocation.stats.jiraRequests++;
      if (override) return override;
      if (!this.opts.jira) throw new Error('No Jira emulator is attached to this local runtime');
      // `asUser()` names no one: Forge acts as the user the invocation runs for, as here.
      const asCaller =
        descriptor.provider === 'user' && !descriptor.accountId && invocation.accountId
          ? { ...descriptor, accountId: invocation.accountId }
          : descriptor;
      return this.opts.jira.handle(asCaller, path, init);
    }
    const op = path.replace(/^\/api\/v1\//, '');
    const s = invocation.stats;
    s.kvsRequests++;
    s.kvsByOperation[op] = (s.kvsByOperation[op] ?? 0) + 1;
    if (WRITE_OPS.has(op)) {
      s.kvsWriteRequests++;
      s.kvsBytesWritten += Buffer.byteLength(init?.body ?? '', 'utf8');
    }
    const response =
      override ?? (await this.opts.kvs.handle(invocation.installation.installationId, path, { ...init, writer }));
    if (invocation.killed) return never();
    if (!WRITE_OPS.has(op)) {
      const text = await response.text();
      s.kvsBytesRead += Buffer.byteLength(text, 'utf8');
      return new Response(text.length > 0 ? text : null, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    }
    return response;
  }

  /** `global.__forge_runtime__`, answering for whichever invocation is asking. */
  private runtimeObject(): Record<string, unknown> {
    const runtime = this;
    const inv = () => runtime.current.getStore();
    return {
      get appContext() {
        const i = inv();
        return {
          ...runtime.app,
          invocationId: i?.id ?? 'none',
          installationId: i?.installation.installationId ?? 'none',
          moduleKey: i?.moduleKey ?? 'none',
        };
      },
      get contextAri() {
        return inv()?.installation.siteAri;
      },
      lambdaContext: {
        getRemainingTimeInMillis: () => {
          const i = inv();
          return i ? Math.max(0, i.deadlineAt - runtime.clock.now()) : 0;
        },
      },
      tracing: { traceId: 'local-trace', spanId: 'local-span' },
      metrics: {
        counter: () => ({ incr: () => undefined }),
        timing: () => ({ measure: () => ({ stop: () => undefined }) }),
      },
      container: { appCodeDir: process.cwd() },
      proxy: { token: 'local', url: 'http://localhost' },
    };
  }
}
