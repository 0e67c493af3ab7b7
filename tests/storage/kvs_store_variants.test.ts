import { ManualClock } from '../../local/clock';
import { KvsEmulator } from '../../local/kvs';
import type { KvsVariants } from '../../local/platform_variants';
import { StorageReadError } from '../../src/errors';
import { listByPrefix, readMany } from '../../src/storage/kvs_store';

/**
 * The storage module under the answers Forge's docs leave open: a batch read that
 * omits missing keys, answers an item without a value, or fails items on their own;
 * a query service that refuses a page size of 100. Each test counts what was sent.
 */

const NS = 'installation-1';
type Reply = (path: string, body: unknown) => Response | undefined;

function world(variants: Partial<KvsVariants> = {}, override?: Reply) {
  const kvs = new KvsEmulator({ clock: new ManualClock(Date.parse('2026-11-02T09:00:00Z')), variants });
  const sent: string[] = [];
  const g = globalThis as Record<string, unknown>;
  const previous = g.__forge_fetch__;
  g.__forge_fetch__ = async (_d: unknown, path: string, init: { body?: string }) => {
    sent.push(path.replace('/api/v1/', ''));
    return override?.(path, JSON.parse(init.body ?? 'null')) ?? kvs.handle(NS, path, init);
  };
  const put = async (key: string, value: unknown) => {
    await kvs.handle(NS, '/api/v1/set', { body: JSON.stringify({ key, value }) });
  };
  const dispose = () => {
    g.__forge_fetch__ = previous;
    kvs.close();
  };
  return { kvs, sent, put, dispose };
}

describe('readMany: a key is absent only when KVS says so', () => {
  it('a batch that omits missing keys: they are read on their own and come back absent', async () => {
    const w = world({ batchGetMissing: 'omitted' });
    await w.put('a', 1);

    const values = await readMany(['a', 'b', 'c']);

    expect([...values]).toEqual([
      ['a', 1],
      ['b', undefined],
      ['c', undefined],
    ]);
    expect(w.sent).toEqual(['batch/get', 'get', 'get']);
    w.dispose();
  });

  it('a successfulKeys item without a value is never "absent": the key is read again and its value used', async () => {
    const w = world({}, (path, body) =>
      path.endsWith('batch/get')
        ? Response.json({
            successfulKeys: (body as Array<{ key: string }>).map(({ key }) => ({ key })),
            failedKeys: [],
          })
        : undefined,
    );
    await w.put('done', { status: 'done' });

    const values = await readMany(['done']);

    expect(values.get('done')).toEqual({ status: 'done' });
    expect(w.sent).toEqual(['batch/get', 'get']);
    w.dispose();
  });

  it('a valueless item whose single read answers without the entry fails the read', async () => {
    const w = world({}, (path, body) => {
      if (path.endsWith('batch/get'))
        return Response.json({ successfulKeys: [{ key: (body as Array<{ key: string }>)[0].key }], failedKeys: [] });
      return Response.json({});
    });

    await expect(readMany(['done'])).rejects.toBeInstanceOf(StorageReadError);
    w.dispose();
  });

  it('an item failing on its own is read again, and so is every key after it, in order', async () => {
    const w = world({ batchGetItemErrors: 'firstItem' });
    await w.put('a', 'A');
    await w.put('b', 'B');

    const values = await readMany(['a', 'b', 'c']);

    expect([...values]).toEqual([
      ['a', 'A'],
      ['b', 'B'],
      ['c', undefined],
    ]);
    // 'a' failed; 'b' and 'c' come after it, so they are read again after it.
    expect(w.sent).toEqual(['batch/get', 'get', 'get', 'get']);
    w.dispose();
  });

  it('never pairs a later key from the batch with an earlier key read afterwards', async () => {
    // Prepare: the batch answers only 'done' (absent) and leaves 'state' out; between the
    // batch and the re-read of 'state', a commit writes both.
    let committed = false;
    const w = world({}, (path) => {
      if (!path.endsWith('batch/get')) return undefined;
      return Response.json({
        successfulKeys: [],
        failedKeys: [{ key: 'done', error: { code: 'KEY_NOT_FOUND', message: 'x' } }],
      });
    });
    const commitBeforeRereads = async () => {
      if (committed) return;
      committed = true;
      await w.put('state', { generated: true });
      await w.put('done', { status: 'done' });
    };
    const g = globalThis as Record<string, unknown>;
    const fetchBefore = g.__forge_fetch__ as (...a: unknown[]) => Promise<Response>;
    g.__forge_fetch__ = async (...a: unknown[]) => {
      if (String(a[1]).endsWith('/get') && !String(a[1]).includes('batch')) await commitBeforeRereads();
      return fetchBefore(...a);
    };

    // Act
    const values = await readMany(['state', 'done']);

    // Assess: the state that shows the commit comes with the commit's DONE key.
    expect(values.get('state')).toEqual({ generated: true });
    expect(values.get('done')).toEqual({ status: 'done' });
    g.__forge_fetch__ = fetchBefore;
    w.dispose();
  });

  it('a key answered both as a value and as missing is read again', async () => {
    const w = world({}, (path) =>
      path.endsWith('batch/get')
        ? Response.json({
            successfulKeys: [{ key: 'k', value: 'stale' }],
            failedKeys: [{ key: 'k', error: { code: 'KEY_NOT_FOUND', message: 'x' } }],
          })
        : undefined,
    );
    await w.put('k', 'fresh');

    expect((await readMany(['k'])).get('k')).toBe('fresh');
    w.dispose();
  });
});

describe('listByPrefix: no page size is taken for granted', () => {
  // The accepted size is remembered for the container's life, so these run largest first.
  it.each([[100], [99], [20]] as const)('lists all 150 entries when the service takes at most %i', async (max) => {
    const w = world({ queryMaxLimit: max });
    for (let i = 0; i < 150; i++) await w.put(`p:${String(i).padStart(3, '0')}`, i);
    await w.put('q:other', 0);

    const listed = await listByPrefix<number>('p:');

    expect(listed.map((e) => e.value)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    // At most one refused page per step down the ladder, then full pages of the accepted size.
    expect(w.sent.length).toBeLessThanOrEqual(Math.ceil(151 / max) + 2);
    w.dispose();
  });
});
