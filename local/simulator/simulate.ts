import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Prng, seededUuid } from '../prng';
import type { SitePreset } from '../jira';
import type { Installation, Invocation } from '../runtime/forge_runtime';
import { INTERVAL_MS } from '../runtime/manifest';
import { LocalApp } from '../runtime/local_app';

/**
 * One installation's life, from the installed event through `hours` of
 * scheduled invocations, on a simulated clock: what `npm start` shows. Forge's
 * behaviour is reproduced where it matters to the scheduler: a stable
 * per-installation offset inside the interval, occasional duplicate deliveries,
 * retried lifecycle events, functions stopped at their timeout, and the wake-up
 * events the scheduler pushes, delivered by the async events emulator (some lost
 * with `eventLoss`).
 */

export interface SimulationOptions {
  hours: number;
  site: SitePreset;
  faultRate: number;
  duplicates: number;
  seed: number;
  /** Fraction of wake-up events lost (default 0). */
  eventLoss?: number;
  /** Added to every KVS and Jira request (real milliseconds). */
  latencyMs: number;
  kvsFile?: string;
  outDir: string;
  /** Called with each invocation's log lines as they happen. */
  onLog?: (at: number, line: string, level: string) => void;
  /** Called after each scheduled tick. */
  onTick?: (at: number, outcomes: TickOutcome[]) => void;
  /** Called after each wake-up event delivered to the consumer. */
  onWakeUp?: (at: number, outcome: TickOutcome) => void;
}

export interface TickOutcome {
  reason: string;
  statusCode: number | null;
  killed: boolean;
  invocation: Invocation;
}

export interface GeneratedReport {
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
  reports: GeneratedReport[];
  /** Reports committed per trigger: more than one would be a duplicate. */
  commits: Record<string, number>;
  backoffs: string[];
  storedKeys: string[];
}

const LIFECYCLE_RETRIES = 4;

export async function simulateInstallation(opts: SimulationOptions): Promise<SimulationResult> {
  const prng = new Prng(opts.seed);
  const app = new LocalApp({
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
    jiraFaults: opts.latencyMs > 0 ? { latencyMs: opts.latencyMs, seed: opts.seed } : undefined,
    eventFaults: { lossRate: opts.eventLoss ?? 0, seed: opts.seed },
    logSink: (_inv, level, line) => opts.onLog?.(app.clock.now(), line, level),
  });

  const installation = app.newInstallation(seededUuid(opts.seed));
  const startedAt = app.clock.now();
  const trigger = app.invoker.manifest.scheduledTriggers[0];
  const intervalMs = INTERVAL_MS[trigger.interval];
  const offsetMs = prng.int(0, intervalMs / 1000 - 1) * 1000;
  const result: SimulationResult = {
    installation,
    installedAt: null,
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
    // The installed event; Forge retries it when the handler asks (InvocationError), up to 4 times.
    for (let attempt = 0; attempt <= LIFECYCLE_RETRIES; attempt++) {
      const run = await app.invoker.installed<{ retryOptions?: { retryAfter: number } } | undefined>(installation);
      account(run.invocation);
      const retryAfter = !run.killed ? run.result?.retryOptions?.retryAfter : undefined;
      if (retryAfter === undefined) break;
      app.clock.advance(retryAfter * 1000);
    }
    const evidence = app.stored(installation).get(`phase4:evidence:installation:${installation.cloudId}`) as
      { installation_timestamp?: string } | undefined;
    result.installedAt = evidence?.installation_timestamp ? Date.parse(evidence.installation_timestamp) : null;

    // Scheduled ticks at the installation's stable offset within the interval.
    let next = Math.ceil((app.clock.now() - startedAt) / intervalMs) * intervalMs + startedAt + offsetMs;
    while (next <= result.endedAt) {
      app.clock.set(next);
      const copies = Math.max(1, opts.duplicates);
      const runs = await Promise.all(Array.from({ length: copies }, () => app.runScheduler(installation)));
      const outcomes: TickOutcome[] = runs.map((r) => ({
        reason: r.killed ? 'KILLED' : typeof r.body?.reason === 'string' ? r.body.reason : 'UNPARSEABLE',
        statusCode: r.statusCode ?? null,
        killed: r.killed,
        invocation: r.invocation,
      }));
      const record = (o: TickOutcome, body: { trigger?: string } | undefined) => {
        result.invocations++;
        result.outcomes[o.reason] = (result.outcomes[o.reason] ?? 0) + 1;
        account(o.invocation);
        const committed = o.invocation.stats.kvsByOperation.transaction && o.reason === 'GENERATED';
        if (committed && body?.trigger) result.commits[body.trigger] = (result.commits[body.trigger] ?? 0) + 1;
        for (const l of o.invocation.logs) if (l.line.includes('Backoff ')) result.backoffs.push(l.line);
      };
      outcomes.forEach((o, i) => record(o, runs[i].body as { trigger?: string } | undefined));
      opts.onTick?.(next, outcomes);
      // Wake-ups pushed for instants before the next tick, delivered at their time.
      await app.deliverEvents<{ reason?: string; trigger?: string }>(
        Math.min(next + intervalMs - 1, result.endedAt),
        (d) => {
          const o: TickOutcome = {
            reason: d.killed ? 'KILLED' : typeof d.body?.reason === 'string' ? d.body.reason : 'RETRY_REQUESTED',
            statusCode: d.statusCode ?? null,
            killed: d.killed,
            invocation: d.invocation,
          };
          result.wakeUps++;
          record(o, d.body);
          opts.onWakeUp?.(app.clock.now(), o);
        },
      );
      next += intervalMs;
    }
    result.wakeUpsLost = app.events.stats.eventsLost;

    // What is stored at the end: the reports, written out as files for reading.
    const stored = app.stored(installation);
    result.storedKeys = [...stored.keys()].sort();
    const dir = path.join(opts.outDir, installation.cloudId);
    mkdirSync(dir, { recursive: true });
    for (const [key, value] of stored) {
      if (!key.startsWith('phase5:report:')) continue;
      const report = value as { trigger: string; generated_at: string };
      const file = path.join(dir, `${report.trigger}.json`);
      writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
      const generatedAt = Date.parse(report.generated_at);
      const dueAt =
        result.installedAt === null ? null : result.installedAt + (report.trigger === 'AUTO_12H' ? 12 : 24) * 3_600_000;
      result.reports.push({
        trigger: report.trigger,
        generatedAt,
        hoursAfterInstall: result.installedAt === null ? NaN : (generatedAt - result.installedAt) / 3_600_000,
        dueAt,
        latenessMs: dueAt === null ? null : generatedAt - dueAt,
        file,
      });
    }
    result.reports.sort((a, b) => a.generatedAt - b.generatedAt);
    return result;
  } finally {
    app.dispose();
  }
}
