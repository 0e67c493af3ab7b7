import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Installation, SeamCall } from '../local/runtime/forge_runtime';
import { LocalApp } from '../local/runtime/local_app';
import { Prng } from '../local/prng';
import { installLeanResponses } from './lean_response';

/**
 * npm run soak -- --installations N --fault-rate F --duplicates D [--workers W] [--seed S]
 *
 * Many simulated installations, each from install (the real lifecycle handler
 * writing Phase-4 evidence, retried a minute later when KVS refuses it, as Forge
 * retries an InvocationError) to 30 h, its scheduled trigger firing every 5 min
 * at its own stable offset, every tick delivered D times at once (Forge's
 * duplicate invocations), KVS refusing a fraction F of all requests (half 500,
 * half 429): the manifest's handler on the local runtime, the real SDKs, the KVS
 * and Jira emulators, a simulated clock. It prints one line per figure and exits
 * non-zero when an invariant broke:
 *   duplicates  (installation, trigger) pairs whose report KVS committed more than once
 *   missed      reports due by 30 h and not stored by 30 h
 *   throws      handler invocations that threw instead of returning a response
 *
 * Installations are split across worker threads (one per core by default); each
 * worker owns a local world with an in-memory KVS, and runs, in order of
 * simulated time, every invocation due at the same second concurrently.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const INTERVAL = 5 * MINUTE;
const HORIZON = 30 * HOUR;
const TRIGGERS = ['AUTO_12H', 'AUTO_24H'] as const;

export interface SoakOptions {
  installations: number;
  faultRate: number;
  duplicates: number;
  workers: number;
  seed: number;
  /** Keep undici's Response on the seam instead of the lean one (slower; for comparison). */
  whatwgResponses: boolean;
}

interface Slice extends SoakOptions {
  worker: number;
}

export interface SoakFigures {
  installations: number;
  invocations: number;
  lifecycleInvocations: number;
  duplicates: number;
  missed: number;
  throws: number;
  reportsStored: number;
  kvsRequests: number;
  kvsBytesRead: number;
  kvsBytesWritten: number;
}

export const SOAK_DEFAULTS: SoakOptions = {
  installations: 10_000,
  faultRate: 0.2,
  duplicates: 3,
  workers: Math.max(1, Math.min(availableParallelism(), 8)),
  seed: 20261102,
  whatwgResponses: false,
};

function parseArgs(argv: string[]): SoakOptions {
  const opts: SoakOptions = { ...SOAK_DEFAULTS };
  const names: Record<string, Exclude<keyof SoakOptions, 'whatwgResponses'>> = {
    '--installations': 'installations',
    '--fault-rate': 'faultRate',
    '--duplicates': 'duplicates',
    '--workers': 'workers',
    '--seed': 'seed',
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--whatwg-responses') {
      opts.whatwgResponses = true;
      continue;
    }
    const name = names[argv[i]];
    const value = Number(argv[i + 1]);
    if (!name || !Number.isFinite(value)) {
      throw new Error(
        `Usage: soak [--installations N] [--fault-rate F] [--duplicates D] [--workers W] [--seed S] [--whatwg-responses]; not understood: ${argv[i]}`,
      );
    }
    opts[name] = value;
    i++;
  }
  if (!(opts.faultRate >= 0 && opts.faultRate <= 1)) throw new Error('--fault-rate must be within [0, 1]');
  if (!(opts.installations >= 1 && opts.duplicates >= 1 && opts.workers >= 1))
    throw new Error('counts must be at least 1');
  opts.workers = Math.min(opts.workers, opts.installations);
  return opts;
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
    interceptor: observeCommit,
    seed: slice.seed,
  });

  const start = app.clock.now();
  const sites: Site[] = [];
  for (let i = slice.worker; i < slice.installations; i += slice.workers) {
    const inst = app.newInstallation(cloudIdFrom(random));
    const installedAt = start + Math.floor(random() * 300) * SECOND;
    sites.push({
      inst,
      installedAt,
      firstTickAt: installedAt + (1 + Math.floor(random() * 300)) * SECOND,
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
    lifecycleInvocations: 0,
    duplicates: 0,
    missed: 0,
    throws: 0,
    reportsStored: 0,
    kvsRequests: 0,
    kvsBytesRead: 0,
    kvsBytesWritten: 0,
  };
  const last = start + 300 * SECOND + HORIZON + 300 * SECOND;
  for (let t = start; t <= last; t += SECOND) {
    const due = events.get(t);
    if (!due) continue;
    events.delete(t);
    app.clock.set(t);
    const runs: Array<Promise<void>> = [];
    for (const { site, kind } of due) {
      if (kind === 'install') {
        figures.lifecycleInvocations++;
        runs.push(
          app.invoker.installed(site.inst).then((r) => {
            // The handler answers a failed write with an InvocationError: Forge delivers the event again.
            if (!r.killed && r.result === undefined) site.installed = true;
            else at(t + MINUTE, { site, kind: 'install' });
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

  for (const site of sites) {
    const stored = app.stored(site.inst);
    for (const trigger of TRIGGERS) {
      const done = `phase5:scheduler:${site.inst.cloudId}:${trigger}:DONE`;
      const report = `phase5:report:${site.inst.cloudId}:${trigger}`;
      if ((commits.get(done) ?? 0) > 1) figures.duplicates++;
      if (stored.has(report) && stored.has(done)) figures.reportsStored++;
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
  const out = { ...a };
  for (const k of Object.keys(b) as Array<keyof SoakFigures>) out[k] += b[k];
  return out;
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
  const per = (n: number) => (f.invocations === 0 ? '0' : (n / f.invocations).toFixed(2));
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
    `lifecycle invocations: ${f.lifecycleInvocations}`,
    `fault rate: ${opts.faultRate} (half 500, half 429); duplicates per tick: ${opts.duplicates}; workers: ${opts.workers}; seed: ${opts.seed}${opts.whatwgResponses ? '; WHATWG responses' : ''}`,
    `wall time: ${f.seconds.toFixed(1)}s`,
  ];
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const f = await runSoak(opts);
  process.stdout.write(soakReport(opts, f).join('\n') + '\n');
  if (f.duplicates > 0 || f.missed > 0 || f.throws > 0) process.exitCode = 1;
}

if (!isMainThread) {
  void simulate(workerData as Slice).then((figures) => parentPort!.postMessage(figures));
} else if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  });
}
