import { INTERVAL_WORDS, SCHEDULER, TRIGGER_INTERVALS } from '../../src/scheduled/config';

/**
 * The words the admin page puts after "every" and "within the" must say how long the
 * manifest's interval is, for each interval the app supports, not only the one this
 * build's manifest uses: a vendor switching to `fiveMinute` changes one line.
 */
const UNIT_MS = { minute: 60_000, hour: 3_600_000 } as const;

function lengthOf(words: string): number {
  const m = /^(?:(\d+) )?(minute|hour)s?$/.exec(words);
  if (!m) throw new Error(`not a length of time: ${JSON.stringify(words)}`);
  return Number(m[1] ?? 1) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

describe('the scheduled interval in words', () => {
  it.each(Object.keys(TRIGGER_INTERVALS) as (keyof typeof TRIGGER_INTERVALS)[])(
    'names the length of %s',
    (interval) => {
      expect(lengthOf(INTERVAL_WORDS[interval])).toBe(TRIGGER_INTERVALS[interval]);
    },
  );

  it("is this build's interval, which the manifest runs", () => {
    expect(TRIGGER_INTERVALS[SCHEDULER.interval]).toBe(SCHEDULER.intervalMs);
  });
});
