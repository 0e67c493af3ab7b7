import { runSoak, SOAK_DEFAULTS } from '../../bench/soak';
import { SCHEDULER } from '../../src/scheduled/config';

/**
 * A small `npm run soak` inside the test run: every installation from install to
 * 30 h, every tick delivered three times, a fifth of KVS requests refused, and
 * wake-up events lost in part or in whole. The full-size run is `npm run soak`
 * (10,000 installations).
 */
describe('soak, small', () => {
  const ticksPerInstallation = (30 * 3_600_000) / SCHEDULER.intervalMs;

  it.each([[0.1], [1]])(
    '10 installations, 20 %% KVS faults, 3 duplicates per tick, %p of wake-ups lost: every report stored once, nothing thrown',
    async (eventLoss) => {
      // Prepare
      const opts = { ...SOAK_DEFAULTS, installations: 10, workers: 1, eventLoss };

      // Act
      const figures = await runSoak(opts);

      // Assess
      expect(figures).toMatchObject({
        installations: 10,
        invocations: 10 * ticksPerInstallation * 3,
        duplicates: 0,
        missed: 0,
        throws: 0,
      });
      expect(figures.reportsStored).toBe(20);
      expect(figures.wakeUpsPushed).toBeGreaterThan(0);
      if (eventLoss === 1) expect(figures.wakeUpInvocations).toBe(0);
      else expect(figures.wakeUpInvocations).toBeGreaterThan(0);
    },
    120_000,
  );
});
