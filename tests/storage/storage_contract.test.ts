import { StorageReadError, StorageWriteError } from '../../src/errors';
import { keys, store } from '../../src/storage';
import { SchedulerWorld } from '../support/scheduler_world';

/**
 * What the storage module promises its callers, checked against the real
 * @forge/kvs SDK and the local KVS emulator. A refused request becomes a typed
 * error that names what was being done, to which keys, and keeps KVS's own
 * error as its cause: that text is what the scheduler's 503 response and the
 * admin page's "Storage is not available right now (…)" show.
 */

const DAY = 24 * 60 * 60_000;

let w: SchedulerWorld;
beforeEach(() => {
  w = new SchedulerWorld();
});
afterEach(() => w.dispose());

/** Run `fn` inside an invocation for this installation, as the app's code always runs. */
async function inApp<T>(fn: () => Promise<T>): Promise<T> {
  const run = await w.app.runtime.run(w.inst, 'storage-contract', 55_000, fn);
  if (run.killed) throw new Error('killed');
  return run.result;
}

async function failure(fn: () => Promise<unknown>): Promise<StorageReadError | StorageWriteError> {
  const outcome = await inApp(async () => {
    try {
      await fn();
      return null;
    } catch (err) {
      return err;
    }
  });
  if (!(outcome instanceof StorageReadError || outcome instanceof StorageWriteError)) {
    throw new Error(`expected a storage error, got ${String(outcome)}`);
  }
  return outcome;
}

const c = () => w.inst.cloudId;
const status = (err: { cause?: unknown }) =>
  (err.cause as { responseDetails?: { status?: number } }).responseDetails?.status;

describe('a refused request', () => {
  it('to read one key fails the read, naming the key, with KVS refusal as the cause', async () => {
    w.failKvs('get', 500);
    const key = keys.schedulerState(c());

    const err = await failure(() => store.read(key));

    expect(err).toBeInstanceOf(StorageReadError);
    expect(err.message).toBe(`KVS read of ${key} failed`);
    expect(err.keys).toEqual([key]);
    expect(status(err)).toBe(500);
  });

  it('to read several keys fails the read of all of them', async () => {
    w.failKvs('batch/get', 429, 'RATE_LIMIT_EXCEEDED');
    const list = [keys.schedulerState(c()), keys.done(c(), 'AUTO_12H')];

    const err = await failure(() => store.readMany(list));

    expect(err).toBeInstanceOf(StorageReadError);
    expect(err.message).toBe('KVS batch read of 2 key(s) failed');
    expect(err.keys).toEqual(list);
    expect(status(err)).toBe(429);
  });

  it('to write a key fails the write, naming the key', async () => {
    w.failKvs('set', 500);
    const key = keys.schedulerState(c());

    const err = await failure(() => store.write(key, { a: 1 }));

    expect(err).toBeInstanceOf(StorageWriteError);
    expect([err.message, err.keys, status(err)]).toEqual([`KVS write of ${key} failed`, [key], 500]);
  });

  it('to create a key fails the create: it is not "somebody else has it"', async () => {
    w.failKvs('set', 500);
    const key = keys.legacyClaim(c(), 'AUTO_12H', 1);

    const err = await failure(() => store.createIfAbsent(key, { attempt: 1 }));

    expect(err).toBeInstanceOf(StorageWriteError);
    expect([err.message, err.keys, status(err)]).toEqual([`KVS create-if-absent of ${key} failed`, [key], 500]);
  });

  it('to delete a key fails the delete, and the key stays', async () => {
    const key = keys.legacyClaim(c(), 'AUTO_12H', 1);
    await w.app.put(w.inst, key, { attempt: 1 });
    w.failKvs('delete', 500);

    const err = await failure(() => store.remove(key));

    expect(err).toBeInstanceOf(StorageWriteError);
    expect([err.message, err.keys, status(err)]).toEqual([`KVS delete of ${key} failed`, [key], 500]);
    expect(w.stored().has(key)).toBe(true);
  });

  it('to commit a transaction fails it whole, naming every key it would have touched', async () => {
    w.failKvs('transaction', 500);
    const [a, b, gone] = [keys.schedulerState(c()), keys.done(c(), 'AUTO_12H'), keys.legacyClaim(c(), 'AUTO_12H', 1)];

    const err = await failure(() =>
      store.commit({
        set: [
          { key: a, value: 1 },
          { key: b, value: 2 },
        ],
        delete: [gone],
      }),
    );

    expect(err).toBeInstanceOf(StorageWriteError);
    expect([err.message, err.keys, status(err)]).toEqual(['KVS transaction over 3 key(s) failed', [a, b, gone], 500]);
    expect(w.stored().size).toBe(0);
  });

  it('to list a prefix fails the listing', async () => {
    w.failKvs('query', 500);
    const prefix = keys.auditPrefix(c());

    const err = await failure(() => store.listByPrefix(prefix));

    expect(err).toBeInstanceOf(StorageReadError);
    expect([err.message, err.keys, status(err)]).toEqual([`KVS query of ${prefix}* failed`, [prefix], 500]);
  });
});

describe('what is stored', () => {
  it('a removed key is gone', async () => {
    const key = keys.legacyClaim(c(), 'AUTO_24H', 2);
    await w.app.put(w.inst, key, { attempt: 2 });

    await inApp(() => store.remove(key));

    expect(w.stored().has(key)).toBe(false);
  });

  it('a value written with a time to live is gone once it has passed, one without stays', async () => {
    const [kept, brief, created, committed] = [1, 2, 3, 4].map((n) => keys.legacyClaim(c(), 'MANUAL', n));

    await inApp(async () => {
      await store.write(kept, 'kept');
      await store.write(brief, 'brief', { value: 2, unit: 'DAYS' });
      await store.createIfAbsent(created, 'created', { value: 2, unit: 'DAYS' });
      await store.commit({ set: [{ key: committed, value: 'committed', ttl: { value: 2, unit: 'DAYS' } }] });
    });
    const before = [...w.stored().keys()].sort();
    w.advance(2 * DAY);

    expect(before).toEqual([kept, brief, created, committed].sort());
    expect([...w.stored().keys()]).toEqual([kept]);
  });

  it('a listing pages through every entry under the prefix, in key order, up to the limit asked for', async () => {
    const prefix = keys.auditPrefix(c());
    const all = Array.from({ length: 230 }, (_, i) => keys.auditEntry(c(), Date.UTC(2026, 10, 2) + i, 'aaaaaa'));
    for (const key of [...all].reverse()) await w.app.put(w.inst, key, { n: key });
    await w.app.put(w.inst, keys.schedulerState(c()), { not: 'listed' });

    const everything = await inApp(() => store.listByPrefix(prefix));
    const first150 = await inApp(() => store.listByPrefix(prefix, 150));

    expect(everything.map((e) => e.key)).toEqual(all);
    expect(everything[0]).toEqual({ key: all[0], value: { n: all[0] } });
    expect(first150.map((e) => e.key)).toEqual(all.slice(0, 150));
  });
});

/**
 * What a 2xx batch answer means for a key is documented only in part. Whatever
 * the module does with an answer it cannot fully believe (fail the read, or ask
 * again key by key), it must never call a stored key absent: a DONE key read as
 * absent would let a second report be generated.
 */
describe('a batch read answered in part', () => {
  const state = () => keys.schedulerState(c());
  const done = () => keys.done(c(), 'AUTO_12H');
  const notFound = (key: string) => ({ key, error: { code: 'KEY_NOT_FOUND', message: 'Key does not exist' } });

  function answerBatchReadsWith(body: unknown): void {
    w.addFault((call) =>
      call.service === 'kvs' && call.path === '/api/v1/batch/get'
        ? new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })
        : undefined,
    );
  }

  /** The read's outcome: the values it returned, or the storage error it failed with. */
  async function readBoth(): Promise<Map<string, unknown> | StorageReadError> {
    return inApp(async () => {
      try {
        return await store.readMany([state(), done()]);
      } catch (err) {
        if (err instanceof StorageReadError) return err;
        throw err;
      }
    });
  }

  beforeEach(async () => {
    await w.app.put(w.inst, done(), { status: 'done' });
  });

  it('is read as KVS said when the answer covers every key', async () => {
    answerBatchReadsWith({
      successfulKeys: [{ key: done(), value: { status: 'done' } }],
      failedKeys: [notFound(state())],
    });

    expect(await readBoth()).toEqual(
      new Map<string, unknown>([
        [state(), undefined],
        [done(), { status: 'done' }],
      ]),
    );
  });

  it.each([
    ['leaves the stored key out', { successfulKeys: [], failedKeys: [notFound('phase5:other')] }],
    ['names the stored key without its value', { successfulKeys: [{ key: 'DONE' }], failedKeys: [] }],
    [
      'fails the stored key with another code',
      { successfulKeys: [], failedKeys: [{ key: 'DONE', error: { code: 'INTERNAL' } }] },
    ],
  ])('never reads the stored key as absent when the answer %s', async (_what, body) => {
    answerBatchReadsWith(JSON.parse(JSON.stringify(body).replaceAll('"DONE"', JSON.stringify(done()))));

    const outcome = await readBoth();

    if (outcome instanceof Map) expect(outcome.get(done())).toEqual({ status: 'done' });
    else expect(outcome.keys).toContain(done());
  });

  it.each([
    ['no lists at all', {}],
    ['a failure list that is not a list', { successfulKeys: [], failedKeys: 'none' }],
  ])('fails the read when the answer has %s', async (_what, body) => {
    answerBatchReadsWith(body);

    const outcome = await readBoth();

    expect(outcome).toBeInstanceOf(StorageReadError);
    expect(outcome).toMatchObject({ message: 'KVS batch read returned no result list', keys: [state(), done()] });
  });
});
