import { Clock, ManualClock } from '../clock';
import type { JiraUser } from '../jira/endpoint';
import { PersonalDataApi } from '../privacy/personal_data_api';
import { generateSite, JiraEmulator, JiraFaults, SitePreset } from '../jira';
import { KvsEmulator, KvsFaults } from '../kvs';
import { Installation, Interceptor, JiraService, LocalForgeRuntime, LogSink } from './forge_runtime';
import { Invoker, InvocationResult, newInstallation } from './invoker';

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
  /** accountIds the emulated Jira treats as site administrators. */
  jiraAdmins?: string[];
  /** The people the emulated Jira's user API knows (display names, closed accounts), by accountId. */
  jiraUsers?: Record<string, JiraUser>;
  seed?: number;
  interceptor?: Interceptor;
  logSink?: LogSink;
}

export const DEFAULT_START = Date.parse('2026-11-02T09:00:00.000Z');

export interface SchedulerRun<B = Record<string, unknown>> {
  killed: boolean;
  statusCode?: number;
  body?: B;
  result?: unknown;
  invocation: InvocationResult['invocation'];
}

export class LocalApp {
  readonly clock: ManualClock;
  readonly kvs: KvsEmulator;
  /** The emulated Jira site, unless the caller brought its own service. */
  readonly jira: JiraEmulator | undefined;
  /** Atlassian's personal data reporting API: which accounts are closed, and what was reported. */
  readonly personalData = new PersonalDataApi();
  readonly runtime: LocalForgeRuntime;
  readonly invoker: Invoker;
  private readonly uninstall: () => void;

  constructor(opts: LocalAppOptions = {}) {
    this.clock = (opts.clock as ManualClock) ?? new ManualClock(opts.start ?? DEFAULT_START);
    this.kvs = new KvsEmulator({ clock: this.clock, file: opts.kvsFile, faults: opts.kvsFaults });
    const site = opts.site ?? 'small';
    this.jira =
      typeof site === 'string'
        ? new JiraEmulator({
            site: generateSite({ seed: opts.seed ?? 1, size: site }),
            clock: this.clock,
            faults: opts.jiraFaults,
            admins: opts.jiraAdmins,
            users: opts.jiraUsers,
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
    this.invoker = new Invoker(this.runtime);
  }

  dispose(): void {
    this.uninstall();
    this.kvs.close();
  }

  newInstallation(cloudId?: string): Installation {
    return newInstallation(cloudId);
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
    return { killed: false, statusCode: response.statusCode, body, result: response, invocation: run.invocation };
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
