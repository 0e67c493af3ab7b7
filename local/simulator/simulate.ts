import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Prng, seededUuid } from '../prng';
import type { SitePreset } from '../jira';
import type { Installation, Invocation } from '../runtime/forge_runtime';
import { INTERVAL_MS } from '../runtime/manifest';
import { DEFAULT_START, LocalApp } from '../runtime/local_app';
import { nextTickAfter, SavedWorld, WorldFile } from '../runtime/world_file';
import { reportCsv } from '../../src/frontend/report_csv';
import { readReport } from '../../src/frontend/report_reading';
import { setReportWords } from '../../src/frontend/report_words';
import english from '../../locales/en-US.json';

/**
 * One installation's life, from the installed event through `hours` of
 * scheduled invocations, on a simulated clock: what `npm start` shows. Forge's
 * behaviour is reproduced where it matters to the scheduler: a stable
 * per-installation offset inside the interval, occasional duplicate deliveries,
 * retried lifecycle events, functions stopped at their timeout, and the wake-up
 * events the scheduler pushes, delivered by the async events emulator (some lost
 * with `eventLoss`). With a `kvsFile`, the installation lives on in the file and
 * the next run continues it.
 */

export interface SimulationOptions {
  /** Simulated hours this run covers: from installation, or from where the `kvsFile` installation stopped. */
  hours: number;
  site: SitePreset;
  faultRate: number;
  duplicates: number;
  seed: number;
  /** Fraction of wake-up events lost (default 0). */
  eventLoss?: number;
  /** Added to every KVS and Jira request (real milliseconds). */
  latencyMs: number;
  /**
   * A SQLite file holding KVS and the installation itself. When an earlier run (or `npm run dev`)
   * left an installation there, this run continues it: same installation, same clock, same
   * schedule, no second installed event. `site` and `seed` must then be the saved ones.
   */
  kvsFile?: string;
  outDir: string;
  /** Called once the installation is known, before the first invocation of this run. */
  onStart?: (start: SimulationStart) => void;
  /** Called with each invocation's log lines as they happen. */
  onLog?: (at: number, line: string, level: string) => void;
  /** Called after each scheduled tick. */
  onTick?: (at: number, outcomes: TickOutcome[]) => void;
  /** Called after each wake-up event delivered to the consumer. */
  onWakeUp?: (at: number, outcome: TickOutcome) => void;
}

export interface SimulationStart {
  installation: Installation;
  /** True when the installation came from `kvsFile`, made by an earlier run. */
  continued: boolean;
  installEventAt: number;
  /** The install time the app recorded, as far as KVS says at the start (null if none yet). */
  installedAt: number | null;
  startedAt: number;
}

export interface TickOutcome {
  reason: string;
  statusCode: number | null;
  killed: boolean;
  invocation: Invocation;
}

export interface GeneratedReport {
  /** The report's name in KVS after the installation's prefix: `AUTO_12H`, `MANUAL:…`, `AUTO_12H:REPLACED:…`. */
  name: string;
  trigger: string;
  generatedAt: number;
  hoursAfterInstall: number;
  /** When it fell due (12 h or 24 h after install), and how long after that it was stored. */
  dueAt: number | null;
  latenessMs: number | null;
  file: string;
}

export interface SimulationResult {
  installation: Installation;
  installedAt: number | null;
  /** True when this run continued an installation saved in `kvsFile`. */
  continued: boolean;
  /** Wake-up events an earlier run left waiting in `kvsFile`, delivered in this run at their instants. */
  wakeUpsCarriedIn: number;
  /** When the wake-ups still waiting at the end of this run fall due (kept in `kvsFile` for the next run). */
  wakeUpsWaiting: number[];
  /** When Forge first delivered the installed event: the origin of the trigger's schedule. */
  installEventAt: number;
  /** Deliveries of the installed event in this run (0 when continuing: Forge sends it once per install). */
  installDeliveries: number;
  startedAt: number;
  endedAt: number;
  intervalMs: number;
  offsetMs: number;
  invocations: number;
  /** Of which wake-up events delivered to the consumer. */
  wakeUps: number;
  wakeUpsLost: number;
  outcomes: Record<string, number>;
  kvs: { requests: number; writes: number; bytesRead: number; bytesWritten: number };
  jiraRequests: number;
  /** Every report the installation stores at the end, whichever run generated it. */
  reports: GeneratedReport[];
  /** Reports committed per trigger in this run: more than one would be a duplicate. */
  commits: Record<string, number>;
  backoffs: string[];
  storedKeys: string[];
  /** Report files removed from the installation's folder because it no longer stores those reports. */
  staleFilesRemoved: string[];
}

const LIFECYCLE_RETRIES = 4;
const REPORT_PREFIX = 'phase5:report:';

export async function simulateInstallation(opts: SimulationOptions): Promise<SimulationResult> {
  const worldFile = opts.kvsFile ? WorldFile.open(opts.kvsFile, 'npm start') : undefined;
  try {
    const saved = worldFile?.load();
    if (saved && (saved.site !== opts.site || saved.seed !== opts.seed)) {
      throw new Error(
        `${opts.kvsFile} holds an installation on a ${saved.site} site with seed ${saved.seed}, not ${opts.site} / ${opts.seed}`,
      );
    }
    return await simulate(opts, worldFile, saved);
  } finally {
    worldFile?.close();
  }
}

async function simulate(
  opts: SimulationOptions,
  worldFile: WorldFile | undefined,
  saved: SavedWorld | undefined,
): Promise<SimulationResult> {
  const prng = new Prng(opts.seed);
  const app = new LocalApp({
    start: saved?.now,
    kvsFile: opts.kvsFile,
    kvsFaults:
      opts.faultRate > 0 || opts.latencyMs > 0
        ? {
            errorRate: opts.faultRate / 2,
            rateLimitRate: opts.faultRate / 2,
            latencyMs: opts.latencyMs,
            seed: opts.seed,
          }
        : undefined,
    site: opts.site,
    seed: opts.seed,
    // The site's administrators change its configuration over the installation's first day.
    siteChangesFrom: saved?.installEventAt ?? DEFAULT_START,
    jiraFaults: opts.latencyMs > 0 ? { latencyMs: opts.latencyMs, seed: opts.seed } : undefined,
    eventFaults: { lossRate: opts.eventLoss ?? 0, seed: opts.seed },
    logSink: (_inv, level, line) => opts.onLog?.(app.clock.now(), line, level),
  });

  const trigger = app.invoker.manifest.scheduledTriggers[0];
  const intervalMs = INTERVAL_MS[trigger.interval];
  const startedAt = app.clock.now();
  const world: SavedWorld = saved ?? {
    installation: app.newInstallation(seededUuid(opts.seed)),
    site: opts.site,
    seed: opts.seed,
    offsetMs: prng.int(0, intervalMs / 1000 - 1) * 1000,
    installEventAt: startedAt,
    now: startedAt,
  };
  const { installation, offsetMs, installEventAt } = world;
  if (saved) {
    // The installation an earlier run made, and the wake-ups it pushed that are still to come.
    app.addInstallation(installation);
    app.events.restore(worldFile!.loadPendingEvents());
  } else {
    // Saved before anything runs, so even a run stopped during the installed event leaves an
    // installation the next run continues rather than a KVS namespace nobody can find.
    worldFile?.save(world);
  }
  const saveProgress = () => worldFile?.saveProgress(app.clock.now(), app.events.waiting());
  const evidenceKey = `phase4:evidence:installation:${installation.cloudId}`;
  const recordedInstall = () => {
    const evidence = app.stored(installation).get(evidenceKey) as { installation_timestamp?: string } | undefined;
    const at = evidence?.installation_timestamp ? Date.parse(evidence.installation_timestamp) : NaN;
    return Number.isFinite(at) ? at : null;
  };

  const result: SimulationResult = {
    installation,
    installedAt: recordedInstall(),
    continued: saved !== undefined,
    wakeUpsCarriedIn: saved ? app.events.waiting().length : 0,
    wakeUpsWaiting: [],
    installEventAt,
    installDeliveries: 0,
    startedAt,
    endedAt: startedAt + opts.hours * 3_600_000,
    intervalMs,
    offsetMs,
    invocations: 0,
    wakeUps: 0,
    wakeUpsLost: 0,
    outcomes: {},
    kvs: { requests: 0, writes: 0, bytesRead: 0, bytesWritten: 0 },
    jiraRequests: 0,
    reports: [],
    commits: {},
    backoffs: [],
    storedKeys: [],
    staleFilesRemoved: [],
  };
  const account = (inv: Invocation) => {
    const s = inv.stats;
    result.kvs.requests += s.kvsRequests;
    result.kvs.writes += s.kvsWriteRequests;
    result.kvs.bytesRead += s.kvsBytesRead;
    result.kvs.bytesWritten += s.kvsBytesWritten;
    result.jiraRequests += s.jiraRequests;
  };

  try {
    opts.onStart?.({
      installation,
      continued: result.continued,
      installEventAt,
      installedAt: result.installedAt,
      startedAt,
    });
    let next: number;
    if (!saved) {
      // The installed event; Forge retries it when the handler asks (InvocationError), up to 4 times.
      for (let attempt = 0; attempt <= LIFECYCLE_RETRIES; attempt++) {
        const run = await app.invoker.installed<{ retryOptions?: { retryAfter: number } } | undefined>(installation);
        result.installDeliveries++;
        account(run.invocation);
        const retryAfter = !run.killed ? run.result?.retryOptions?.retryAfter : undefined;
        if (retryAfter === undefined) break;
        app.clock.advance(retryAfter * 1000);
      }
      saveProgress();
      // Scheduled ticks at the installation's stable offset within the interval.
      next = Math.ceil((app.clock.now() - startedAt) / intervalMs) * intervalMs + startedAt + offsetMs;
    } else {
      next = nextTickAfter(world, intervalMs, startedAt);
    }

    const record = (o: TickOutcome, body: { trigger?: string } | undefined) => {
      result.invocations++;
      result.outcomes[o.reason] = (result.outcomes[o.reason] ?? 0) + 1;
      account(o.invocation);
      const committed = o.invocation.stats.kvsByOperation.transaction && o.reason === 'GENERATED';
      if (committed && body?.trigger) result.commits[body.trigger] = (result.commits[body.trigger] ?? 0) + 1;
      for (const l of o.invocation.logs) if (l.line.includes('Backoff ')) result.backoffs.push(l.line);
    };
    for (;;) {
      // Wake-ups due before the next tick (or the end of the run), each delivered at its instant:
      // those the last tick pushed, and those an earlier run left waiting in the file.
      await app.deliverEvents<{ reason?: string; trigger?: string }>(Math.min(next - 1, result.endedAt), (d) => {
        const o: TickOutcome = {
          reason: d.killed ? 'KILLED' : typeof d.body?.reason === 'string' ? d.body.reason : 'RETRY_REQUESTED',
          statusCode: d.statusCode ?? null,
          killed: d.killed,
          invocation: d.invocation,
        };
        result.wakeUps++;
        record(o, d.body);
        saveProgress();
        opts.onWakeUp?.(app.clock.now(), o);
      });
      if (next > result.endedAt) break;
      app.clock.set(next);
      const copies = Math.max(1, opts.duplicates);
      const runs = await Promise.all(Array.from({ length: copies }, () => app.runScheduler(installation)));
      const outcomes: TickOutcome[] = runs.map((r) => ({
        reason: r.killed ? 'KILLED' : typeof r.body?.reason === 'string' ? r.body.reason : 'UNPARSEABLE',
        statusCode: r.statusCode ?? null,
        killed: r.killed,
        invocation: r.invocation,
      }));
      outcomes.forEach((o, i) => record(o, runs[i].body as { trigger?: string } | undefined));
      saveProgress();
      opts.onTick?.(next, outcomes);
      next += intervalMs;
    }
    result.wakeUpsLost = app.events.stats.eventsLost;
    // The run covers all of its hours (deliverEvents leaves the clock at the end), so the next
    // one starts where this one said it ended, with the wake-ups still to come.
    saveProgress();
    result.wakeUpsWaiting = app.events
      .waiting()
      .map((d) => d.at)
      .sort((a, b) => a - b);
    result.installedAt = recordedInstall();

    const stored = app.stored(installation);
    result.storedKeys = [...stored.keys()].sort();
    writeReports(result, stored, path.join(opts.outDir, installation.cloudId));
    return result;
  } finally {
    app.dispose();
  }
}

/**
 * What is stored at the end, written out as files for reading (JSON, and CSV as the admin
 * page downloads it): exactly the reports the
 * installation holds now. Files an earlier run left for reports that are gone (a shorter run,
 * a reset) are removed, so the folder never shows a report the summary says was not generated.
 */
function writeReports(result: SimulationResult, stored: Map<string, unknown>, dir: string): void {
  const prefix = `${REPORT_PREFIX}${result.installation.cloudId}:`;
  mkdirSync(dir, { recursive: true });
  const written = new Set<string>();
  for (const [key, value] of stored) {
    if (!key.startsWith(prefix)) continue;
    const report = value as { trigger: string; generated_at: string };
    const name = key.slice(prefix.length);
    const file = path.join(dir, `${name.replace(/:/g, '_')}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    written.add(path.basename(file));
    // Beside it, the CSV the admin page's download gives, for a spreadsheet: in English, the app's default language.
    setReportWords((k) => (english as Record<string, string>)[k] ?? null);
    const csv = file.replace(/\.json$/, '.csv');
    writeFileSync(csv, reportCsv(readReport(report), result.installation.cloudId));
    written.add(path.basename(csv));
    const generatedAt = Date.parse(report.generated_at);
    result.reports.push({
      name,
      trigger: report.trigger,
      generatedAt,
      hoursAfterInstall: result.installedAt === null ? NaN : (generatedAt - result.installedAt) / 3_600_000,
      ...lateness(result.installedAt, report.trigger, generatedAt),
      file,
    });
  }
  for (const entry of readdirSync(dir)) {
    if (!/\.(json|csv)$/.test(entry) || written.has(entry)) continue;
    rmSync(path.join(dir, entry), { force: true });
    result.staleFilesRemoved.push(path.join(dir, entry));
  }
  result.reports.sort((a, b) => a.generatedAt - b.generatedAt);
}

/** When an automatic report fell due (12 h or 24 h after install), and how long after that it was stored. */
function lateness(
  installedAt: number | null,
  trigger: string,
  generatedAt: number,
): { dueAt: number | null; latenessMs: number | null } {
  const after = trigger === 'AUTO_12H' ? 12 : trigger === 'AUTO_24H' ? 24 : null;
  if (installedAt === null || after === null) return { dueAt: null, latenessMs: null };
  const dueAt = installedAt + after * 3_600_000;
  return { dueAt, latenessMs: generatedAt - dueAt };
}
