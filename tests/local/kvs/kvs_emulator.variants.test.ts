import { ManualClock } from '../../../local/clock';
import { KvsEmulator } from '../../../local/kvs';
import type { KvsVariants } from '../../../local/platform_variants';
import { platformVariants } from '../../../local/platform_variants';
import { wire } from './helpers';

/**
 * The KVS emulator's answers where Forge's docs leave the behaviour open, one switch
 * at a time, on the wire: what a client sees, and when.
 */

const NS = 'ns';
const T0 = Date.parse('2026-11-02T09:00:00Z');
const HOUR = 3_600_000;

function emulator(variants: Partial<KvsVariants>) {
  const clock = new ManualClock(T0);
  const kvs = new KvsEmulator({ clock, variants });
  const call = (path: string, body: unknown) => wire(kvs, NS, `/api/v1/${path}`, body);
  return { clock, kvs, call };
}

describe('lazy purge of expired entries', () => {
  it('an expired entry is readable until its purge, by get, batch/get and query, then gone', async () => {
    const { clock, kvs, call } = emulator({ expiredReadableForMs: 48 * HOUR });
    await call('set', { key: 'k', value: 'v', options: { ttl: { value: 1, unit: 'HOURS' } } });

    clock.advance(HOUR + 1);
    expect((await call('get', { key: 'k' })).json).toEqual({ key: 'k', value: 'v' });
    expect((await call('batch/get', [{ key: 'k' }])).json).toMatchObject({ successfulKeys: [{ key: 'k' }] });
    expect(
      (await call('query', { where: [{ property: 'key', condition: 'BEGINS_WITH', values: ['k'] }] })).json,
    ).toMatchObject({ data: [{ key: 'k' }] });

    clock.advance(48 * HOUR);
    expect((await call('get', { key: 'k' })).status).toBe(404);
    expect(kvs.entries(NS)).toEqual([]);
    kvs.close();
  });

  it.each([
    ['succeeds', 204],
    ['conflicts', 409],
  ] as const)('FAIL_IF_EXISTS on an expired, unpurged entry %s', async (answer, status) => {
    const { clock, kvs, call } = emulator({ expiredReadableForMs: HOUR, failIfExistsOnExpired: answer });
    await call('set', { key: 'k', value: 'old', options: { ttl: { value: 1, unit: 'SECONDS' } } });
    clock.advance(2_000);

    const created = await call('set', { key: 'k', value: 'new', options: { keyPolicy: 'FAIL_IF_EXISTS' } });

    expect(created.status).toBe(status);
    if (status === 409) {
      // Once purged, the entry is gone for writes too.
      clock.advance(HOUR);
      const later = await call('set', { key: 'k', value: 'new', options: { keyPolicy: 'FAIL_IF_EXISTS' } });
      expect(later.status).toBe(204);
    }
    kvs.close();
  });

  it('refuses a purge lateness beyond the documented 48 h', () => {
    expect(() => platformVariants({ kvs: { expiredReadableForMs: 49 * HOUR } })).toThrow(RangeError);
  });
});

describe('read lag', () => {
  it('a lagging read answers the value as it stood `lag` ago: an older value, not "absent"', async () => {
    const { clock, kvs, call } = emulator({ readLagMs: { get: 1_000, batchGet: 5_000 } });
    await call('set', { key: 'k', value: 1 });
    clock.advance(10_000);
    await call('set', { key: 'k', value: 2 });

    expect((await call('get', { key: 'k' })).json).toEqual({ key: 'k', value: 1 });
    expect((await call('batch/get', [{ key: 'k' }])).json).toMatchObject({ successfulKeys: [{ value: 1 }] });
    clock.advance(1_000);
    expect((await call('get', { key: 'k' })).json).toEqual({ key: 'k', value: 2 });
    expect((await call('batch/get', [{ key: 'k' }])).json).toMatchObject({ successfulKeys: [{ value: 1 }] });
    clock.advance(4_000);
    expect((await call('batch/get', [{ key: 'k' }])).json).toMatchObject({ successfulKeys: [{ value: 2 }] });
    // Writes are never lagged: FAIL_IF_EXISTS sees the newest state at once.
    await call('set', { key: 'fresh', value: 1 });
    expect((await call('set', { key: 'fresh', value: 2, options: { keyPolicy: 'FAIL_IF_EXISTS' } })).status).toBe(409);
    kvs.close();
  });
});

describe('batch, query, conflict and transaction answers', () => {
  it('omits missing keys from a batch read', async () => {
    const { kvs, call } = emulator({ batchGetMissing: 'omitted' });
    await call('set', { key: 'a', value: 1 });
    expect((await call('batch/get', [{ key: 'a' }, { key: 'b' }])).json).toEqual({
      successfulKeys: [{ key: 'a', value: 1 }],
      failedKeys: [],
    });
    kvs.close();
  });

  it('answers missing keys with value null, in a batch read and in a get, when told to', async () => {
    const batch = emulator({ batchGetMissing: 'nullValue' });
    await batch.call('set', { key: 'a', value: 1 });
    expect((await batch.call('batch/get', [{ key: 'a' }, { key: 'b' }])).json).toEqual({
      successfulKeys: [
        { key: 'a', value: 1 },
        { key: 'b', value: null },
      ],
      failedKeys: [],
    });
    expect((await batch.call('get', { key: 'b' })).status).toBe(404);
    batch.kvs.close();

    const single = emulator({ getMissing: 'nullValue' });
    expect(await single.call('get', { key: 'b' })).toMatchObject({ status: 200, json: { key: 'b', value: null } });
    single.kvs.close();
  });

  it('refuses a whole batch write with an invalid item, storing nothing', async () => {
    const { kvs, call } = emulator({ batchInvalidItem: 'batchFails' });
    const answer = await call('batch/set', [
      { key: 'ok', value: 1 },
      { key: 'not/ok', value: 2 },
    ]);
    expect(answer.status).toBe(400);
    expect(kvs.entries(NS)).toEqual([]);
    kvs.close();
  });

  it.each([
    [100, 100, 200],
    [99, 100, 400],
    [99, 99, 200],
    [20, 21, 400],
  ] as const)('query limit at most %i: limit %i answers %i', async (max, limit, status) => {
    const { kvs, call } = emulator({ queryMaxLimit: max });
    expect((await call('query', { limit })).status).toBe(status);
    kvs.close();
  });

  it.each([
    ['CONFLICT', 'CONFLICT'],
    ['none', undefined],
  ] as const)('answers a FAIL_IF_EXISTS conflict with code %s', async (code, body) => {
    const { kvs, call } = emulator({ conflictCode: code });
    await call('set', { key: 'k', value: 1 });
    const answer = await call('set', { key: 'k', value: 2, options: { keyPolicy: 'FAIL_IF_EXISTS' } });
    expect(answer.status).toBe(409);
    expect((answer.json as { code?: string } | undefined)?.code).toBe(body);
    kvs.close();
  });

  it('refuses a transaction over a key written within the window, and only then', async () => {
    const { clock, kvs, call } = emulator({ transactionConflictWindowMs: 1_000 });
    await call('set', { key: 'k', value: 1 });
    expect((await call('transaction', { set: [{ key: 'k', value: 2 }] })).status).toBe(409);
    clock.advance(1_000);
    expect((await call('transaction', { set: [{ key: 'k', value: 3 }] })).status).toBe(204);
    expect((await call('get', { key: 'k' })).json).toEqual({ key: 'k', value: 3 });
    kvs.close();
  });
});
