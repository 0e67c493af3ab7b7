/**
 * `npm run bench`, the part that compares tick intervals: how late each report
 * is stored, and how many invocations an installation costs, with the scheduled
 * trigger every five minutes and no wake-ups (the app before wake-ups), and
 * hourly with wake-up events, at several rates of event loss.
 *
 * Every figure comes from running the manifest's handlers through the local
 * Forge runtime (real SDKs, KVS, async events and Jira emulators) on a simulated
 * clock: each installation from 11 h after install (before then no tick of
 * either interval does anything but read) to 25 h, its tick at a random offset
 * within the interval, the wake-ups it pushes delivered by the events emulator.
 */
import { LocalApp } from '../local/runtime/local_app';
import { Prng } from '../local/prng';
import type { SchedulerOutcome } from '../src/scheduled/phase5_scheduler';
import { keys } from '../src/storage/keys';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export interface Scenario {
  label: string;
  intervalMs: number;
  /** Fraction of wake-up events lost; 1 also stands for "no wake-ups at all" (no event ever arrives). */
  eventLoss: number;
}

export interface ScenarioResult {
  scenario: Scenario;
  installations: number;
  /** Stored report's generated_at minus its due instant, ms, both reports of every installation. */
  lateness: number[];
  /** Per installation, between 11 h and 25 h after install. */
  ticks: number;
  wakeUps: number;
  /** Invocations that pushed a wake-up and did nothing else (the tick or hop before a due instant). */
  pushingIdle: number;
  generating: number;
  reportsMissing: number;
}

const FROM_AGE = 11 * HOUR;
const TO_AGE = 25 * HOUR;

/**
 * Run `installations` installations through one scenario, one after another on
 * one clock. Delivered events are 10 % late by up to 60 s (lateness Forge allows
 * itself); none are duplicated here, as duplicates change cost, not timing.
 */
export async function runScenario(scenario: Scenario, installations: number, seed: number): Promise<ScenarioResult> {
  const prng = new Prng(seed);
  const app = new LocalApp({
    seed,
    eventFaults: { lossRate: scenario.eventLoss, lateRate: 0.1, maxLatenessMs: MINUTE, seed: seed + 1 },
  });
  const result: ScenarioResult = {
    scenario,
    installations,
    lateness: [],
    ticks: 0,
    wakeUps: 0,
    pushingIdle: 0,
    generating: 0,
    reportsMissing: 0,
  };
  const classify = (reason: string | undefined, pushes: number) => {
    if (reason === 'GENERATED') result.generating++;
    else if (reason === 'NO_TRIGGER_DUE' && pushes > 0) result.pushingIdle++;
  };
  try {
    for (let i = 0; i < installations; i++) {
      const inst = app.newInstallation();
      // Installed at an arbitrary second; its first tick at an arbitrary offset into the interval.
      const installedAt = app.clock.now() - FROM_AGE + prng.int(0, 3599) * SECOND;
      await app.put(inst, keys.installationEvidence(inst.cloudId), {
        installation_timestamp: new Date(installedAt).toISOString(),
        source: 'avi:forge:installed:app',
      });
      let tickAt = app.clock.now() + prng.int(0, scenario.intervalMs / SECOND - 1) * SECOND;
      while (tickAt <= installedAt + TO_AGE) {
        app.clock.set(tickAt);
        const tick = await app.runScheduler<SchedulerOutcome>(inst);
        result.ticks++;
        classify(tick.body?.reason, tick.invocation.stats.eventPushes);
        for (const d of await app.deliverEvents<SchedulerOutcome>(tickAt + scenario.intervalMs - 1)) {
          result.wakeUps++;
          classify(d.body?.reason, d.invocation.stats.eventPushes);
        }
        tickAt += scenario.intervalMs;
      }
      app.clock.set(tickAt);
      const stored = app.stored(inst);
      for (const [trigger, after] of [
        ['AUTO_12H', 12 * HOUR],
        ['AUTO_24H', 24 * HOUR],
      ] as const) {
        const report = stored.get(keys.report(inst.cloudId, trigger)) as { generated_at?: string } | undefined;
        if (report?.generated_at) result.lateness.push(Date.parse(report.generated_at) - (installedAt + after));
        else result.reportsMissing++;
      }
    }
    return result;
  } finally {
    app.dispose();
  }
}

export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** "12.3 s" or "41 min 7 s": lateness as a person reads it. */
export function describeLateness(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < MINUTE) return `${(ms / SECOND).toFixed(1)} s`;
  return `${Math.floor(ms / MINUTE)} min ${Math.round((ms % MINUTE) / SECOND)} s`;
}
