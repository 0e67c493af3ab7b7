import { performance } from 'node:perf_hooks';
import { LocalApp } from '../local/runtime/local_app';
import type { SitePreset } from '../local/jira';
import { SCHEDULER } from '../src/scheduled/config';

/**
 * `npm run bench:report`: how long the report takes to generate, how many Jira
 * requests it makes and how large it is, on the small and the large emulated
 * sites, with every Jira request delayed 50–150 ms (real time) as a Jira Cloud
 * site would. Each figure is over several generations; the budget it must stay
 * inside is the scheduler's generation budget.
 */

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HOUR = 3_600_000;

interface Sample {
  ms: number;
  jiraRequests: number;
  reportBytes: number;
  kvsRequests: number;
}

async function generateOnce(site: SitePreset, seed: number): Promise<Sample> {
  const app = new LocalApp({ site, seed, jiraFaults: { latencyMs: { min: 50, max: 150 }, seed } });
  try {
    const inst = app.newInstallation();
    await app.put(inst, `phase4:evidence:installation:${inst.cloudId}`, {
      installation_timestamp: new Date(app.clock.now() - 12 * HOUR).toISOString(),
      source: 'bench',
    });
    const started = performance.now();
    const run = await app.runScheduler(inst);
    const ms = performance.now() - started;
    if (run.killed || run.body?.reason !== 'GENERATED')
      throw new Error(`generation did not succeed: ${JSON.stringify(run.body)}`);
    const report = app.stored(inst).get(`phase5:report:${inst.cloudId}:AUTO_12H`);
    return {
      ms,
      jiraRequests: run.invocation.stats.jiraRequests,
      reportBytes: Buffer.byteLength(JSON.stringify(report), 'utf8'),
      kvsRequests: run.invocation.stats.kvsRequests,
    };
  } finally {
    app.dispose();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  console.log(`Report generation, Jira latency 50-150 ms per request, ${RUNS} runs per site`);
  console.log(
    `Budget: ${SCHEDULER.generationBudgetMs / 1000} s of the scheduler function's ${SCHEDULER.functionTimeoutMs / 1000} s timeout\n`,
  );
  console.log('site   | median ms | max ms | Jira requests | KVS requests | report bytes | within budget');
  console.log('-------|-----------|--------|---------------|--------------|--------------|--------------');
  let ok = true;
  for (const site of ['small', 'large'] as const) {
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) samples.push(await generateOnce(site, i + 1));
    const max = Math.max(...samples.map((s) => s.ms));
    const within = max < SCHEDULER.generationBudgetMs;
    ok &&= within;
    console.log(
      `${site.padEnd(6)} | ${median(samples.map((s) => s.ms))
        .toFixed(0)
        .padStart(9)} | ${max.toFixed(0).padStart(6)} | ` +
        `${String(median(samples.map((s) => s.jiraRequests))).padStart(13)} | ${String(median(samples.map((s) => s.kvsRequests))).padStart(12)} | ` +
        `${String(median(samples.map((s) => s.reportBytes))).padStart(12)} | ${within ? 'yes' : 'NO'}`,
    );
  }
  if (!ok) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
