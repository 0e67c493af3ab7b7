import { kvsWorld } from '../support/kvs_world';
import { settle } from '../support/settle';

/**
 * The storage module's one retry rule (src/storage/retry.ts), through the real
 * @forge/kvs SDK at its `__forge_fetch__` seam over the local KVS emulator: what is
 * known to have changed nothing is tried again, three more times, 50, 250 and 1000 ms
 * apart. That is every read KVS failed with a 429, a 5xx or no answer at all, and a
 * transaction it refused as rate limited (429: refused whole, before anything
 * applied). A transaction answered 5xx may have landed, so it is sent once: the
 * caller reads back what it conditioned on. A 4xx other than 429 is an answer about
 * the request itself and is never sent again.
 *
 * The pauses are real timers; the tests run them on Jest's fake clock, so they take
 * no time and when each request went out can be asserted.
 */

beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
});
afterEach(() => {
  jest.useRealTimers();
});

/** An entity record, as the ledger keeps one. */
const seedRecord = { trigger: 'AUTO_12H', version: 1, holder: 'h', status: 'idle' };

type Failure = { status: number; code: string } | 'no answer';
const tooMany: Failure = { status: 429, code: 'TOO_MANY_REQUESTS' };
const serverError: Failure = { status: 500, code: 'INTERNAL_SERVER_ERROR' };
const badRequest: Failure = { status: 400, code: 'INVALID_REQUEST' };

/**
 * A world whose requests to `path` fail as `failure` the first `times` times (the
 * emulator answers the rest), recording when each such request was sent.
 */
function failing(path: string, failure: Failure, times: number) {
  const at: number[] = [];
  const w = kvsWorld((p, body) => {
    if (p !== `/api/v1/${path}`) return undefined;
    at.push(Date.now());
    // The world's emulator declares no custom entities: an entity read is answered here, as the
    // emulator answers one for a record it holds.
    if (at.length > times)
      return path === 'entity/get'
        ? Response.json({ key: (body as { key: string }).key, value: seedRecord, createdAt: 1 })
        : undefined;
    if (failure === 'no answer') throw new Error('socket hang up');
    return Response.json({ code: failure.code, message: 'injected' }, { status: failure.status });
  });
  return { w, at, gaps: () => at.slice(1).map((t, i) => t - at[i]) };
}

const reads: Array<[string, string, (w: ReturnType<typeof kvsWorld>) => Promise<unknown>]> = [
  ['get', 'get', (w) => w.store.read('k')],
  ['entity get', 'entity/get', (w) => w.store.read({ entity: 'claim', key: 'k' })],
  ['batch get', 'batch/get', (w) => w.store.readMany(['k', 'j']).then((m) => m.get('k'))],
];

/** What the key read holds: stored in the emulator, or for an entity record, answered by `failing`. */
async function stored(w: ReturnType<typeof kvsWorld>, how: string) {
  if (how === 'entity/get') return seedRecord;
  await w.put('k', { v: 1 });
  return { v: 1 };
}

describe.each(reads)('a read (%s)', (_name, path, readIt) => {
  it.each([
    ['429', tooMany],
    ['500', serverError],
    ['no answer', 'no answer' as const],
  ])(
    'refused (%s) three times, then answered: returns the value, after four requests 50, 250 and 1000 ms apart',
    async (_what, failure) => {
      const { w, at, gaps } = failing(path, failure, 3);
      const value = await stored(w, path);

      const out = await settle(readIt(w));

      expect(out).toEqual({ value });
      expect(at).toHaveLength(4);
      expect(gaps()).toEqual([50, 250, 1000]);
      w.dispose();
    },
  );

  it.each([
    ['429', tooMany],
    ['500', serverError],
  ])(
    'refused (%s) four times: fails with StorageReadError after four requests, never "absent"',
    async (_what, failure) => {
      const { w, at } = failing(path, failure, 4);
      await stored(w, path);

      const out = await settle(readIt(w));

      expect('error' in out && out.error).toBeInstanceOf(w.ReadError);
      expect(w.store.answeredStatus('error' in out ? out.error : undefined)).toBe(
        (failure as { status: number }).status,
      );
      expect(at).toHaveLength(4);
      w.dispose();
    },
  );

  it('refused 400: fails with StorageReadError at once, the request sent once', async () => {
    const { w, at } = failing(path, badRequest, 1);
    await stored(w, path);

    const out = await settle(readIt(w));

    expect('error' in out && out.error).toBeInstanceOf(w.ReadError);
    expect(w.store.answeredStatus('error' in out ? out.error : undefined)).toBe(400);
    expect(at).toHaveLength(1);
    w.dispose();
  });
});

describe('a transaction', () => {
  const write = { set: [{ key: 'k', value: { v: 2 } }] };

  it('answered 429 is sent again, 50 ms on, and lands', async () => {
    const { w, at, gaps } = failing('transaction', tooMany, 1);

    const out = await settle(w.store.commit(write));

    expect(out).toEqual({ value: undefined });
    expect(at).toHaveLength(2);
    expect(gaps()).toEqual([50]);
    await expect(w.store.read('k')).resolves.toEqual({ v: 2 });
    w.dispose();
  });

  it('answered 429 four times: StorageWriteError after four sends, nothing written', async () => {
    const { w, at } = failing('transaction', tooMany, 4);

    const out = await settle(w.store.commit(write));

    expect('error' in out && out.error).toBeInstanceOf(w.WriteError);
    expect(w.store.answeredStatus('error' in out ? out.error : undefined)).toBe(429);
    expect(at).toHaveLength(4);
    await expect(w.store.read('k')).resolves.toBeUndefined();
    w.dispose();
  });

  it.each([
    ['500', serverError],
    ['400', badRequest],
  ])('answered %s is sent once: StorageWriteError, for the caller to read back', async (_what, failure) => {
    const { w, at } = failing('transaction', failure, 1);

    const out = await settle(w.store.commit(write));

    expect('error' in out && out.error).toBeInstanceOf(w.WriteError);
    expect(w.store.answeredStatus('error' in out ? out.error : undefined)).toBe((failure as { status: number }).status);
    expect(at).toHaveLength(1);
    w.dispose();
  });
});

describe('a create-if-absent (it can never overwrite, so sending it again is safe)', () => {
  const value = { installation_timestamp: '2026-11-02T09:00:00.000Z', source: 'avi:forge:installed:app' };

  it.each([
    ['429', tooMany],
    ['500', serverError],
    ['no answer', 'no answer' as const],
  ])('refused (%s) once: sent again 50 ms on, and it wins', async (_what, failure) => {
    const { w, at, gaps } = failing('set', failure, 1);

    const out = await settle(w.store.createIfAbsent('k', value));

    expect(out).toEqual({ value: true });
    expect(at).toHaveLength(2);
    expect(gaps()).toEqual([50]);
    await expect(w.store.read('k')).resolves.toEqual(value);
    w.dispose();
  });

  it('a 5xx whose create landed: the resend conflicts with its own value, and the read back says it won', async () => {
    // The first send lands, then its answer is lost as a 500.
    let first = true;
    const w = kvsWorld((p, body) => {
      if (p !== '/api/v1/set' || !first) return undefined;
      first = false;
      return w
        .put('k', (body as { value: unknown }).value)
        .then(() => Response.json({ code: 'INTERNAL_SERVER_ERROR', message: 'injected' }, { status: 500 }));
    });

    const out = await settle(w.store.createIfAbsent('k', value));

    expect(out).toEqual({ value: true });
    // The resend, answered 409, then the read back of the key.
    expect(w.sent.map((s) => s.path)).toEqual(['set', 'set', 'get']);
    await expect(w.store.read('k')).resolves.toEqual(value);
    w.dispose();
  });

  it("someone else's value there first: false at the first send's conflict, without a read back", async () => {
    const { w, at } = failing('set', serverError, 0);
    await w.put('k', { installation_timestamp: '2026-11-01T00:00:00.000Z' });

    const out = await settle(w.store.createIfAbsent('k', value));

    expect(out).toEqual({ value: false });
    expect(at).toHaveLength(1);
    expect(w.sent.map((s) => s.path)).toEqual(['set']);
    w.dispose();
  });

  it('a 400 is sent once: StorageWriteError', async () => {
    const { w, at } = failing('set', badRequest, 1);

    const out = await settle(w.store.createIfAbsent('k', value));

    expect('error' in out && out.error).toBeInstanceOf(w.WriteError);
    expect(at).toHaveLength(1);
    w.dispose();
  });
});
