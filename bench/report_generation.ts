import { performance } from 'node:perf_hooks';
import { LocalApp } from '../local/runtime/local_app';
import type { SitePreset } from '../local/jira';
import { SCHEDULER } from '../src/scheduled/config';
import { SURVEY_LIMITS } from '../src/phase5/site_datasets';
import { commandLineOrExit, EXIT_CODES, helpText, runTool, toggle, wholeNumber } from '../local/cli/options';

/**
 * `npm run bench:report`: how long each automatic report takes to generate, how
 * many Jira requests it makes and how large it is when stored, on the small and
 * the large emulated sites, with every Jira request delayed (real time) as a
 * Jira Cloud site would: 150 ms by default, `-- --latency-ms N` to change it. The
 * site's administrators make the day's configuration changes from the
 * installation on (local/jira/site_changes.ts), so the 24-hour report has a
 * project, a field, an issue type and a status to find.
 *
 * Budget (issue 26): at most 60 Jira requests and 20 s per report, and the
 * stored report well under the 240 KiB KVS value limit (here: at most half).
 */

const COMMAND = 'npm run bench:report';
const HOUR = 3_600_000;

export const REPORT_BENCH_OPTIONS = {
  runs: wholeNumber({
    min: 1,
    max: 100,
    default: 3,
    help: 'installations measured per site, each storing both reports',
  }),
  'latency-ms': wholeNumber({
    min: 0,
    max: 5_000,
    default: 150,
    placeholder: 'MS',
    help: 'real milliseconds added to each Jira request',
  }),
  help: toggle('show this text'),
};

export const REPORT_BENCH_HELP = helpText(
  `Usage: ${COMMAND} -- [options]`,
  'Generates both automatic reports on the small and the large emulated Jira site, every Jira request\n' +
    'delayed, and prints the median and maximum time, requests and size of each. Exit code 0 when every\n' +
    'report keeps to its budget, 1 when one does not, 2 when an option is wrong, 3 when the benchmark\n' +
    'itself failed.',
  REPORT_BENCH_OPTIONS,
);
const BUDGET = { jiraRequests: SURVEY_LIMITS.jiraRequests, ms: 20_000, bytes: 120 * 1024 };

interface Sample {
  ms: number;
  jiraRequests: number;
  kvsRequests: number;
  reportBytes: number;
}

async function generateBoth(
  site: SitePreset,
  seed: number,
  latencyMs: number,
): Promise<{ AUTO_12H: Sample; AUTO_24H: Sample }> {
  const start = Date.parse('2026-11-02T09:00:00.000Z');
  const installedAt = start - 12 * HOUR;
  const app = new LocalApp({
    start,
    site,
    seed,
    siteChangesFrom: installedAt,
    jiraFaults: { latencyMs, seed },
  });
  try {
    // Installed 12 h ago, by the app's own installed-event handler (evidence, ledger records, state).
    const inst = app.newInstallation();
    app.clock.set(installedAt);
    const installed = await app.invoker.installed(inst);
    app.clock.set(start);
    if (installed.killed) throw new Error('the installed event was stopped');
    const once = async (trigger: 'AUTO_12H' | 'AUTO_24H'): Promise<Sample> => {
      const started = performance.now();
      const run = await app.runScheduler(inst);
      const ms = performance.now() - started;
      if (run.killed || run.body?.reason !== 'GENERATED' || run.body?.trigger !== trigger)
        throw new Error(`${trigger} did not generate: ${JSON.stringify(run.body)}`);
      const report = app.stored(inst).get(`phase5:report:${inst.cloudId}:${trigger}`);
      return {
        ms,
        jiraRequests: run.invocation.stats.jiraRequests,
        kvsRequests: run.invocation.stats.kvsRequests,
        reportBytes: Buffer.byteLength(JSON.stringify(report), 'utf8'),
      };
    };
    const r12 = await once('AUTO_12H');
    app.clock.advance(12 * HOUR);
    return { AUTO_12H: r12, AUTO_24H: await once('AUTO_24H') };
  } finally {
    app.dispose();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const { values } = commandLineOrExit(COMMAND, REPORT_BENCH_OPTIONS, REPORT_BENCH_HELP);
  const latencyMs = values['latency-ms'];
  console.log(`Report generation, Jira latency ${latencyMs} ms per request, ${values.runs} runs per site`);
  console.log(
    `Budget per report: ${BUDGET.jiraRequests} Jira requests, ${BUDGET.ms / 1000} s, ${BUDGET.bytes / 1024} KiB stored ` +
      `(KVS limit 240 KiB; the scheduler allows generation ${SCHEDULER.generationBudgetMs / 1000} s)\n`,
  );
  console.log('site   | report   | median ms | max ms | Jira requests | KVS requests | report bytes | within budget');
  console.log('-------|----------|-----------|--------|---------------|--------------|--------------|--------------');
  let ok = true;
  for (const site of ['small', 'large'] as const) {
    const runs = [];
    for (let i = 0; i < values.runs; i++) runs.push(await generateBoth(site, i + 1, latencyMs));
    for (const trigger of ['AUTO_12H', 'AUTO_24H'] as const) {
      const samples = runs.map((r) => r[trigger]);
      const max = (f: (s: Sample) => number) => Math.max(...samples.map(f));
      const within =
        max((s) => s.ms) <= BUDGET.ms &&
        max((s) => s.jiraRequests) <= BUDGET.jiraRequests &&
        max((s) => s.reportBytes) <= BUDGET.bytes;
      ok &&= within;
      const med = (f: (s: Sample) => number) => String(median(samples.map(f)));
      console.log(
        `${site.padEnd(6)} | ${trigger} | ${med((s) => Math.round(s.ms)).padStart(9)} | ${String(Math.round(max((s) => s.ms))).padStart(6)} | ` +
          `${med((s) => s.jiraRequests).padStart(13)} | ${med((s) => s.kvsRequests).padStart(12)} | ` +
          `${med((s) => s.reportBytes).padStart(12)} | ${within ? 'yes' : 'NO'}`,
      );
    }
  }
  if (!ok) process.exitCode = EXIT_CODES.finding;
}

runTool(COMMAND, main);
