import { InvalidStorageKeyError } from '../../src/errors';
import { checkedKey, keys } from '../../src/storage/keys';

/**
 * A key Forge would refuse is refused here first, with a message that says
 * which key and why, quoting at most 80 characters of it: that message is what
 * a developer sees in a failing test, and what the admin page shows when a
 * request names a key it cannot use.
 */

const CLOUD = '3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidStorageKeyError) return err.message;
    throw err;
  }
  throw new Error('no error');
}

describe('a refused key', () => {
  it('is quoted, up to its first 80 characters', () => {
    const long = `phase5:report:${'x'.repeat(600)}`;

    expect(messageOf(() => checkedKey('a/b'))).toBe('Not a valid Forge KVS key: "a/b"');
    expect(messageOf(() => checkedKey(long))).toBe(`Not a valid Forge KVS key: ${JSON.stringify(long.slice(0, 80))}`);
  });

  it('is refused when empty', () => {
    expect(messageOf(() => checkedKey(''))).toBe('Not a valid Forge KVS key: ""');
  });

  it('names the part that cannot go into a key, up to its first 80 characters', () => {
    const longSite = `${'y'.repeat(100)}/`;

    expect(messageOf(() => keys.schedulerState('a:b'))).toBe('Not a valid key segment: "a:b"');
    expect(messageOf(() => keys.schedulerState(longSite))).toBe(
      `Not a valid key segment: ${JSON.stringify(longSite.slice(0, 80))}`,
    );
  });

  it('says an instant that is not one is not an instant', () => {
    expect(messageOf(() => keys.auditEntry(CLOUD, Number.POSITIVE_INFINITY, 'abc'))).toBe('Not an instant: Infinity');
  });

  it('says which attempt number is not a positive integer', () => {
    expect(messageOf(() => keys.legacyClaim(CLOUD, 'AUTO_12H', -2))).toBe(
      'Attempt number must be a positive integer, got -2',
    );
  });
});
