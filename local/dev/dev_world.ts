import type { Installation, SeamCall } from '../runtime/forge_runtime';
import { DEFAULT_START, LocalApp } from '../runtime/local_app';
import { INTERVAL_MS } from '../runtime/manifest';
import { nextTickAfter, SavedWorld, WorldFile, WorldFileError } from '../runtime/world_file';

/**
 * The world `npm run dev` serves the admin page against: one installation of
 * the app on an emulated Jira site, brought to an interesting point by running
 * the real scheduled trigger every five simulated minutes from installation
 * (with the wake-up events it pushes).
 * The clock then stands still until someone advances it, so the page shows
 * the same times on every reload.
 *
 * Or, given a `--kvs-file`, the installation `npm start -- --kvs-file` left
 * there, as it is: same installation, KVS data, site, clock and waiting wake-up
 * events. Advancing the clock runs the trigger on that installation's own
 * schedule and delivers its wake-ups, and saves the clock and the wake-ups still
 * waiting, so a later `npm start` on the file continues from here.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The accounts the page can be viewed as. Only `admin` is a Jira administrator on the emulated site. */
export const DEV_ACCOUNTS = {
  admin: '5b10a2844c20165700ede21g',
  user: '5b10ac8d82e05b22cc7d4ef5',
} as const;

export type Viewer = keyof typeof DEV_ACCOUNTS | 'anonymous';

/** The names the emulated Jira's user API gives those accounts (made up). */
export const DEV_PEOPLE = {
  [DEV_ACCOUNTS.admin]: { displayName: 'Avery Admin' },
  [DEV_ACCOUNTS.user]: { displayName: 'Sam Member' },
};

export const SCENARIOS = {
  /** 13 h after installation: the 12-hour report is done (on its second attempt, after a Jira outage). */
  'done-12h': 'The 12-hour report done at 12 h 30 min on attempt #2 after a Jira outage; now 13 h after installation.',
  /** 27 h after installation, Jira down since 12 h: AUTO_12H missed, AUTO_24H backing off after three failures. */
  failing:
    'Jira answering 503 since 12 h: the 12-hour report missed, the 24-hour one backing off for 24 h after 3 failures.',
  /** An installation older than the lifecycle trigger: no installation evidence. */
  'no-installation': 'No Phase-4 evidence: the installation time must be recorded from the page.',
  /** 15 h after installation, Jira down since 12 h: AUTO_12H's next attempt, at 23 h, is its last chance. */
  'last-chance':
    'Jira answering 503 since 12 h, now 15 h: the 12-hour report failed three times; its next attempt, at 23 h, ' +
    'is its last chance before its time runs out at 24 h.',
  /** 12 h 10 min: the 12-hour attempt was stopped at Forge's time limit and its claim is still held. */
  'outcome-unknown':
    "The 12-hour attempt at 12 h stopped at the function's time limit (Jira never answered); now 12 h 10 min, " +
    'the app cannot tell yet whether it still runs.',
} as const;

export type ScenarioName = keyof typeof SCENARIOS;

export interface InvokeOutcome {
  /** The resolver's answer; absent when it threw or was stopped. */
  result?: unknown;
  /** What the host tells the page when the resolver could not answer (Forge rejects the invoke). */
  failure?: string;
}

/** What a world shows: a made-up scenario, or the installation saved in a file. */
export type DevWorldSource = ScenarioName | { kvsFile: string };

export class DevWorld {
  readonly app: LocalApp;
  readonly installation: Installation;
  readonly moduleKey: string;
  readonly functionKey: string;
  /** The scenario shown, or null when the world is the installation saved in `kvsFile`. */
  readonly scenario: ScenarioName | null;
  readonly kvsFile: string | null;
  /** While true, the emulated Jira answers the report's reads with 503 (the permission check and user names still work). */
  jiraOutage = false;
  /** While set, the report's reads wait for it to settle: a generation caught while it runs. */
  jiraHold: Promise<void> | null = null;
  /**
   * While true, the next read of the report hangs past the scheduler function's time limit, so Forge stops the
   * invocation mid-generation (its claim stays held); then it is false again.
   */
  jiraHangsOnce = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly saved: { file: WorldFile; world: SavedWorld; intervalMs: number } | null;

  /** Throws WorldFileError when `source.kvsFile` cannot be used or holds no installation. */
  constructor(source: DevWorldSource) {
    this.scenario = typeof source === 'string' ? source : null;
    this.kvsFile = typeof source === 'string' ? null : source.kvsFile;
    let file: WorldFile | undefined;
    let world: SavedWorld | undefined;
    if (this.kvsFile !== null) {
      file = WorldFile.open(this.kvsFile, 'npm run dev');
      world = file.load();
      if (!world) {
        file.close();
        throw new WorldFileError(`holds no installation yet: make one with npm start -- --kvs-file ${this.kvsFile}`);
      }
    }
    this.app = new LocalApp({
      start: world?.now,
      kvsFile: this.kvsFile ?? undefined,
      site: world?.site,
      seed: world?.seed,
      // A scenario installs the app at the clock's start; the site's day of configuration changes counts from there.
      siteChangesFrom: world?.installEventAt ?? DEFAULT_START,
      jiraAdmins: [DEV_ACCOUNTS.admin],
      jiraUsers: DEV_PEOPLE,
      interceptor: (call: SeamCall) => {
        if (call.service !== 'jira') return;
        if (call.path.startsWith('/rest/api/3/mypermissions') || call.path.startsWith('/rest/api/3/user/bulk')) return;
        if (this.jiraHold) return this.jiraHold.then(() => undefined);
        if (this.jiraHangsOnce) {
          // Jira does not answer before Forge's limit: past its deadline the runtime stops the invocation.
          this.jiraHangsOnce = false;
          this.app.clock.set(call.invocation.deadlineAt + 1000);
          return;
        }
        if (!this.jiraOutage) return;
        return new Response(JSON.stringify({ errorMessages: ['Service unavailable (simulated outage)'], errors: {} }), {
          status: 503,
          headers: { 'Content-Type': 'application/json' },
        });
      },
    });
    if (world) {
      // The saved installation, and the wake-ups npm start pushed that are still to come.
      this.installation = this.app.addInstallation(world.installation);
      this.app.events.restore(file!.loadPendingEvents());
    } else {
      this.installation = this.app.newInstallation('7f3c2a9e-4b1d-4c8e-9a2f-1d5e6b7c8a90');
    }
    const interval = this.app.invoker.manifest.scheduledTriggers[0]?.interval;
    this.saved = file && world ? { file, world, intervalMs: INTERVAL_MS[interval] } : null;
    const page = this.app.invoker.manifest.resolvers.find((r) => r.moduleType === 'jira:adminPage');
    if (!page) throw new Error('manifest.yml declares no jira:adminPage with a resolver');
    this.moduleKey = page.key;
    this.functionKey = page.function;
  }

  now(): number {
    return this.app.clock.now();
  }

  /** Bring the world to its scenario's point in time. */
  async prepare(): Promise<void> {
    // A saved installation is shown as it was left.
    if (this.scenario === null) return;
    if (this.scenario === 'no-installation') {
      await this.advance(30);
      return;
    }
    await this.app.invoker.installed(this.installation);
    await this.advance(12 * 60 - 5);
    if (this.scenario === 'outcome-unknown') {
      this.jiraHangsOnce = true;
      await this.advance(15);
      return;
    }
    this.jiraOutage = true;
    if (this.scenario === 'done-12h') {
      await this.advance(5);
      this.jiraOutage = false;
      await this.advance(60);
    } else if (this.scenario === 'last-chance') {
      await this.advance(3 * 60 + 5);
    } else {
      await this.advance(15 * 60 + 5);
    }
  }

  /**
   * Let simulated time pass, running the scheduled trigger every five minutes (a
   * finer grid than the manifest's interval, so the page can be watched minute by
   * minute; the scheduler works at either) and delivering its wake-up events.
   */
  advance(minutes: number): Promise<void> {
    return this.serially(async () => {
      const saved = this.saved;
      if (saved) {
        // On the installation's own schedule, with the wake-ups it pushes (and those npm start left
        // waiting) delivered at their instants in between, saving the clock and the waiting
        // wake-ups as it goes, as npm start does.
        const end = this.now() + minutes * MINUTE;
        for (let at = nextTickAfter(saved.world, saved.intervalMs, this.now()); ; at += saved.intervalMs) {
          await this.app.deliverEvents(Math.min(at - 1, end), () => this.saveProgress());
          if (at > end) break;
          this.app.clock.set(at);
          await this.app.runScheduler(this.installation);
          this.saveProgress();
        }
        // deliverEvents left the clock at the end.
        this.saveProgress();
        return;
      }
      for (let elapsed = 0; elapsed < minutes; elapsed += 5) {
        await this.app.deliverEvents(this.app.clock.now() + 5 * MINUTE);
        await this.app.runScheduler(this.installation);
      }
    });
  }

  /** Call the admin page's resolver as `viewer`, the way Forge calls it for the page's `invoke`. */
  invoke(functionKey: string, payload: unknown, viewer: Viewer): Promise<InvokeOutcome> {
    return this.serially(async () => {
      const accountId = viewer === 'anonymous' ? undefined : DEV_ACCOUNTS[viewer];
      // The platform check waits for a TTL to run out; the standing clock follows real time while it runs.
      const ticker =
        functionKey === 'runPlatformCheck' ? setInterval(() => this.app.clock.advance(100), 100) : undefined;
      try {
        const run = await this.app.invoker.resolver(this.installation, this.moduleKey, functionKey, payload, accountId);
        // Events the resolver pushed for now (a Retry's wake-up) arrive within seconds in Forge: here, before it answers.
        await this.app.deliverEvents(this.now());
        if (run.killed) return { failure: 'The resolver was stopped at its 25 s limit.' };
        return { result: run.result };
      } catch (err) {
        return { failure: err instanceof Error ? err.message : String(err) };
      } finally {
        if (ticker) clearInterval(ticker);
        // A --kvs-file installation keeps the time that passed and any wake-up an action pushed
        // (a Retry, a Reset), as it keeps every other advance.
        this.saveProgress();
      }
    });
  }

  /** From the stored Phase-4 evidence, so a time recorded from the page counts too. */
  hoursSinceInstall(): number | null {
    const evidence = this.app
      .stored(this.installation)
      .get(`phase4:evidence:installation:${this.installation.cloudId}`);
    const at = Date.parse(
      String((evidence as { installation_timestamp?: unknown } | undefined)?.installation_timestamp),
    );
    return Number.isFinite(at) ? (this.now() - at) / HOUR : null;
  }

  dispose(): void {
    this.app.dispose();
    this.saved?.file.close();
  }

  /** For a --kvs-file installation: the clock and the wake-ups still to come, saved in the file. */
  private saveProgress(): void {
    this.saved?.file.saveProgress(this.now(), this.app.events.waiting());
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
