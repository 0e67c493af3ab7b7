import { highestClaimed } from '../../src/admin/admin_records';
import { SCHEDULER } from '../../src/scheduled/config';

/**
 * The highest claim number under a prefix: where an admin action's claim walk starts,
 * and the next manual report's number. A listing is stored data, so a key whose
 * number no claim can have is corrupt and must not move either of them.
 */
const PREFIX = 'phase5:scheduler:3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c:MANUAL:CLAIM:';
const listed = (...suffixes: string[]) => suffixes.map((s) => ({ key: `${PREFIX}${s}` }));

describe('the highest claim number in a listing', () => {
  it('is 0 for an empty listing, and the largest number otherwise, in any order', () => {
    expect(highestClaimed([], PREFIX)).toBe(0);
    expect(highestClaimed(listed('2', '11', '3'), PREFIX)).toBe(11);
  });

  it('counts the last number a claim can have', () => {
    expect(highestClaimed(listed('3', String(SCHEDULER.maxAttempts)), PREFIX)).toBe(SCHEDULER.maxAttempts);
  });

  it.each([String(SCHEDULER.maxAttempts + 1), '1e3', '007', ' 7', '2.5', '-4', 'x', ''])(
    'ignores a key whose number no claim can have: %j',
    (bad) => {
      expect(highestClaimed(listed('3', bad), PREFIX)).toBe(3);
    },
  );

  it("ignores another prefix's keys", () => {
    expect(highestClaimed([{ key: 'phase5:scheduler:other:MANUAL:CLAIM:9' }, ...listed('2')], PREFIX)).toBe(2);
  });
});
