import { kvsWorld } from '../support/kvs_world';

/**
 * `rawKvs`: what the platform check is told KVS answered. Its probes compare these
 * answers with what the app assumes and show the administrator the difference
 * (src/platform_check/probes.ts), so an answer must be reported as KVS gave it:
 * a failure with its status and code, each batch item with its key and whether it
 * carried a value, a listing with its keys. Never a throw, and never an odd item
 * turned into a key that KVS did not name.
 */

describe('a request that gets no answer', () => {
  it('is reported as a transport failure with no status, carrying the error it failed with', async () => {
    const w = kvsWorld(() => {
      throw new Error('socket hang up');
    });
    await expect(w.store.rawKvs.get('probe')).resolves.toEqual({
      ok: false,
      status: 0,
      code: 'TRANSPORT',
      message: expect.stringContaining('socket hang up'),
    });
    w.dispose();
  });

  it('a refusal keeps its HTTP status and KVS code', async () => {
    const w = kvsWorld();
    const answer = await w.store.rawKvs.set('no/slash', 1);
    expect(answer).toMatchObject({ ok: false, status: 400 });
    expect(answer.ok === false && answer.code).not.toBe('TRANSPORT');
    w.dispose();
  });
});

describe('a batch answer', () => {
  it('reports every item KVS named, and leaves out items that are not objects', async () => {
    const w = kvsWorld((path) =>
      path.endsWith('batch/get')
        ? Response.json({
            successfulKeys: [null, 'a', 7, { key: 'b', value: 'B' }],
            failedKeys: [null, 'c', { key: 'd', error: { code: 'KEY_NOT_FOUND', message: 'gone' } }],
          })
        : undefined,
    );
    await expect(w.store.rawKvs.batchGet(['a', 'b', 'c', 'd'])).resolves.toEqual({
      ok: true,
      successfulKeys: [{ key: 'b', hasValue: true, value: 'B' }],
      failedKeys: [{ key: 'd', code: 'KEY_NOT_FOUND' }],
    });
    w.dispose();
  });

  it('says when an item in successfulKeys came without a value', async () => {
    const w = kvsWorld((path) =>
      path.endsWith('batch/get') ? Response.json({ successfulKeys: [{ key: 'a' }], failedKeys: [] }) : undefined,
    );
    await expect(w.store.rawKvs.batchGet(['a'])).resolves.toEqual({
      ok: true,
      successfulKeys: [{ key: 'a', hasValue: false, value: undefined }],
      failedKeys: [],
    });
    w.dispose();
  });

  it('a failed item whose error names no code is reported as UNKNOWN, not as any code the probes look for', async () => {
    const w = kvsWorld((path) =>
      path.endsWith('batch/set')
        ? Response.json({
            successfulKeys: [],
            failedKeys: [{ key: 'a', error: { message: 'no code' } }, { key: 'b', error: { code: 409 } }, { key: 'c' }],
          })
        : undefined,
    );
    const answer = await w.store.rawKvs.batchSet([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
      { key: 'c', value: 3 },
    ]);
    expect(answer).toEqual({
      ok: true,
      successfulKeys: [],
      failedKeys: [
        { key: 'a', code: 'UNKNOWN' },
        { key: 'b', code: 'UNKNOWN' },
        { key: 'c', code: 'UNKNOWN' },
      ],
    });
    w.dispose();
  });

  it('real items from the emulator come back with their values and failures', async () => {
    const w = kvsWorld();
    await w.put('present', { n: 1 });
    const answer = await w.store.rawKvs.batchGet(['present', 'missing']);
    expect(answer).toEqual({
      ok: true,
      successfulKeys: [{ key: 'present', hasValue: true, value: { n: 1 } }],
      failedKeys: [{ key: 'missing', code: 'KEY_NOT_FOUND' }],
    });
    w.dispose();
  });
});

describe('a listing', () => {
  it('reports the keys under the prefix, as KVS ordered them', async () => {
    const w = kvsWorld();
    for (const key of ['scratch-b', 'scratch-a', 'other', 'scratch-c']) await w.put(key, 1);
    await expect(w.store.rawKvs.query('scratch-', 100)).resolves.toEqual({
      ok: true,
      keys: ['scratch-a', 'scratch-b', 'scratch-c'],
    });
    w.dispose();
  });
});
