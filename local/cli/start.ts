import path from 'node:path';
import { parseArgs } from 'node:util';
import { SITE_PRESETS, SitePreset } from '../jira';
import { APP_ROOT } from '../runtime/invoker';
import { simulateInstallation, SimulationResult, TickOutcome } from '../simulator/simulate';

/**
 * `npm start`: the app's main job, locally. One Jira site installs the app and
 * the scheduled trigger runs at the manifest's interval for 30 simulated hours,
 * with the wake-up events it pushes, against the real Forge SDKs talking to the
 * local KVS, async events and Jira emulators.
 */

const HELP = `Usage: npm start -- [options]

Simulates one installation of the app from install through --hours of
scheduled invocations, on a simulated clock, with no Atlassian account.

Options:
  --hours N          simulated hours after install (default 30)
  --site S           emulated Jira site size: ${Object.keys(SITE_PRESETS).join(' | ')} (default small)
  --fault-rate F     fraction of KVS requests that fail with 500/429 (default 0)
  --duplicates N     deliver each scheduled tick N times at once, as Forge occasionally
                     does (default 1)
  --event-loss F     fraction of wake-up events lost (default 0); a lost one makes
                     its report wait for the next scheduled tick
  --seed N           seed for the site, the schedule offset and the faults (default 1)
  --latency MS       real milliseconds added to each KVS and Jira request (default 0)
  --kvs-file PATH    keep KVS in a SQLite file, so state survives between runs
  --out DIR          where to write the generated reports (default .local-data/reports)
  --verbose          print every log line, including idle invocations
  --help             this text
`;

function fail(message: string): never {
  console.error(`npm start: ${message}\n\n${HELP}`);
  process.exit(2);
}

function numberOption(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) fail(`--${name} must be a number from ${min} to ${max}`);
  return n;
}

const since = (installedAt: number | null, at: number) => {
  if (installedAt === null) return '   --   ';
  const minutes = Math.round((at - installedAt) / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, '0')}h${String(m % 60).padStart(2, '0')}m`;
};

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        hours: { type: 'string' },
        site: { type: 'string' },
        'fault-rate': { type: 'string' },
        duplicates: { type: 'string' },
        'event-loss': { type: 'string' },
        seed: { type: 'string' },
        latency: { type: 'string' },
        'kvs-file': { type: 'string' },
        out: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (err) {
    fail((err as Error).message);
  }
  if (args.help) {
    console.log(HELP);
    return;
  }
  const site = (args.site ?? 'small') as SitePreset;
  if (!(site in SITE_PRESETS)) fail(`--site must be one of ${Object.keys(SITE_PRESETS).join(', ')}`);
  const opts = {
    hours: numberOption(args.hours, 'hours', 30, 0, 24 * 14),
    site,
    faultRate: numberOption(args['fault-rate'], 'fault-rate', 0, 0, 0.95),
    duplicates: Math.round(numberOption(args.duplicates, 'duplicates', 1, 1, 20)),
    eventLoss: numberOption(args['event-loss'], 'event-loss', 0, 0, 1),
    seed: Math.round(numberOption(args.seed, 'seed', 1, 0, 2 ** 31)),
    latencyMs: numberOption(args.latency, 'latency', 0, 0, 5_000),
    kvsFile: args['kvs-file'] ? path.resolve(args['kvs-file']) : undefined,
    outDir: path.resolve(args.out ?? path.join(APP_ROOT, '.local-data', 'reports')),
  };
  const verbose = Boolean(args.verbose);

  console.log(
    `Simulating one installation for ${opts.hours} h on a ${site} Jira site ` +
      `(fault rate ${opts.faultRate}, ${opts.duplicates} deliver${opts.duplicates === 1 ? 'y' : 'ies'} per tick, ` +
      `${opts.eventLoss * 100}% of wake-ups lost, seed ${opts.seed})\n`,
  );
  const wallStart = process.hrtime.bigint();
  let installedAt: number | null = null;
  // Quiet invocations (nothing due, or the single read failed and the next tick retries) are
  // folded into one line per stretch, so the interesting ones stand out.
  let idle: { count: number; readFailures: number; from: number; to: number } | null = null;
  const flushIdle = () => {
    if (idle && idle.count + idle.readFailures > 0) {
      const failures = idle.readFailures > 0 ? `, ${idle.readFailures} failed KVS read(s) retried next tick` : '';
      console.log(
        `${since(installedAt, idle.from)} .. ${since(installedAt, idle.to)}  ` +
          `${idle.count} idle invocation(s): no trigger due${failures}`,
      );
    }
    idle = null;
  };
  const IDLE_LINE = /Starting for cloudId|No trigger due|Scheduler error: KVS batch read/;

  const result: SimulationResult = await simulateInstallation({
    ...opts,
    onLog: (at, line) => {
      if (installedAt === null && line.includes('[Phase4Evidence] Installation recorded')) installedAt = at;
      if (verbose || !IDLE_LINE.test(line)) {
        flushIdle();
        console.log(`${since(installedAt, at)}  ${line}`);
      }
    },
    onTick: (at, outcomes: TickOutcome[]) => {
      const readFailed = (o: TickOutcome) => o.reason === 'STORAGE_UNAVAILABLE' && o.invocation.stats.kvsRequests === 1;
      if (verbose || !outcomes.every((o) => o.reason === 'NO_TRIGGER_DUE' || readFailed(o))) return;
      const quiet = idle ?? { count: 0, readFailures: 0, from: at, to: at };
      idle = {
        ...quiet,
        to: at,
        count: quiet.count + outcomes.filter((o) => !readFailed(o)).length,
        readFailures: quiet.readFailures + outcomes.filter(readFailed).length,
      };
    },
  });
  flushIdle();
  const wallSeconds = Number(process.hrtime.bigint() - wallStart) / 1e9;
  printSummary(result, wallSeconds);
  const duplicates = Object.values(result.commits).some((n) => n > 1);
  if (duplicates) process.exitCode = 1;
}

/** How long after its due instant a report was stored: seconds, or minutes and seconds. */
function lateness(ms: number | null): string {
  if (ms === null) return 'due instant unknown';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

function printSummary(r: SimulationResult, wallSeconds: number): void {
  const per = (n: number) => (r.invocations > 0 ? (n / r.invocations).toFixed(2) : '0');
  console.log('\n=== Summary ===');
  console.log(`cloudId:               ${r.installation.cloudId}`);
  console.log(
    `installed at:          ${r.installedAt === null ? 'NOT RECORDED (Phase-4 evidence missing)' : new Date(r.installedAt).toISOString()}`,
  );
  console.log(
    `schedule:              every ${r.intervalMs / 60_000} min, offset ${r.offsetMs / 1000}s into each interval`,
  );
  console.log(
    `invocations:           ${r.invocations} (${r.invocations - r.wakeUps} scheduled, ${r.wakeUps} wake-up events; ${r.wakeUpsLost} wake-up(s) lost)`,
  );
  console.log(
    `outcomes:              ${Object.entries(r.outcomes)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  console.log(`KVS requests:          ${r.kvs.requests} (${per(r.kvs.requests)}/invocation), ${r.kvs.writes} writes`);
  console.log(`KVS bytes:             ${r.kvs.bytesRead} read, ${r.kvs.bytesWritten} written`);
  console.log(`Jira requests:         ${r.jiraRequests}`);
  console.log(`backoffs applied:      ${r.backoffs.length}`);
  for (const trigger of ['AUTO_12H', 'AUTO_24H']) {
    const report = r.reports.find((x) => x.trigger === trigger);
    const commits = r.commits[trigger] ?? 0;
    console.log(
      `${trigger}:              ` +
        (report
          ? `generated ${new Date(report.generatedAt).toISOString()} (${report.hoursAfterInstall.toFixed(2)} h after install, ${lateness(report.latenessMs)} after due), committed ${commits}x -> ${path.relative(process.cwd(), report.file)}`
          : 'not generated'),
    );
  }
  console.log(`wall time:             ${wallSeconds.toFixed(2)} s`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
