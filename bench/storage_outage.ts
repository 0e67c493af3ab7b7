/**
 * What a storage outage costs in invocations: installations run from install to
 * the end of the horizon through the manifest's handlers on the local runtime (the
 * scheduled trigger at its interval, each installation at its own offset; the
 * wake-up consumer fed by the async events emulator, which redelivers as Forge
 * documents: after a throw, a timeout or an InvocationError, for 24 h, with no
 * retry cap), while every KVS request of an installation is refused (500) from
 * `fromAgeMs` to `toAgeMs` after its install. Every invocation is counted: each
 * tick delivery (duplicates included), each wake-up delivery and redelivery.
 *
 * `npm run bench` prints two of these (bench/cost.ts); alone:
 *   npx tsx bench/storage_outage.ts [--from-h 12] [--to-h 20] [--horizon-h 30]
 *     [--installations 20] [--tick-duplicates 1] [--event-duplicates 0] [--seed 1]
 */
import type { VariantOverrides } from '../local/platform_variants';
import type { SeamCall } from '../local/runtime/forge_runtime';
import { LocalApp } from '../local/runtime/local_app';
import { Prng } from '../local/prng';
import { SCHEDULER } from '../src/scheduled/config';
import type { SchedulerOutcome } from '../src/scheduled/phase5_scheduler';
import { keys } from '../src/storage/keys';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export interface OutageScenario {
  fromAgeMs: number;
  toAgeMs: number;
  horizonMs: number;
  installations: number;
  /** Every tick delivered this many times at once (Forge's duplicate invocations). */
  tickDuplicates: number;
  /** Fraction of wake-up events delivered twice. */
  eventDuplicateRate: number;
  seed: number;
  /** How the platform answers where its docs leave it open (local/platform_variants.ts). */
  variants?: VariantOverrides;
}

export interface OutageResult {
  scenario: OutageScenario;
  /** Per installation, over the whole horizon. */
  invocations: number[];
  /** Per installation, started while its storage was down. */
  duringOutage: number[];
  /** Per installation, the most invocations started in any 60 minutes while its storage was down. */
  maxPerHourInOutage: number[];
  /**
   * The same, once the outage is an hour old: the wake-ups already on their way when storage
   * went are spent, and only the ticks and the chains refused ticks push are left.
   */
  maxPerHourSettled: number[];
  /** Wake-up deliveries (first deliveries and redeliveries) per installation. */
  wakeUps: number[];
  /** Reports not stored by the end of the horizon, of those due by then. */
  reportsMissing: number;
  /** AUTO_12H reports stored, as hours after install. */
  stored12AtHours: number[];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

function maxInAnyHour(instants: number[]): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= HOUR) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

export async function runStorageOutage(scenario: OutageScenario): Promise<OutageResult> {
  const prng = new Prng(scenario.seed);
  const down = new Map<string, { from: number; to: number }>();
  let app: LocalApp | undefined = undefined;
  const refuse = (call: SeamCall): Response | void => {
    const window = down.get(call.invocation.installation.installationId);
    const now = app!.clock.now();
    if (call.service !== 'kvs' || !window || now < window.from || now >= window.to) return;
    const body = { code: 'INTERNAL_SERVER_ERROR', message: 'An internal server error has occurred' };
    return new Response(JSON.stringify(body), { status: 500, headers: { 'content-type': 'application/json' } });
  };
  app = new LocalApp({
    seed: scenario.seed,
    interceptor: refuse,
    variants: scenario.variants,
    eventFaults: { duplicateRate: scenario.eventDuplicateRate, seed: scenario.seed + 1 },
  });
  const result: OutageResult = {
    scenario,
    invocations: [],
    duringOutage: [],
    maxPerHourInOutage: [],
    maxPerHourSettled: [],
    wakeUps: [],
    reportsMissing: 0,
    stored12AtHours: [],
  };
  try {
    for (let i = 0; i < scenario.installations; i++) {
      const inst = app.newInstallation();
      const installedAt = app.clock.now() + prng.int(0, 3599) * SECOND;
      app.clock.set(installedAt);
      await app.put(inst, keys.installationEvidence(inst.cloudId), {
        installation_timestamp: new Date(installedAt).toISOString(),
        source: 'avi:forge:installed:app',
      });
      const window = { from: installedAt + scenario.fromAgeMs, to: installedAt + scenario.toAgeMs };
      down.set(inst.installationId, window);
      const starts: number[] = [];
      let wakeUps = 0;
      let tickAt = installedAt + prng.int(0, SCHEDULER.intervalMs / SECOND - 1) * SECOND;
      const end = installedAt + scenario.horizonMs;
      while (tickAt <= end) {
        app.clock.set(tickAt);
        const ticks = await Promise.all(
          Array.from({ length: scenario.tickDuplicates }, () => app!.runScheduler<SchedulerOutcome>(inst)),
        );
        for (let k = 0; k < ticks.length; k++) starts.push(tickAt);
        for (const d of await app.deliverEvents(Math.min(tickAt + SCHEDULER.intervalMs - 1, end))) {
          starts.push(d.delivery.at);
          wakeUps++;
        }
        tickAt += SCHEDULER.intervalMs;
      }
      // Whatever is still queued belongs to the next installation's clock no more.
      app.events.clear();
      app.clock.set(end + 1);
      const inOutage = starts.filter((t) => t >= window.from && t < window.to);
      result.invocations.push(starts.length);
      result.duringOutage.push(inOutage.length);
      result.maxPerHourInOutage.push(maxInAnyHour(inOutage));
      result.maxPerHourSettled.push(maxInAnyHour(inOutage.filter((t) => t >= window.from + HOUR)));
      result.wakeUps.push(wakeUps);
      const stored = app.stored(inst);
      const report = (t: 'AUTO_12H' | 'AUTO_24H') =>
        stored.get(keys.report(inst.cloudId, t)) as { generated_at?: string } | undefined;
      const r12 = report('AUTO_12H');
      if (r12?.generated_at) result.stored12AtHours.push((Date.parse(r12.generated_at) - installedAt) / HOUR);
      else if (scenario.horizonMs >= 12 * HOUR) result.reportsMissing++;
      if (!report('AUTO_24H')?.generated_at && scenario.horizonMs >= 24 * HOUR) result.reportsMissing++;
    }
    return result;
  } finally {
    app.dispose();
  }
}

/** One line per figure, for the bench's output. */
export function describeOutage(r: OutageResult): string[] {
  const s = r.scenario;
  const h = (ms: number) => `${ms / HOUR} h`;
  const fmt = (v: number) => v.toFixed(1);
  return [
    `storage down ${h(s.fromAgeMs)}-${h(s.toAgeMs)} after install, ${h(s.horizonMs)} run, ${s.installations} installations, ` +
      `ticks delivered ${s.tickDuplicates}x, ${s.eventDuplicateRate * 100} % of wake-ups delivered twice:`,
    `  invocations per installation over the run: mean ${fmt(mean(r.invocations))}, max ${Math.max(...r.invocations)} ` +
      `(wake-up deliveries: mean ${fmt(mean(r.wakeUps))})`,
    `  invocations per installation while storage was down: mean ${fmt(mean(r.duringOutage))}, max ${Math.max(...r.duringOutage)}`,
    `  most invocations in any 60 minutes while storage was down: ${Math.max(...r.maxPerHourInOutage)} ` +
      `(from its second hour on: ${Math.max(...r.maxPerHourSettled)})`,
    `  reports missing at the end: ${r.reportsMissing}; ` +
      (r.stored12AtHours.length === 0
        ? 'no 12 h report stored (its window closed during the outage)'
        : `12 h report stored at (h after install) min ${fmt(Math.min(...r.stored12AtHours))}, ` +
          `max ${fmt(Math.max(...r.stored12AtHours))}`),
  ];
}

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a non-negative number`);
  return v;
}

if (require.main === module) {
  const scenario: OutageScenario = {
    fromAgeMs: option('from-h', 12) * HOUR,
    toAgeMs: option('to-h', 20) * HOUR,
    horizonMs: option('horizon-h', 30) * HOUR,
    installations: option('installations', 20),
    tickDuplicates: option('tick-duplicates', 1),
    eventDuplicateRate: option('event-duplicates', 0),
    seed: option('seed', 1),
  };
  runStorageOutage(scenario)
    .then((r) => {
      for (const line of describeOutage(r)) console.log(line);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
