import { OutageScenario, runStorageOutage } from '../../bench/storage_outage';

/**
 * The bench's storage-outage figures, held to the bound the design states
 * (SCHEDULER_HARDENING_DESIGN.md §4.3): while every KVS request is refused, an
 * installation runs at most 6 invocations in any hour, every tick, duplicate
 * delivery and wake-up counted, with Forge redelivering async events as it
 * documents (24 h, no retry cap). A few installations per case keep it quick;
 * `npm run bench` runs more.
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

    expect(Math.max(...outage.invocations)).toBeLessThanOrEqual(Math.max(...none.invocations) + 2);
    expect(Math.max(...outage.maxPerHourInOutage)).toBeLessThanOrEqual(3);
    expect(outage.reportsMissing).toBe(0);
    expect(Math.min(...outage.stored12AtHours)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...outage.stored12AtHours)).toBeLessThan(21);
  });

  it('of 24 hours costs one invocation an hour after the first, the ticks', async () => {
    const r = await runStorageOutage({ ...base, toAgeMs: 36 * HOUR, horizonMs: 40 * HOUR });

    expect(Math.max(...r.duringOutage)).toBeLessThanOrEqual(24 + 3);
    expect(Math.max(...r.maxPerHourInOutage)).toBeLessThanOrEqual(3);
  });

  it.each([
    // Two ticks push two chains of wake-ups: two copies on their way when storage goes, 2 + 2 x 2.
    ['every tick delivered twice', { tickDuplicates: 2 }],
    ['a 96 h retention window', { variants: { events: { retentionWindowMs: 96 * HOUR } } }],
    ['pushes of failed consumers dropped', { variants: { events: { pushFromFailedConsumer: 'dropped' as const } } }],
  ])('stays within 6 invocations an hour with %s', async (_name, patch) => {
    const r = await runStorageOutage({ ...base, ...patch, installations: 8 });

    expect(Math.max(...r.maxPerHourInOutage)).toBeLessThanOrEqual(6);
    expect(r.reportsMissing).toBe(0);
  });
});
