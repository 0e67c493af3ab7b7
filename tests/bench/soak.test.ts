import { runSoak, SOAK_DEFAULTS } from '../../bench/soak';

/**
 * A small `npm run soak` inside the test run: every installation from install to
 * 30 h, every tick delivered three times, a fifth of KVS requests refused. The
 * full-size run is `npm run soak` (10,000 installations).
 */
describe('soak, small', () => {
  it('10 installations, 20 % KVS faults, 3 duplicates per tick: every report stored once, nothing thrown', async () => {
    // Prepare
    const opts = { ...SOAK_DEFAULTS, installations: 10, workers: 1 };

    // Act
    const figures = await runSoak(opts);

    // Assess
    expect(figures).toMatchObject({
      installations: 10,
      invocations: 10 * 360 * 3,
      duplicates: 0,
      missed: 0,
      throws: 0,
    });
    expect(figures.reportsStored).toBe(20);
  }, 120_000);
});
