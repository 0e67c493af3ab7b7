import { OutageScenario, runStorageOutage } from '../../bench/storage_outage';

/**
 * The bench's storage-outage figures, held to the bound the design states
 * (SCHEDULER_HARDENING_DESIGN.md §4.5): while every KVS request is refused, each
 * tick delivery runs itself, the wake-up it pushes 15 minutes on and that wake-up's
 * one retry 15 minutes later (SCHEDULER.storageChainRetries), and each wake-up already
 * on its way when storage went runs at most three times (itself, and its retries 60 s
 * and 900 s on: SCHEDULER.wakeUpRetryAfterSeconds); so with every tick and wake-up
 * delivered once, at most 6 invocations in the hour storage goes and 3 in every later
 * one, every tick, duplicate delivery and wake-up counted, with Forge redelivering
 * async events as it documents (24 h, no retry cap). A few installations per case keep
 * it quick; `npm run bench` runs more.
 */

const HOUR = 3_600_000;
const base: OutageScenario = {
  fromAgeMs: 12 * HOUR,
  toAgeMs: 20 * HOUR,
  horizonMs: 30 * HOUR,
  installations: 4,
  tickDuplicates: 1,
  eventDuplicateRate: 0,
  seed: 5,
};

describe('a storage outage', () => {
  it('from 12 h to 20 h costs about what no outage costs, and stores both reports once it ends', async () => {
    // One after the other: each local world installs itself as the process's Forge platform.
    const outage = await runStorageOutage(base);
    const none = await runStorageOutage({ ...base, fromAgeMs: 0, toAgeMs: 0 });

    // Two more an hour while storage is down (the refused tick's wake-up and its one retry), and the
    // two retries of the 12 h wake-up that was on its way when storage went.
    expect(Math.max(...outage.invocations)).toBeLessThanOrEqual(Math.max(...none.invocations) + 2 * 8 + 2);
    // The hour storage goes: that 12 h wake-up and its two retries, the tick and its chain's two looks.
    expect(Math.max(...outage.maxPerHourInOutage)).toBe(6);
    expect(Math.max(...outage.maxPerHourSettled)).toBeLessThanOrEqual(3);
    expect(outage.reportsMissing).toBe(0);
    // Stored within 30 minutes of storage coming back (a refused tick's chain looks 15 and 30 minutes
    // past it, and the next tick comes 30 minutes after that), where the next tick alone took up to an hour.
    expect(Math.min(...outage.stored12AtHours)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...outage.stored12AtHours)).toBeLessThanOrEqual(20 + 30 / 60);
  });

  it('of 24 hours costs three invocations an hour after the first: the tick, its wake-up, its one retry', async () => {
    const r = await runStorageOutage({ ...base, toAgeMs: 36 * HOUR, horizonMs: 40 * HOUR });

    expect(Math.max(...r.duringOutage)).toBeLessThanOrEqual(3 * 24 + 3);
    expect(Math.max(...r.maxPerHourInOutage)).toBeLessThanOrEqual(6);
    expect(Math.max(...r.maxPerHourSettled)).toBe(3);
  });

  it.each([
    ['a 96 h retention window', { variants: { events: { retentionWindowMs: 96 * HOUR } } }],
    ['pushes of failed consumers dropped', { variants: { events: { pushFromFailedConsumer: 'dropped' as const } } }],
  ])('stays within 6 invocations an hour with %s', async (_name, patch) => {
    const r = await runStorageOutage({ ...base, ...patch, installations: 8 });

    expect(Math.max(...r.maxPerHourInOutage)).toBeLessThanOrEqual(6);
    expect(r.reportsMissing).toBe(0);
  });

  it('with every tick delivered twice: two chains, 6 an hour once the outage is an hour old', async () => {
    // Each tick delivery pushes its own chain (nothing can elect one without storage): 2 x 3 an
    // hour; the two copies of the 12 h wake-up on their way when storage went each run three times.
    const r = await runStorageOutage({ ...base, tickDuplicates: 2, installations: 8 });

    expect(Math.max(...r.maxPerHourSettled)).toBeLessThanOrEqual(6);
    expect(Math.max(...r.maxPerHourInOutage)).toBeLessThanOrEqual(12);
    expect(r.reportsMissing).toBe(0);
  });
});
