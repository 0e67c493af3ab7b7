import { Clock, ManualClock } from '../clock';
import type { JiraUser } from '../jira/endpoint';
import { PersonalDataApi } from '../privacy/personal_data_api';
import { generateSite, JiraEmulator, JiraFaults, SitePreset } from '../jira';
import { KvsEmulator, KvsFaults } from '../kvs';
import { AsyncEventsEmulator, EventFaults, PendingDelivery } from '../events/emulator';
import { Installation, Interceptor, JiraService, LocalForgeRuntime, LogSink } from './forge_runtime';
import { APP_ROOT, Invoker, InvocationResult, newInstallation } from './invoker';
import { loadManifest } from './manifest';
import { PlatformVariants, platformVariants, VariantOverrides } from '../platform_variants';

/**
 * One local Forge world: a simulated clock, the KVS emulator, optionally a Jira
 * site, the seam that routes the SDKs to them, and an invoker for the app's
 * manifest. Tests, `npm start`, the soak run and the benchmark all build on it.
 */

export interface LocalAppOptions {
  /** Simulated start instant (epoch ms); defaults to a fixed date so runs are reproducible. */
  start?: number;
  clock?: Clock & { advance?(ms: number): void };
  kvsFile?: string;
  kvsFaults?: KvsFaults;
  /** The Jira site the app reads: a preset generated from `seed` (default small), or a service of your own. */
  site?: SitePreset | JiraService;
  jiraFaults?: JiraFaults;
  /**
   * When the emulated site's administrators start the day's configuration changes
   * (a project, fields, an issue type, a status: local/jira/site_changes.ts), usually
   * the installation. Without it the site's configuration never changes.
   */
  siteChangesFrom?: number;
  /** Loss, duplication, lateness and refused pushes of async events. */
  eventFaults?: EventFaults;
  /** accountIds the emulated Jira treats as site administrators. */
  jiraAdmins?: string[];
  /** The people the emulated Jira's user API knows (display names, closed accounts), by accountId. */
  jiraUsers?: Record<string, JiraUser>;
  seed?: number;
  interceptor?: Interceptor;
  logSink?: LogSink;
  /** How the platform answers where Forge's docs leave it open (local/platform_variants.ts); defaults to today's answers. */
  variants?: VariantOverrides;
}

export const DEFAULT_START = Date.parse('2026-11-02T09:00:00.000Z');

/** How Forge's developer console would count a scheduled invocation (the recording variant decides a 200). */
export type RecordedOutcome = 'success' | 'error' | 'failed-dependency';

export interface SchedulerRun<B = Record<string, unknown>> {
  killed: boolean;
  recordedAs?: RecordedOutcome;
  statusCode?: number;
  body?: B;
  result?: unknown;
  invocation: InvocationResult['invocation'];
}

/** One async event delivered to its consumer (or a lifecycle event redelivered to its trigger), and what came of it. */
export interface EventDelivery<B = Record<string, unknown>> {
  delivery: PendingDelivery;
  installation: Installation;
  killed: boolean;
  /** The handler threw (Forge delivers an async event again after that). */
  threw: boolean;
  /** The consumer's response body, when it answered with one. */
  body?: B;
  statusCode?: number;
  /** Forge will deliver the event again (the consumer asked, or was stopped at its timeout). */
  retried: boolean;
  invocation: InvocationResult['invocation'];
}

export class LocalApp {
  readonly clock: ManualClock;
  readonly kvs: KvsEmulator;
  readonly events: AsyncEventsEmulator;
  /** The emulated Jira site, unless the caller brought its own service. */
  readonly jira: JiraEmulator | undefined;
  /** Atlassian's personal data reporting API: which accounts are closed, and what was reported. */
  readonly personalData = new PersonalDataApi();
  readonly runtime: LocalForgeRuntime;
  readonly invoker: Invoker;
  readonly variants: PlatformVariants;
  private readonly uninstall: () => void;
  private readonly installations = new Map<string, Installation>();

  constructor(opts: LocalAppOptions = {}) {
    this.clock = (opts.clock as ManualClock) ?? new ManualClock(opts.start ?? DEFAULT_START);
    this.variants = platformVariants(opts.variants);
    this.kvs = new KvsEmulator({
      clock: this.clock,
      file: opts.kvsFile,
      faults: opts.kvsFaults,
      variants: this.variants.kvs,
      entities: loadManifest(APP_ROOT).entities,
    });
    const site = opts.site ?? 'small';
    this.jira =
      typeof site === 'string'
        ? new JiraEmulator({
            site: generateSite({ seed: opts.seed ?? 1, size: site }),
            clock: this.clock,
            faults: opts.jiraFaults,
            admins: opts.jiraAdmins,
            users: opts.jiraUsers,
            variants: this.variants.jira,
            configurationChangesFrom: opts.siteChangesFrom,
          })
        : undefined;
    this.runtime = new LocalForgeRuntime({
      kvs: this.kvs,
      jira: this.jira ?? (site as JiraService),
      atlassian: this.personalData,
      clock: this.clock,
      interceptor: opts.interceptor,
      logSink: opts.logSink,
    });
    this.uninstall = this.runtime.install();
    this.invoker = new Invoker(this.runtime, undefined, this.variants.runtime);
    this.events = new AsyncEventsEmulator(
      this.clock,
      new Set(this.invoker.manifest.consumers.map((c) => c.queue)),
      opts.eventFaults,
      this.variants.events,
    );
    this.runtime.attachEvents(this.events);
  }

  dispose(): void {
    this.uninstall();
    this.kvs.close();
  }

  newInstallation(cloudId?: string): Installation {
    return this.addInstallation(newInstallation(cloudId));
  }

  /**
   * An installation made before this world was built (one a `--kvs-file` kept): its KVS data is
   * in the file already, and from now on the events pushed for it are delivered to it.
   */
  addInstallation(installation: Installation): Installation {
    this.installations.set(installation.installationId, installation);
    return installation;
  }

  /**
   * Deliver every async event due up to `until`, in time order, the clock set to
   * each delivery's instant; deliveries due at the same instant run concurrently,
   * and events the consumers push meanwhile are delivered too if due in time. The
   * clock is left at `until` (or where it was, if later).
   */
  async deliverEvents<B = Record<string, unknown>>(
    until: number,
    onDelivery?: (d: EventDelivery<B>) => void,
  ): Promise<Array<EventDelivery<B>>> {
    const delivered: Array<EventDelivery<B>> = [];
    for (let next = this.events.nextAt(); next !== null && next <= until; next = this.events.nextAt()) {
      if (next > this.clock.now()) this.clock.set(next);
      const due = this.events.takeDue(this.clock.now());
      const runs = await Promise.all(due.map((d) => this.deliver<B>(d)));
      for (const r of runs) {
        delivered.push(r);
        onDelivery?.(r);
      }
    }
    if (until > this.clock.now()) this.clock.set(until);
    return delivered;
  }

  /**
   * Deliver one waiting delivery (taken with `events.takeDue`) to its consumer, or, for a
   * lifecycle event's redelivery, to the installed handler with its `retryContext`, and
   * record how it ended, as Forge would.
   */
  async deliver<B>(d: PendingDelivery): Promise<EventDelivery<B>> {
    const installation = this.installations.get(d.installationId);
    if (!installation) throw new Error(`An event was pushed for an installation this world does not know`);
    type Answer = { statusCode?: number; body?: string };
    const retryContext =
      d.retryCount > 0
        ? { retryCount: d.retryCount, retryReason: d.retryReason ?? 'FUNCTION_RETRY_REQUEST', retryData: d.retryData }
        : undefined;
    const run = d.lifecycle
      ? await this.invoker.installed<Answer>(installation, undefined, { catchThrow: true }, retryContext)
      : await this.invoker.asyncEvent<Answer>(installation, d.queueName, this.events.asyncEvent(d), d.chain, {
          catchThrow: true,
        });
    const threw = run.killed && run.threw !== undefined;
    const retried = this.events.answered(
      d,
      run.killed ? undefined : run.result,
      threw ? 'threw' : run.killed ? 'timed-out' : 'returned',
      run.invocation.id,
    );
    let body: B | undefined;
    if (!run.killed && typeof run.result?.body === 'string') {
      try {
        body = JSON.parse(run.result.body) as B;
      } catch {
        body = undefined;
      }
    }
    return {
      delivery: d,
      installation,
      killed: run.killed && !threw,
      threw,
      body,
      statusCode: run.killed ? undefined : run.result?.statusCode,
      retried,
      invocation: run.invocation,
    };
  }

  /**
   * Deliver the `avi:forge:installed:app` lifecycle event as Forge does: once now, and
   * again after an InvocationError's `retryAfter`, at most four times (the redeliveries
   * come with `deliverEvents`).
   */
  async deliverInstalled<T = unknown>(installation: Installation): Promise<InvocationResult<T>> {
    const d = this.events.lifecycleDelivery(installation.installationId, 'avi:forge:installed:app');
    const run = await this.invoker.installed<T>(installation, undefined, { catchThrow: true });
    const end = run.killed ? (run.threw ? 'threw' : 'timed-out') : 'returned';
    this.events.answered(d, run.killed ? undefined : run.result, end, run.invocation.id);
    return run;
  }

  /** Run the manifest's scheduled trigger for one installation, as Forge would. */
  async runScheduler<B = Record<string, unknown>>(installation: Installation): Promise<SchedulerRun<B>> {
    const run = await this.invoker.scheduledTrigger<{ statusCode: number; body: string }>(installation);
    if (run.killed) return { killed: true, invocation: run.invocation };
    const response = run.result;
    let body: B | undefined;
    try {
      body = JSON.parse(response.body) as B;
    } catch {
      body = undefined;
    }
    return {
      killed: false,
      statusCode: response.statusCode,
      recordedAs: this.recordedAs(response),
      body,
      result: response,
      invocation: run.invocation,
    };
  }

  /**
   * What Forge records for a scheduled trigger's answer: a value without a numeric
   * statusCode is a 424; 5xx is an error; 204 is a success; a 200 is a success unless
   * the 'only204' variant holds. Reports do not depend on it, only the console does.
   */
  recordedAs(response: unknown): RecordedOutcome {
    const status = (response as { statusCode?: unknown } | null)?.statusCode;
    if (typeof status !== 'number') return 'failed-dependency';
    if (status === 204) return 'success';
    if (status >= 200 && status < 300)
      return this.variants.runtime.scheduledTriggerSuccess === 'any2xx' ? 'success' : 'error';
    return 'error';
  }

  /** Write a raw value into an installation's KVS namespace over the wire, outside any invocation. */
  async put(installation: Installation, key: string, value: unknown): Promise<void> {
    const res = await this.kvs.handle(installation.installationId, '/api/v1/set', {
      method: 'POST',
      body: JSON.stringify({ key, value }),
    });
    if (!res.ok) throw new Error(`seeding ${key} failed: ${res.status} ${await res.text()}`);
  }

  /** Every live entry of an installation, keyed by KVS key. */
  stored(installation: Installation): Map<string, unknown> {
    return new Map(this.kvs.entries(installation.installationId).map((e) => [e.key, e.value]));
  }
}
