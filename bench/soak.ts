import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Installation, SeamCall } from '../local/runtime/forge_runtime';
import { LocalApp } from '../local/runtime/local_app';
import { Prng } from '../local/prng';
import { SCHEDULER } from '../src/scheduled/config';
import {
  commandLineOrExit,
  decimalNumber,
  EXIT_CODES,
  helpText,
  OptionValues,
  runTool,
  toggle,
  wholeNumber,
} from '../local/cli/options';
import { installLeanResponses } from './lean_response';

/**
 * npm run soak -- --installations N --fault-rate F --duplicates D [--event-loss L] [--workers W] [--seed S]
 * (`npm run soak -- --help` lists the options; a wrong one ends the run before it starts, exit code 2)
 *
 * Many simulated installations, each from install (the real lifecycle handler
 * writing Phase-4 evidence, retried a minute later when KVS refuses it, as Forge
 * retries an InvocationError, with the first delivery's time in its retryData) to 30 h, its scheduled trigger firing at the
 * manifest's interval at its own stable offset, every tick delivered D times at
 * once (Forge's duplicate invocations), KVS refusing a fraction F of all requests
 * (half 500, half 429), and the wake-up events the scheduler pushes delivered by
 * the async events emulator with a fraction L lost, 10 % duplicated and 10 % up
 * to a minute late: the manifest's handlers on the local runtime, the real SDKs,
 * the KVS, events and Jira emulators, a simulated clock. It prints one line per
 * figure and exits non-zero when an invariant broke:
 *   duplicates  (installation, trigger) pairs whose report KVS committed more than once
 *   missed      reports due by 30 h and not stored by 30 h
 *   throws      handler invocations that threw instead of returning a response
 *
 * Installations are split across worker threads (one per core by default); each
 * worker owns a local world with an in-memory KVS, and runs, in order of
 * simulated time, every invocation due at the same second concurrently.
 *
 * Finding out why: SOAK_DEBUG=1 prints, on stderr, the stored state of every missed
 * report and of every report stored more than SOAK_DEBUG_LATE_S seconds (default 900)
 * after its due instant, with its installation's cloudId; SOAK_TRACE=<cloudId prefix>
 * then prints that installation's invocations in time order with their log lines.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const INTERVAL = SCHEDULER.intervalMs;
const HORIZON = 30 * HOUR;
const TRIGGERS = ['AUTO_12H', 'AUTO_24H'] as const;

export interface SoakOptions {
  installations: number;
  faultRate: number;
  duplicates: number;
  workers: number;
  seed: number;
  /** Fraction of wake-up events lost. */
  eventLoss: number;
  /** Keep undici's Response on the seam instead of the lean one (slower; for comparison). */
  whatwgResponses: boolean;
}

interface Slice extends SoakOptions {
  worker: number;
}

export interface SoakFigures {
  installations: number;
  invocations: number;
  wakeUpInvocations: number;
  wakeUpsPushed: number;
  wakeUpsLost: number;
  lifecycleInvocations: number;
  duplicates: number;
  missed: number;
  throws: number;
  reportsStored: number;
  kvsRequests: number;
  kvsBytesRead: number;
  kvsBytesWritten: number;
  /** Each stored automatic report's generated_at minus its due instant (ms). */
  lateness: number[];
}

export const SOAK_DEFAULTS: SoakOptions = {
  installations: 10_000,
  faultRate: 0.2,
  duplicates: 3,
  workers: Math.max(1, Math.min(availableParallelism(), 8)),
  seed: 20261102,
  eventLoss: 0,
  whatwgResponses: false,
};

const COMMAND = 'npm run soak';

export const SOAK_OPTIONS = {
  installations: wholeNumber({
    min: 1,
    max: 1_000_000,
    default: SOAK_DEFAULTS.installations,
    help: 'simulated installations, each from install to 30 h',
  }),
  'fault-rate': decimalNumber({
    min: 0,
    max: 1,
    default: SOAK_DEFAULTS.faultRate,
    help: 'fraction of KVS requests refused, half with 500 and half with 429',
  }),
  duplicates: wholeNumber({
    min: 1,
    max: 20,
    default: SOAK_DEFAULTS.duplicates,
    help: 'deliver each scheduled tick N times at once',
  }),
  'event-loss': decimalNumber({
    min: 0,
    max: 1,
    default: SOAK_DEFAULTS.eventLoss,
    help: 'fraction of wake-up events lost; of all events, 10 % are also duplicated and 10 % up to a minute late',
  }),
  workers: wholeNumber({
    min: 1,
    max: 64,
    default: SOAK_DEFAULTS.workers,
    help: "worker threads the installations are split across; the default is this machine's cores, at most 8",
  }),
  seed: wholeNumber({
    min: 0,
    max: 2_147_483_647,
    default: SOAK_DEFAULTS.seed,
    help: 'seed for the installations, schedules and faults',
  }),
  'whatwg-responses': toggle("keep undici's Response on the seam instead of the lean one (slower; for comparison)"),
  help: toggle('show this text'),
};

export const SOAK_HELP = helpText(
  `Usage: ${COMMAND} -- [options]`,
  'Runs many simulated installations from install to 30 h under KVS faults, duplicate ticks and lost,\n' +
    'duplicated and late wake-up events, and prints one line per figure. Exit code 0 when no report was\n' +
    'stored twice, none was missed and no handler threw, 1 when one of those happened, 2 when an option\n' +
    'is wrong, 3 when the soak itself failed.',
  SOAK_OPTIONS,
);

function soakOptions(values: OptionValues<typeof SOAK_OPTIONS>): SoakOptions {
  return {
    installations: values.installations,
    faultRate: values['fault-rate'],
    duplicates: values.duplicates,
    eventLoss: values['event-loss'],
    // More workers than installations would leave some with nothing to do.
    workers: Math.min(values.workers, values.installations),
    seed: values.seed,
    whatwgResponses: values['whatwg-responses'],
  };
}

function seeded(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.next();
}

function cloudIdFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface Site {
  inst: Installation;
  installedAt: number;
  /** Forge fires each installation at a stable offset within the interval. */
  firstTickAt: number;
  installed: boolean;
}

/** One worker's share: installations w, w+W, w+2W, ... */
async function simulate(slice: Slice): Promise<SoakFigures> {
  if (!slice.whatwgResponses) installLeanResponses();
  const random = seeded(slice.seed + slice.worker * 7919);
  const commits = new Map<string, number>();
  // Assigned once below; declared first because the interceptor that reads it is built before the app.
  // eslint-disable-next-line prefer-const
  let app: LocalApp;
  // Commits are counted where they happen: a transaction carrying a DONE key that KVS applied.
  const observeCommit = async (call: SeamCall): Promise<Response | void> => {
    if (call.service !== 'kvs' || call.path !== '/api/v1/transaction') return undefined;
    const served = await app.kvs.handle(call.invocation.installation.installationId, call.path, {
      method: 'POST',
      body: call.body,
    });
    if (served.ok) {
      const body = JSON.parse(call.body ?? '{}') as { set?: Array<{ key: string }> };
      for (const { key } of body.set ?? []) if (key.endsWith(':DONE')) commits.set(key, (commits.get(key) ?? 0) + 1);
    }
    return served;
  };
  app = new LocalApp({
    kvsFaults: { errorRate: slice.faultRate / 2, rateLimitRate: slice.faultRate / 2, seed: slice.seed + slice.worker },
    eventFaults: {
      lossRate: slice.eventLoss,
      duplicateRate: 0.1,
      lateRate: 0.1,
      maxLatenessMs: MINUTE,
      seed: slice.seed + slice.worker + 1,
    },
    interceptor: observeCommit,
    seed: slice.seed,
  });

  // SOAK_TRACE=<cloudId prefix>: that installation's invocations, with their logs, on stderr.
  const traced = process.env.SOAK_TRACE;
  const trace = (site: Site, kind: string, r: { invocation: { logs: Array<{ line: string }> } }) => {
    if (!traced || !site.inst.cloudId.startsWith(traced)) return;
    const at = `+${((app.clock.now() - site.installedAt) / HOUR).toFixed(4)}h`;
    process.stderr.write(`${at} ${kind}\n${r.invocation.logs.map((l) => `    ${l.line}`).join('\n')}\n`);
  };
  const start = app.clock.now();
  const sites: Site[] = [];
  for (let i = slice.worker; i < slice.installations; i += slice.workers) {
    const inst = app.newInstallation(cloudIdFrom(random));
    const installedAt = start + Math.floor(random() * 300) * SECOND;
    sites.push({
      inst,
      installedAt,
      firstTickAt: installedAt + (1 + Math.floor(random() * (INTERVAL / SECOND - 1))) * SECOND,
      installed: false,
    });
  }

  // Events on a one-second grid, in time order: each second's invocations run concurrently.
  const events = new Map<number, Array<{ site: Site; kind: 'install' | 'tick' }>>();
  const at = (t: number, e: { site: Site; kind: 'install' | 'tick' }) => {
    const list = events.get(t);
    if (list) list.push(e);
    else events.set(t, [e]);
  };
  for (const site of sites) {
    at(site.installedAt, { site, kind: 'install' });
    at(site.firstTickAt, { site, kind: 'tick' });
  }

  const figures: SoakFigures = {
    installations: sites.length,
    invocations: 0,
    wakeUpInvocations: 0,
    wakeUpsPushed: 0,
    wakeUpsLost: 0,
    lifecycleInvocations: 0,
    duplicates: 0,
    missed: 0,
    throws: 0,
    reportsStored: 0,
    kvsRequests: 0,
    kvsBytesRead: 0,
    kvsBytesWritten: 0,
    lateness: [],
  };
  const lateness = figures.lateness;
  const bySite = new Map(sites.map((site) => [site.inst.installationId, site]));
  const last = start + 300 * SECOND + HORIZON + INTERVAL;
  for (let t = start; t <= last; t += SECOND) {
    const due = events.get(t) ?? [];
    const wakeUps = app.events.nextAt() !== null && app.events.nextAt()! <= t ? app.events.takeDue(t) : [];
    if (due.length === 0 && wakeUps.length === 0) continue;
    events.delete(t);
    app.clock.set(t);
    const runs: Array<Promise<void>> = [];
    for (const d of wakeUps) {
      const site = bySite.get(d.installationId)!;
      if (d.lifecycle) figures.lifecycleInvocations++;
      else figures.wakeUpInvocations++;
      // Delivered as Forge would (a lifecycle redelivery with its retryContext), its end recorded:
      // Forge delivers the event again after a timeout, a throw or an InvocationError.
      runs.push(
        app.deliver(d).then((r) => {
          const s = r.invocation.stats;
          trace(site, d.lifecycle ? `installed (retry ${d.retryCount})` : `wake-up (chain ${d.chain})`, r);
          if (r.threw) figures.throws++;
          figures.kvsRequests += s.kvsRequests;
          figures.kvsBytesRead += s.kvsBytesRead;
          figures.kvsBytesWritten += s.kvsBytesWritten;
          if (d.lifecycle && !r.retried && !r.killed) site.installed = true;
        }),
      );
    }
    for (const { site, kind } of due) {
      if (kind === 'install') {
        figures.lifecycleInvocations++;
        // The handler answers a failed write with an InvocationError: the events emulator delivers
        // the event again after its retryAfter, with its retryContext, at most four times.
        runs.push(
          app.deliverInstalled(site.inst).then((r) => {
            trace(site, 'installed', r);
            if (!r.killed && r.result === undefined) site.installed = true;
          }),
        );
        continue;
      }
      if (t + INTERVAL <= site.installedAt + HORIZON) at(t + INTERVAL, { site, kind: 'tick' });
      for (let d = 0; d < slice.duplicates; d++) {
        figures.invocations++;
        runs.push(
          app.invoker.scheduledTrigger(site.inst).then(
            (r) => {
              const s = r.invocation.stats;
              trace(site, 'tick', r);
              figures.kvsRequests += s.kvsRequests;
              figures.kvsBytesRead += s.kvsBytesRead;
              figures.kvsBytesWritten += s.kvsBytesWritten;
            },
            () => {
              figures.throws++;
            },
          ),
        );
      }
    }
    await Promise.all(runs);
  }

  figures.wakeUpsPushed = app.events.stats.eventsAccepted;
  figures.wakeUpsLost = app.events.stats.eventsLost;
  for (const site of sites) {
    const stored = app.stored(site.inst);
    for (const trigger of TRIGGERS) {
      const report = stored.get(`phase5:report:${site.inst.cloudId}:${trigger}`) as
        { generated_at?: string } | undefined;
      const dueAt = site.installedAt + (trigger === 'AUTO_12H' ? 12 : 24) * HOUR;
      if (report?.generated_at) {
        const late = Date.parse(report.generated_at) - dueAt;
        lateness.push(late);
        if (process.env.SOAK_DEBUG && late > Number(process.env.SOAK_DEBUG_LATE_S ?? 900) * SECOND)
          process.stderr.write(
            `LATE ${site.inst.cloudId} ${trigger} ${Math.round(late / 1000)}s ${JSON.stringify(stored.get(`phase5:scheduler:state:${site.inst.cloudId}`))}\n`,
          );
      }
      const done = `phase5:scheduler:${site.inst.cloudId}:${trigger}:DONE`;
      const reportKey = `phase5:report:${site.inst.cloudId}:${trigger}`;
      if ((commits.get(done) ?? 0) > 1) figures.duplicates++;
      if (stored.has(reportKey) && stored.has(done)) figures.reportsStored++;
      else {
        figures.missed++;
        if (process.env.SOAK_DEBUG)
          process.stderr.write(
            `MISSED ${trigger} ${JSON.stringify(stored.get(`phase5:scheduler:state:${site.inst.cloudId}`))}\n`,
          );
      }
    }
  }
  app.dispose();
  return figures;
}

function add(a: SoakFigures, b: SoakFigures): SoakFigures {
  const out = { ...a, lateness: [...a.lateness, ...b.lateness] };
  for (const k of Object.keys(b) as Array<keyof SoakFigures>) {
    if (k !== 'lateness') out[k] += b[k];
  }
  return out;
}

function percentile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function runWorker(slice: Slice): Promise<SoakFigures> {
  // Workers load this same file through tsx's require hook.
  const boot = `require('tsx/cjs/api').register(); require(${JSON.stringify(__filename)});`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(boot, { eval: true, workerData: slice });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`soak worker ${slice.worker} exited with ${code}`));
    });
  });
}

/** Run the soak in this process (workers: 1) or across worker threads. */
export async function runSoak(opts: SoakOptions): Promise<SoakFigures & { seconds: number }> {
  const began = performance.now();
  const slices = Array.from({ length: opts.workers }, (_, worker) => ({ ...opts, worker }));
  const parts = await Promise.all(slices.map((s) => (opts.workers === 1 ? simulate(s) : runWorker(s))));
  return { ...parts.reduce(add), seconds: (performance.now() - began) / 1000 };
}

export function soakReport(opts: SoakOptions, f: SoakFigures & { seconds: number }): string[] {
  const all = f.invocations + f.wakeUpInvocations;
  const per = (n: number) => (all === 0 ? '0' : (n / all).toFixed(2));
  return [
    `installations: ${f.installations}`,
    `invocations: ${f.invocations}`,
    `duplicates: ${f.duplicates}`,
    `missed: ${f.missed}`,
    `throws: ${f.throws}`,
    `kvs requests/invocation: ${per(f.kvsRequests)}`,
    `kvs bytes read/invocation: ${per(f.kvsBytesRead)}`,
    `kvs bytes written/invocation: ${per(f.kvsBytesWritten)}`,
    `reports stored: ${f.reportsStored} of ${2 * f.installations}`,
    `report lateness after the due instant: ${(() => {
      const sorted = [...f.lateness].sort((a, b) => a - b);
      const s = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
      return `p50 ${s(percentile(sorted, 0.5))}, p99 ${s(percentile(sorted, 0.99))}, max ${s(sorted[sorted.length - 1] ?? NaN)}`;
    })()}`,
    `wake-up invocations: ${f.wakeUpInvocations} (events pushed ${f.wakeUpsPushed}, lost ${f.wakeUpsLost})`,
    `lifecycle invocations: ${f.lifecycleInvocations}`,
    `fault rate: ${opts.faultRate} (half 500, half 429); duplicates per tick: ${opts.duplicates}; event loss: ${opts.eventLoss} (10% duplicated, 10% up to 60 s late); interval: ${SCHEDULER.interval}; workers: ${opts.workers}; seed: ${opts.seed}${opts.whatwgResponses ? '; WHATWG responses' : ''}`,
    `wall time: ${f.seconds.toFixed(1)}s`,
  ];
}

async function main(): Promise<void> {
  const opts = soakOptions(commandLineOrExit(COMMAND, SOAK_OPTIONS, SOAK_HELP).values);
  const f = await runSoak(opts);
  process.stdout.write(soakReport(opts, f).join('\n') + '\n');
  if (f.duplicates > 0 || f.missed > 0 || f.throws > 0) process.exitCode = EXIT_CODES.finding;
}

if (!isMainThread) {
  void simulate(workerData as Slice).then((figures) => parentPort!.postMessage(figures));
} else if (require.main === module) {
  runTool(COMMAND, main);
}
