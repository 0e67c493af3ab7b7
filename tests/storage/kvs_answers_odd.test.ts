import { InvalidStorageKeyError } from '../../src/errors';
import { keys } from '../../src/storage/keys';
import { kvsWorld as world } from '../support/kvs_world';
import { settle } from '../support/settle';

/**
 * The storage module facing answers that are well-formed HTTP but odd in content:
 * batch items that are not objects, failures without an error, an entry for another
 * key, fields in another order, a listing that fails for a reason other than its
 * page size. Whatever KVS sends, a read either returns what KVS holds or fails with
 * StorageReadError naming its keys; it never crashes on a TypeError and never turns
 * an odd answer into "absent".
 *
 * The module remembers the accepted page size for the container's life, so each
 * test loads it afresh.
 */

const paths = (sent: Array<{ path: string }>) => sent.map((s) => s.path);

describe('a batch read with items that are not what the docs describe', () => {
  it('a null or bare item among the answers: those keys are read on their own, nothing crashes', async () => {
    const w = world((path) =>
      path.endsWith('batch/get')
        ? Response.json({ successfulKeys: [null, 'a', { key: 'b', value: 'B-batch' }], failedKeys: [null, 7] })
        : undefined,
    );
    await w.put('a', 'A');
    await w.put('b', 'B');

    const values = await w.store.readMany(['b', 'a', 'c']);

    expect([...values]).toEqual([
      ['b', 'B-batch'],
      ['a', 'A'],
      ['c', undefined],
    ]);
    expect(paths(w.sent)).toEqual(['batch/get', 'get', 'get']);
    w.dispose();
  });

  it('a failure that names no error code is not taken as "absent": the key is read again', async () => {
    const w = world((path) =>
      path.endsWith('batch/get') ? Response.json({ successfulKeys: [], failedKeys: [{ key: 'done' }] }) : undefined,
    );
    await w.put('done', { status: 'done' });

    const values = await w.store.readMany(['done']);

    expect(values.get('done')).toEqual({ status: 'done' });
    w.dispose();
  });

  it('an answer with no failure list still gives every key: the unanswered ones are read on their own', async () => {
    const w = world((path) =>
      path.endsWith('batch/get') ? Response.json({ successfulKeys: [{ key: 'a', value: 1 }] }) : undefined,
    );
    await w.put('a', 1);

    const values = await w.store.readMany(['a', 'b']);

    expect([...values]).toEqual([
      ['a', 1],
      ['b', undefined],
    ]);
    expect(paths(w.sent)).toEqual(['batch/get', 'get']);
    w.dispose();
  });
});

describe('a batch read believed where it is plain', () => {
  it('a key the batch reports as KEY_NOT_FOUND is absent at the cost of that one request', async () => {
    const w = world();
    await w.put('a', 1);

    const values = await w.store.readMany(['a', 'b']);

    expect([...values]).toEqual([
      ['a', 1],
      ['b', undefined],
    ]);
    expect(paths(w.sent)).toEqual(['batch/get']);
    w.dispose();
  });
});

describe('a single read answered with something other than the entry asked for', () => {
  it("another key's entry fails the read, naming the key asked for", async () => {
    const w = world((path) =>
      path.endsWith('/get') && !path.includes('batch')
        ? Response.json({ key: 'other', value: { status: 'done' } })
        : undefined,
    );

    const read = w.store.read('mine');

    await expect(read).rejects.toBeInstanceOf(w.ReadError);
    await expect(read).rejects.toMatchObject({ keys: ['mine'], message: expect.stringContaining('mine') });
    w.dispose();
  });
});

describe('create-if-absent reads its own value back whatever order KVS keeps the fields in', () => {
  it("a stored claim whose fields come back in another order is still this caller's", async () => {
    const reverse = (v: unknown): unknown =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .reverse()
              .map(([k, x]) => [k, reverse(x)]),
          )
        : v;
    let stored: unknown;
    const w = world((path, body) => {
      const b = body as { key: string; value?: unknown };
      if (path.endsWith('/set')) {
        // The first create lands; a second one is answered 2xx by something in between.
        stored ??= b.value;
        return new Response(null, { status: 204 });
      }
      if (path.endsWith('/get') && !path.includes('batch')) {
        return Response.json({ key: b.key, value: reverse(stored), createdAt: 1 });
      }
      return undefined;
    });
    const claim = { invocationId: 'inv-1', attempt: 1, leaseUntil: 5, holder: { host: 'h', at: 2, pid: 3 } };

    await expect(w.store.createIfAbsent('claim', claim)).resolves.toBe(true);
    await expect(w.store.createIfAbsent('claim', { ...claim, invocationId: 'inv-2' })).resolves.toBe(false);
    w.dispose();
  });
});

describe('reading a create back', () => {
  // A create answered 2xx is read back to learn whose value the key holds. The read may fail on its
  // own; giving up at once would leave a claim nobody knows is theirs until its lease runs out.
  // Each read is itself tried four times by the store (src/storage/retry.ts) before it fails; the
  // read back tries such a read three times. The store's pauses run on Jest's fake clock.
  const TRIES_PER_READ = 4;
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const failedRead = (): Array<'fail'> => Array.from({ length: TRIES_PER_READ }, () => 'fail' as const);

  function createWithReads(answers: Array<'fail' | 'absent' | 'value'>) {
    let stored: unknown;
    let reads = 0;
    const w = world((path, body) => {
      const b = body as { key: string; value?: unknown };
      if (path.endsWith('/set')) {
        stored = b.value;
        return new Response(null, { status: 204 });
      }
      if (path.endsWith('/get') && !path.includes('batch')) {
        const answer = answers[reads++] ?? 'value';
        if (answer === 'fail') return Response.json({ code: 'INTERNAL_SERVER_ERROR' }, { status: 500 });
        // The local KVS never saw the set, so it answers as Forge does for a key it does not hold.
        if (answer === 'absent') return undefined;
        return Response.json({ key: b.key, value: stored, createdAt: 1 });
      }
      return undefined;
    });
    return { w, reads: () => reads };
  }

  it('a refused request is tried again by the store: the read answers, at its second request', async () => {
    const { w, reads } = createWithReads(['fail', 'value']);
    await expect(settle(w.store.createIfAbsent('claim', { attempt: 1 }))).resolves.toEqual({ value: true });
    expect(reads()).toBe(2);
    w.dispose();
  });

  it('tries the read again after a failed read, and again, and takes the third answer', async () => {
    const { w, reads } = createWithReads([...failedRead(), ...failedRead(), 'value']);
    await expect(settle(w.store.createIfAbsent('claim', { attempt: 1 }))).resolves.toEqual({ value: true });
    expect(reads()).toBe(2 * TRIES_PER_READ + 1);
    w.dispose();
  });

  it('gives up after three failed reads with the read error, never taking the key as absent or as its own', async () => {
    const { w, reads } = createWithReads([...failedRead(), ...failedRead(), ...failedRead(), 'value']);
    const out = await settle(w.store.createIfAbsent('claim', { attempt: 1 }));
    expect('error' in out && out.error).toBeInstanceOf(w.ReadError);
    expect(reads()).toBe(3 * TRIES_PER_READ);
    w.dispose();
  });

  it('fails as a write, naming the key, when the create was answered 2xx but the key reads back absent', async () => {
    const { w, reads } = createWithReads(['absent']);
    const err = await settle(w.store.createIfAbsent('claim', { attempt: 1 })).then((out) =>
      'error' in out ? out.error : undefined,
    );
    expect(err).toBeInstanceOf(w.WriteError);
    expect(err).toMatchObject({
      keys: ['claim'],
      message: expect.stringContaining('answered 2xx but the key is absent'),
    });
    expect(reads()).toBe(1);
    w.dispose();
  });
});

describe('listing', () => {
  it('a listing that fails for another reason than its page size fails, and the next listing still asks for 100', async () => {
    let failNext = true;
    const w = world((path) => {
      if (!path.endsWith('/query') || !failNext) return undefined;
      failNext = false;
      return Response.json({ code: 'INTERNAL_SERVER_ERROR', message: 'try again' }, { status: 500 });
    });
    await w.put('p:1', 1);

    await expect(w.store.listByPrefix('p:')).rejects.toBeInstanceOf(w.ReadError);
    expect(w.sent.filter((s) => s.path === 'query')).toHaveLength(1);

    await expect(w.store.listByPrefix('p:')).resolves.toEqual([{ key: 'p:1', value: 1 }]);
    expect(w.sent.filter((s) => s.path === 'query').map((s) => s.body.limit)).toEqual([100, 100]);
    w.dispose();
  });

  it('stops asking for pages once it holds as many entries as were asked for', async () => {
    const w = world();
    for (let i = 0; i < 250; i++) await w.put(`p:${String(i).padStart(3, '0')}`, i);

    const listed = await w.store.listByPrefix<number>('p:', 100);

    expect(listed.map((e) => e.value)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(w.sent.filter((s) => s.path === 'query')).toHaveLength(1);
    w.dispose();
  });
});

describe('keys that a listing returns in number order', () => {
  // KVS lists by key, so the history of replaced and manual reports reads in order only
  // if their numbers are padded: E10 must come after E9, and report 100 after report 99.
  it('replaced-report entries sort by epoch, manual-report entries by sequence', () => {
    const replaced = [1, 9, 10, 11, 100, 12345].map((e) => keys.replacedReportEntry('site-1', 'AUTO_12H', e));
    const manual = [1, 9, 10, 99, 100, 123456].map((n) => keys.manualReportEntry('site-1', n));

    expect([...replaced].sort()).toEqual(replaced);
    expect([...manual].sort()).toEqual(manual);
  });

  it('a negative epoch is refused with a message that names it', () => {
    expect(() => keys.legacyClaim('site-1', 'AUTO_12H', 1, -3)).toThrow(InvalidStorageKeyError);
    expect(() => keys.legacyClaim('site-1', 'AUTO_12H', 1, -3)).toThrow(/-3/);
  });
});
