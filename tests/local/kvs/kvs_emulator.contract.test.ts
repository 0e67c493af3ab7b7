/**
 * The emulator's promise is that app code written against @forge/kvs behaves locally as
 * it would on Forge. So these tests drive the real SDK over the emulator, and fall back
 * to raw requests only for wire details the SDK does not surface.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Filter, FilterConditions, MetadataField, WhereConditions, kvs } from '@forge/kvs';
import { ManualClock } from '../../../local/clock';
import { KvsEmulator, KvsFaults, LIMITS, installKvsOnly } from '../../../local/kvs';
import { kvsFailure, nested, wire } from './helpers';

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
const NS = 'installation-a';
const OTHER_NS = 'installation-b';
const SECOND = 1000;

let tmp: string;
let fileCounter = 0;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'kvs-emulator-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const freshFile = (): string => join(tmp, `store-${++fileCounter}.db`);

// The SQLite contract runs on ':memory:' databases to stay fast; persistence to a real
// file has its own test below.
const BACKENDS: Array<[string, () => string | undefined]> = [
  ['memory', () => undefined],
  ['sqlite', () => ':memory:'],
];

describe.each(BACKENDS)('Forge KVS contract over the %s backend', (_backend, fileFor) => {
  let clock: ManualClock;
  let emulator: KvsEmulator;
  let uninstall: () => void;

  const switchTo = (namespace: string): void => {
    uninstall();
    uninstall = installKvsOnly(emulator, namespace);
  };
  const withFaults = (faults: KvsFaults | undefined): void => emulator.setFaults(faults);

  beforeEach(() => {
    clock = new ManualClock(T0);
    emulator = new KvsEmulator({ clock, file: fileFor() });
    uninstall = installKvsOnly(emulator, NS);
  });
  afterEach(() => {
    uninstall();
    emulator.close();
  });

  describe('get / set / delete', () => {
    it('stores a value and reads it back, then deletes it', async () => {
      // Prepare
      await kvs.set('install:at', { at: T0, by: 'lifecycle' });

      // Act
      const stored = await kvs.get('install:at');
      await kvs.delete('install:at');
      const afterDelete = await kvs.get('install:at');

      // Assess
      expect(stored).toEqual({ at: T0, by: 'lifecycle' });
      expect(afterDelete).toBeUndefined();
    });

    it.each([
      ['string', 'report-12h'],
      ['number', 42.5],
      ['boolean', false],
      ['array', [1, 'two', { three: 3 }]],
      ['object with a nested null', { a: null, b: [null] }],
    ])('round-trips a %s value', async (_kind, value) => {
      await kvs.set('value', value);

      expect(await kvs.get('value')).toEqual(value);
    });

    it('turns KEY_NOT_FOUND into undefined for get and success for delete', async () => {
      // Act
      const missing = await kvs.get('never-written');
      const deleted = kvs.delete('never-written');
      const raw = await wire(emulator, NS, '/api/v1/get', { key: 'never-written' });

      // Assess
      expect(missing).toBeUndefined();
      await expect(deleted).resolves.toBeUndefined();
      expect(raw.status).toBe(404);
      expect(raw.json).toEqual({ code: 'KEY_NOT_FOUND', message: 'Provided key does not exist' });
    });

    it('lets exactly one of 20 concurrent FAIL_IF_EXISTS writers win', async () => {
      // Prepare: random latency makes the writers arrive in a scrambled order
      withFaults({ latencyMs: { min: 0, max: 4 }, seed: 11 });

      // Act
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, writer) => kvs.set('lock:report', { writer }, { keyPolicy: 'FAIL_IF_EXISTS' })),
      );

      // Assess
      const winners = outcomes.flatMap((o, writer) => (o.status === 'fulfilled' ? [writer] : []));
      const losers = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(19);
      for (const loser of losers) expect(loser.responseDetails.status).toBe(409);
      expect(await kvs.get('lock:report')).toEqual({ writer: winners[0] });
    });

    it('returns the previous value, or undefined when there was none', async () => {
      // Act
      const first = await kvs.set('counter', 1, { keyPolicy: 'OVERRIDE', returnValue: 'PREVIOUS' });
      clock.advance(5 * SECOND);
      const second = await kvs.set('counter', 2, {
        keyPolicy: 'OVERRIDE',
        returnValue: 'PREVIOUS',
        returnMetadataFields: [MetadataField.CREATED_AT, MetadataField.UPDATED_AT],
      });

      // Assess
      expect(first).toBeUndefined();
      expect(second).toEqual({ key: 'counter', value: 1, createdAt: T0, updatedAt: T0 });
    });

    it('returns the latest value with only the requested metadata', async () => {
      // Prepare
      await kvs.set('counter', 1);
      clock.advance(7 * SECOND);

      // Act
      const latest = await kvs.set('counter', 2, {
        keyPolicy: 'OVERRIDE',
        returnValue: 'LATEST',
        returnMetadataFields: [MetadataField.UPDATED_AT],
      });

      // Assess
      expect(latest).toEqual({ key: 'counter', value: 2, updatedAt: T0 + 7 * SECOND });
    });

    it('keeps createdAt across overwrites and moves updatedAt, both in epoch milliseconds', async () => {
      // Prepare
      await kvs.set('state', 'first');
      clock.advance(60 * SECOND);
      await kvs.set('state', 'second');

      // Act
      const read = await kvs.get('state', {
        metadataFields: [MetadataField.CREATED_AT, MetadataField.UPDATED_AT, MetadataField.EXPIRE_TIME],
      });

      // Assess
      expect(read).toEqual({
        key: 'state',
        value: 'second',
        createdAt: T0,
        updatedAt: T0 + 60 * SECOND,
        expireTime: undefined,
      });
    });
  });

  describe('TTL', () => {
    it('hides an expired entry from get, query and batchGet, and reports EXPIRE_TIME as ISO-8601', async () => {
      // Prepare
      await kvs.set('lease', 'held', { ttl: { value: 90, unit: 'SECONDS' } });
      const withExpiry = await kvs.get('lease', { metadataFields: [MetadataField.EXPIRE_TIME] });
      clock.advance(90 * SECOND - 1);
      const justBefore = await kvs.get('lease');

      // Act
      clock.advance(1);
      const afterExpiry = await kvs.get('lease');
      const queried = await kvs.query().where('key', WhereConditions.beginsWith('lease')).getMany();
      const batch = await kvs.batchGet([{ key: 'lease' }]);

      // Assess
      expect(withExpiry).toEqual({ key: 'lease', value: 'held', expireTime: new Date(T0 + 90 * SECOND).toISOString() });
      expect(justBefore).toBe('held');
      expect(afterExpiry).toBeUndefined();
      expect(queried.results).toEqual([]);
      expect(batch.failedKeys.map((f) => f.error.code)).toEqual(['KEY_NOT_FOUND']);
      expect(emulator.entries(NS)).toEqual([]);
    });

    it('lets FAIL_IF_EXISTS take over an expired key as a brand-new entry', async () => {
      // Prepare
      await kvs.set('lock', 'old-owner', { ttl: { value: 1, unit: 'MINUTES' }, keyPolicy: 'FAIL_IF_EXISTS' });
      clock.advance(61 * SECOND);

      // Act
      await kvs.set('lock', 'new-owner', { keyPolicy: 'FAIL_IF_EXISTS' });

      // Assess
      const read = await kvs.get('lock', { metadataFields: [MetadataField.CREATED_AT] });
      expect(read).toEqual({ key: 'lock', value: 'new-owner', createdAt: T0 + 61 * SECOND });
    });

    it('still blocks FAIL_IF_EXISTS while the TTL has not run out', async () => {
      await kvs.set('lock', 'owner', { ttl: { value: 1, unit: 'HOURS' } });
      clock.advance(59 * 60 * SECOND);

      const refused = await kvsFailure(kvs.set('lock', 'intruder', { keyPolicy: 'FAIL_IF_EXISTS' }));

      expect(refused.responseDetails.status).toBe(409);
    });

    it('makes a key permanent again when it is overwritten without a TTL', async () => {
      await kvs.set('k', 'temporary', { ttl: { value: 1, unit: 'DAYS' } });
      await kvs.set('k', 'permanent');
      clock.advance(2 * 24 * 60 * 60 * SECOND);

      expect(await kvs.get('k')).toBe('permanent');
    });

    it('accepts a TTL of one year and refuses anything longer or malformed', async () => {
      // Act
      const oneYear = kvs.set('a', 1, { ttl: { value: 365, unit: 'DAYS' } });
      const tooLong = kvsFailure(kvs.set('b', 1, { ttl: { value: 366, unit: 'DAYS' } }));
      const badUnit = kvsFailure(kvs.set('c', 1, { ttl: { value: 1, unit: 'WEEKS' as 'DAYS' } }));
      const zero = kvsFailure(kvs.set('d', 1, { ttl: { value: 0, unit: 'SECONDS' } }));

      // Assess
      await expect(oneYear).resolves.toBeUndefined();
      for (const refused of await Promise.all([tooLong, badUnit, zero])) {
        expect(refused.responseDetails.status).toBe(400);
        expect(refused.code).toBe('INVALID_TTL');
      }
      expect(emulator.entries(NS).map((e) => e.key)).toEqual(['a']);
    });
  });

  describe('query', () => {
    const seed = async (keys: string[]): Promise<void> => {
      for (const key of keys) await kvs.set(key, key.toUpperCase());
    };

    it('returns keys with the prefix in lexicographic order', async () => {
      // Prepare
      await seed(['item:10', 'item:02', 'other:1', 'item:01', 'item', 'itemz']);

      // Act
      const page = await kvs.query().where('key', WhereConditions.beginsWith('item:')).getMany();

      // Assess
      expect(page.results).toEqual([
        { key: 'item:01', value: 'ITEM:01' },
        { key: 'item:02', value: 'ITEM:02' },
        { key: 'item:10', value: 'ITEM:10' },
      ]);
      expect(page.nextCursor).toBeUndefined();
    });

    it('pages with limit and cursor without gaps or repeats', async () => {
      // Prepare
      const keys = Array.from({ length: 7 }, (_, i) => `run:${String(i).padStart(2, '0')}`);
      await seed([...keys].reverse());

      // Act
      const seen: string[] = [];
      const cursors: Array<string | undefined> = [];
      let cursor: string | undefined;
      do {
        const query = kvs.query().where('key', WhereConditions.beginsWith('run:')).limit(3);
        const page = await (cursor === undefined ? query : query.cursor(cursor)).getMany();
        seen.push(...page.results.map((r) => r.key));
        cursor = page.nextCursor;
        cursors.push(cursor);
      } while (cursor !== undefined);

      // Assess
      expect(seen).toEqual(keys);
      expect(cursors).toHaveLength(3);
    });

    it('defaults to 10 results, accepts 100 and refuses 101', async () => {
      // Prepare
      await seed(Array.from({ length: 12 }, (_, i) => `k${String(i).padStart(2, '0')}`));

      // Act
      const defaulted = await kvs.query().getMany();
      const hundred = await kvs.query().limit(100).getMany();
      const refused = await kvsFailure(kvs.query().limit(101).getMany());

      // Assess
      expect(defaulted.results).toHaveLength(10);
      expect(defaulted.nextCursor).toEqual(expect.any(String));
      expect(hundred.results).toHaveLength(12);
      expect(refused.responseDetails.status).toBe(400);
      expect(refused.code).toBe('LIST_QUERY_LIMIT_EXCEEDED');
    });

    it('returns requested metadata and supports getOne', async () => {
      // Prepare
      await kvs.set('job:b', 'B', { ttl: { value: 10, unit: 'MINUTES' } });
      await kvs.set('job:a', 'A');

      // Act
      const page = await kvs
        .query({ metadataFields: [MetadataField.UPDATED_AT, MetadataField.EXPIRE_TIME] })
        .where('key', WhereConditions.beginsWith('job:'))
        .getMany();
      const first = await kvs.query().where('key', WhereConditions.beginsWith('job:')).getOne();

      // Assess
      expect(page.results).toEqual([
        { key: 'job:a', value: 'A', updatedAt: T0 },
        { key: 'job:b', value: 'B', updatedAt: T0, expireTime: new Date(T0 + 10 * 60 * SECOND).toISOString() },
      ]);
      expect(first).toEqual({ key: 'job:a', value: 'A' });
    });
  });

  describe('batches', () => {
    it('sets, gets and deletes many keys, reporting missing ones as KEY_NOT_FOUND', async () => {
      // Act
      const setResult = await kvs.batchSet<unknown>([
        { key: 'b:1', value: 'one' },
        { key: 'b:2', value: { two: 2 }, options: { ttl: { value: 30, unit: 'SECONDS' } } },
      ]);
      const got = await kvs.batchGet([
        { key: 'b:1' },
        { key: 'b:2', options: { metadataFields: [MetadataField.EXPIRE_TIME] } },
        { key: 'b:missing' },
      ]);
      const deleted = await kvs.batchDelete([{ key: 'b:1' }, { key: 'b:2' }]);

      // Assess
      expect(setResult).toEqual({ successfulKeys: [{ key: 'b:1' }, { key: 'b:2' }], failedKeys: [] });
      expect(got.successfulKeys).toEqual([
        { key: 'b:1', value: 'one' },
        { key: 'b:2', value: { two: 2 }, expireTime: new Date(T0 + 30 * SECOND).toISOString() },
      ]);
      expect(got.failedKeys).toEqual([
        { key: 'b:missing', error: { code: 'KEY_NOT_FOUND', message: expect.any(String) } },
      ]);
      expect(deleted.successfulKeys).toEqual([{ key: 'b:1' }, { key: 'b:2' }]);
      expect(emulator.entries(NS)).toEqual([]);
    });

    it('applies the valid items of a batch and reports the invalid ones', async () => {
      const result = await kvs.batchSet([
        { key: 'good', value: 1 },
        { key: 'bad/key', value: 2 },
        { key: 'null-value', value: null },
      ]);

      expect(result.successfulKeys).toEqual([{ key: 'good' }]);
      expect(result.failedKeys.map((f) => f.key)).toEqual(['bad/key', 'null-value']);
      expect(emulator.entries(NS).map((e) => e.key)).toEqual(['good']);
    });

    it('accepts 25 items and refuses 26, empty and repeated-key batches as a whole', async () => {
      // Prepare
      const items = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `i${i}`, value: i }));

      // Act
      const full = await kvs.batchSet(items(25));
      const refusals = await Promise.all([
        kvsFailure(kvs.batchSet(items(26))),
        kvsFailure(kvs.batchGet(Array.from({ length: 26 }, (_, i) => ({ key: `i${i}` })))),
        kvsFailure(kvs.batchDelete([])),
        kvsFailure(
          kvs.batchSet([
            { key: 'dup', value: 1 },
            { key: 'other', value: 2 },
            { key: 'dup', value: 3 },
          ]),
        ),
      ]);

      // Assess
      expect(full.successfulKeys).toHaveLength(LIMITS.batchMaxItems);
      for (const refused of refusals) expect(refused.responseDetails.status).toBe(400);
      expect(emulator.entries(NS).map((e) => e.key)).not.toContain('dup');
      expect(emulator.entries(NS).map((e) => e.key)).not.toContain('other');
    });
  });

  describe('transactions', () => {
    it('applies sets (with TTL in the 4th argument) and deletes together', async () => {
      // Prepare
      await kvs.set('old', 'gone soon');

      // Act
      await kvs
        .transact()
        .set('report:12h', { done: true })
        .set('lease', 'x', undefined, { ttl: { value: 5, unit: 'MINUTES' } })
        .delete('old')
        .execute();

      // Assess
      expect(emulator.entries(NS)).toEqual([
        {
          key: 'lease',
          value: 'x',
          createdAt: T0,
          updatedAt: T0,
          expireTime: new Date(T0 + 5 * 60 * SECOND).toISOString(),
        },
        { key: 'report:12h', value: { done: true }, createdAt: T0, updatedAt: T0 },
      ]);
    });

    it('applies nothing when one operation is invalid', async () => {
      // Prepare
      await kvs.set('keep', 'original');

      // Act
      const refused = await kvsFailure(kvs.transact().set('a', 1).delete('keep').set('bad/key', 2).execute());

      // Assess
      expect(refused.responseDetails.status).toBe(400);
      expect(refused.code).toBe('INVALID_KEY');
      expect(emulator.entries(NS).map((e) => [e.key, e.value])).toEqual([['keep', 'original']]);
    });

    it('accepts 25 operations, refuses 26 and refuses a key used twice', async () => {
      // Prepare
      const withOps = (n: number) => {
        const tx = kvs.transact();
        for (let i = 0; i < n; i++) tx.set(`t${i}`, i);
        return tx;
      };

      // Act
      await withOps(25).execute();
      const tooMany = await kvsFailure(withOps(26).execute());
      const duplicate = await kvsFailure(kvs.transact().set('x', 1).delete('x').execute());

      // Assess
      expect(emulator.entries(NS)).toHaveLength(LIMITS.transactionMaxOperations);
      expect(tooMany.responseDetails.status).toBe(400);
      expect(duplicate.responseDetails.status).toBe(400);
      expect(emulator.entries(NS).map((e) => e.key)).not.toContain('x');
    });

    it('refuses entity conditions on an entity the emulator was given no declaration of', async () => {
      const check = kvs
        .transact()
        .set('a', 1)
        .check('b', {
          entityName: 'task',
          conditions: new Filter<{ n: number }>().and('n', FilterConditions.equalTo(1)),
        })
        .execute();

      const refused = await kvsFailure(check);

      expect(refused.responseDetails.status).toBe(400);
      expect(refused.code).toBe('ENTITY_NOT_DECLARED');
      expect(emulator.entries(NS)).toEqual([]);
    });
  });

  describe('limits', () => {
    it.each([
      ['a slash', 'reports/12h', 'INVALID_KEY'],
      ['an at sign', 'user@site', 'INVALID_KEY'],
      ['a plus', 'a+b', 'INVALID_KEY'],
      ['braces', '{k}', 'INVALID_KEY'],
      ['non-ASCII', 'clé', 'INVALID_KEY'],
      ['only whitespace', '   ', 'INVALID_KEY'],
      ['nothing', '', 'KEY_TOO_SHORT'],
      ['501 characters', 'k'.repeat(501), 'KEY_TOO_LONG'],
    ])('refuses a key with %s on write and read paths', async (_what, key, code) => {
      const refusals = await Promise.all([
        kvsFailure(kvs.set(key, 1)),
        kvsFailure(kvs.get(key)),
        kvsFailure(kvs.delete(key)),
      ]);

      for (const refused of refusals) {
        expect(refused.responseDetails.status).toBe(400);
        expect(refused.code).toBe(code);
      }
    });

    it.each([
      ['every allowed symbol', 'a:b.c_d-e#F 9'],
      ['inner whitespace', 'site report\t12h'],
      ['500 characters', 'k'.repeat(500)],
    ])('accepts a key with %s', async (_what, key) => {
      await kvs.set(key, 'v');

      expect(await kvs.get(key)).toBe('v');
    });

    it('accepts a value of exactly 240 KiB of JSON and refuses one byte more', async () => {
      // Prepare: a JSON string's serialisation adds two quote characters
      const atLimit = 'a'.repeat(LIMITS.valueMaxBytes - 2);

      // Act
      await kvs.set('big', atLimit);
      const refused = await kvsFailure(kvs.set('bigger', atLimit + 'a'));

      // Assess
      expect(await kvs.get('big')).toBe(atLimit);
      expect(refused.responseDetails.status).toBe(400);
      expect(refused.code).toBe('MAX_SIZE');
    });

    it('measures the size in UTF-8 bytes, not characters', async () => {
      const twoByteChars = 'é'.repeat((LIMITS.valueMaxBytes - 2) / 2);

      await kvs.set('fits', twoByteChars);
      const refused = await kvsFailure(kvs.set('overflows', twoByteChars + 'é'));

      expect(refused.code).toBe('MAX_SIZE');
    });

    it('refuses null and missing values', async () => {
      const refusals = await Promise.all([kvsFailure(kvs.set('n', null)), kvsFailure(kvs.set('u', undefined))]);

      for (const refused of refusals) {
        expect(refused.responseDetails.status).toBe(400);
        expect(refused.code).toBe('INVALID_VALUE');
      }
      expect(emulator.entries(NS)).toEqual([]);
    });

    it('accepts 31 levels of nesting and refuses 32', async () => {
      await kvs.set('deep', nested(31));
      const refused = await kvsFailure(kvs.set('deeper', nested(32)));

      expect(await kvs.get('deep')).toEqual(nested(31));
      expect(refused.responseDetails.status).toBe(400);
      expect(refused.code).toBe('MAX_DEPTH');
    });

    it('refuses a batchSet payload over 4 MiB even when every value is within limits', async () => {
      const value = 'v'.repeat(200 * 1024);

      const refused = await kvsFailure(kvs.batchSet(Array.from({ length: 25 }, (_, i) => ({ key: `p${i}`, value }))));

      expect(refused.responseDetails.status).toBe(400);
      expect(emulator.entries(NS)).toEqual([]);
    });
  });

  describe('installations', () => {
    it('isolates data between namespaces', async () => {
      // Prepare
      await kvs.set('install:at', 'A');
      switchTo(OTHER_NS);

      // Act
      const fromB = await kvs.get('install:at');
      const queriedFromB = await kvs.query().getMany();
      await kvs.set('install:at', 'B');

      // Assess
      expect(fromB).toBeUndefined();
      expect(queriedFromB.results).toEqual([]);
      expect(emulator.namespaces()).toEqual([NS, OTHER_NS]);
      expect(emulator.entries(NS).map((e) => e.value)).toEqual(['A']);
      expect(emulator.entries(OTHER_NS).map((e) => e.value)).toEqual(['B']);
    });
  });

  describe('injected faults', () => {
    it('answers 500 without applying the write', async () => {
      // Prepare
      withFaults({ errorRate: 1, seed: 1 });

      // Act
      const refused = await kvsFailure(kvs.set('k', 'v'));
      withFaults(undefined);

      // Assess
      expect(refused.responseDetails.status).toBe(500);
      expect(refused.code).toBe('INTERNAL_SERVER_ERROR');
      expect(await kvs.get('k')).toBeUndefined();
    });

    it('answers 429 RATE_LIMIT_EXCEEDED, and TOO_MANY_REQUESTS for transactions', async () => {
      withFaults({ rateLimitRate: 1 });

      const single = await kvsFailure(kvs.set('k', 'v'));
      const tx = await kvsFailure(kvs.transact().set('t', 1).execute());
      withFaults(undefined);

      expect(single.responseDetails.status).toBe(429);
      expect(single.code).toBe('RATE_LIMIT_EXCEEDED');
      expect(tx.responseDetails.status).toBe(429);
      expect(tx.code).toBe('TOO_MANY_REQUESTS');
      expect(emulator.entries(NS)).toEqual([]);
    });

    it('fails the same requests for the same seed, and only those are missing', async () => {
      // Prepare
      const attempt = async (): Promise<boolean[]> => {
        const outcomes: boolean[] = [];
        for (let i = 0; i < 40; i++) {
          outcomes.push(
            await kvs.set(`w${i}`, i).then(
              () => true,
              () => false,
            ),
          );
        }
        return outcomes;
      };
      withFaults({ errorRate: 0.3, rateLimitRate: 0.2, seed: 2024 });

      // Act
      const firstRun = await attempt();
      withFaults({ errorRate: 0.3, rateLimitRate: 0.2, seed: 2024 });
      const secondRun = await attempt();

      // Assess
      expect(secondRun).toEqual(firstRun);
      expect(firstRun).toContain(true);
      expect(firstRun).toContain(false);
      const stored = new Set(emulator.entries(NS).map((e) => e.key));
      firstRun.forEach((succeeded, i) => expect(stored.has(`w${i}`)).toBe(succeeded));
    });

    it('limits faults to the listed operations', async () => {
      withFaults({ errorRate: 1, operations: ['set'] });

      const write = await kvsFailure(kvs.set('k', 'v'));
      const read = await kvs.get('k');

      expect(write.responseDetails.status).toBe(500);
      expect(read).toBeUndefined();
    });
  });
});

describe('latency', () => {
  afterEach(() => jest.useRealTimers());

  it('answers without any timer when there is no latency', async () => {
    // Prepare: with fake timers, anything waiting on a timer would never settle
    jest.useFakeTimers();
    const emulator = new KvsEmulator({ faults: { errorRate: 0 } });

    // Act
    const response = await emulator.handle(NS, '/api/v1/set', { method: 'POST', body: '{"key":"k","value":1}' });

    // Assess
    expect(response.status).toBe(204);
    emulator.close();
  });

  it('holds the response for the configured delay before applying it', async () => {
    // Prepare
    jest.useFakeTimers();
    const emulator = new KvsEmulator({ faults: { latencyMs: 50 } });
    let settled = false;

    // Act
    const pending = emulator
      .handle(NS, '/api/v1/set', { method: 'POST', body: '{"key":"k","value":1}' })
      .then((r) => ((settled = true), r));
    await jest.advanceTimersByTimeAsync(49);
    const earlyEntries = emulator.entries(NS);
    await jest.advanceTimersByTimeAsync(1);

    // Assess
    expect(earlyEntries).toEqual([]);
    expect(settled).toBe(true);
    expect((await pending).status).toBe(204);
    expect(emulator.entries(NS).map((e) => e.key)).toEqual(['k']);
    emulator.close();
  });
});

describe('SQLite persistence', () => {
  it('keeps entries, metadata and TTLs across close and reopen', async () => {
    // Prepare
    const file = freshFile();
    const clock = new ManualClock(T0);
    const first = new KvsEmulator({ clock, file });
    let uninstall = installKvsOnly(first, NS);
    await kvs.set('install:at', T0);
    await kvs.set('lease', 'held', { ttl: { value: 1, unit: 'HOURS' } });
    uninstall();
    first.close();

    // Act
    clock.advance(30 * 60 * SECOND);
    const reopened = new KvsEmulator({ clock, file });
    uninstall = installKvsOnly(reopened, NS);
    const installAt = await kvs.get('install:at', { metadataFields: [MetadataField.CREATED_AT] });
    const leaseBefore = await kvs.get('lease');
    clock.advance(30 * 60 * SECOND);
    const leaseAfter = await kvs.get('lease');

    // Assess
    expect(installAt).toEqual({ key: 'install:at', value: T0, createdAt: T0 });
    expect(leaseBefore).toBe('held');
    expect(leaseAfter).toBeUndefined();
    expect(reopened.namespaces()).toEqual([NS]);
    uninstall();
    reopened.close();
  });
});

describe('wire details the SDK does not show', () => {
  let emulator: KvsEmulator;
  beforeEach(() => {
    emulator = new KvsEmulator({ clock: new ManualClock(T0) });
  });
  afterEach(() => emulator.close());

  it('answers a plain set with 204 and an empty body', async () => {
    const reply = await wire(emulator, NS, '/api/v1/set', { key: 'k', value: 1 });

    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
  });

  it('answers PREVIOUS for a fresh key with 204 and an empty body', async () => {
    const reply = await wire(emulator, NS, '/api/v1/set', {
      key: 'k',
      value: 1,
      options: { keyPolicy: 'OVERRIDE', returnValue: 'PREVIOUS' },
    });

    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
  });

  it('answers a FAIL_IF_EXISTS conflict with 409 and a code/message body', async () => {
    await wire(emulator, NS, '/api/v1/set', { key: 'k', value: 1 });

    const reply = await wire(emulator, NS, '/api/v1/set', {
      key: 'k',
      value: 2,
      options: { keyPolicy: 'FAIL_IF_EXISTS' },
    });

    expect(reply.status).toBe(409);
    expect(reply.json).toEqual({ code: 'KEY_CONFLICT', message: expect.any(String) });
  });

  it.each([
    ['/api/v1/secret/get', 501, 'NOT_EMULATED'],
    // An entity request without its entityName (tests/local/kvs/entity_store.contract.test.ts covers the rest).
    ['/api/v1/entity/set', 400, 'BAD_REQUEST'],
    ['/api/v1/nope', 404, 'NOT_FOUND'],
    ['/elsewhere', 404, 'NOT_FOUND'],
  ])('answers %s with %i %s', async (path, status, code) => {
    const reply = await wire(emulator, NS, path, { key: 'k' });

    expect(reply.status).toBe(status);
    expect(reply.json).toMatchObject({ code });
  });

  it.each([
    ['a body that is not JSON', '/api/v1/get', 'not json', 'BAD_REQUEST'],
    [
      'a where on another property',
      '/api/v1/query',
      { where: [{ property: 'value', condition: 'BEGINS_WITH', values: ['a'] }] },
      'QUERY_WHERE_FIELD_INVALID',
    ],
    [
      'a where with another condition',
      '/api/v1/query',
      { where: [{ property: 'key', condition: 'EQUAL_TO', values: ['a'] }] },
      'QUERY_WHERE_INVALID',
    ],
    ['a forged cursor', '/api/v1/query', { after: '!!' }, 'INVALID_CURSOR'],
    ['an empty transaction', '/api/v1/transaction', {}, 'EMPTY_TRANSACTION'],
    ['a batch that is not an array', '/api/v1/batch/get', { key: 'k' }, 'BAD_REQUEST'],
  ])('refuses %s with 400', async (_what, path, body, code) => {
    const reply = await wire(emulator, NS, path, body);

    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ code });
  });

  it('refuses methods other than POST', async () => {
    const response = await emulator.handle(NS, '/api/v1/get', { method: 'GET' });

    expect(response.status).toBe(405);
    await response.text();
  });

  it('carries a trace id that the SDK reports on errors', async () => {
    const uninstall = installKvsOnly(emulator, NS);
    const refused = await kvsFailure(kvs.get('bad/key'));
    uninstall();

    expect(refused.responseDetails.traceId).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('installKvsOnly', () => {
  type ForgeGlobal = typeof globalThis & { __forge_fetch__?: (d: unknown, p: string, i?: object) => Promise<Response> };
  const g = globalThis as ForgeGlobal;

  it('refuses descriptors of other Forge services', async () => {
    const emulator = new KvsEmulator();
    const uninstall = installKvsOnly(emulator, NS);

    const call = g.__forge_fetch__!({ type: 'fpp', provider: 'app', remote: 'jira' }, '/rest/api/3/myself');

    await expect(call).rejects.toThrow(/only KVS/);
    uninstall();
    emulator.close();
  });

  it('routes the Mode B descriptor used when the runtime advertises a KVS url', async () => {
    const emulator = new KvsEmulator();
    const uninstall = installKvsOnly(emulator, NS);

    const response = await g.__forge_fetch__!({ type: 'kvs' }, '/api/v1/set', {
      method: 'POST',
      body: '{"key":"k","value":1}',
    });

    expect(response.status).toBe(204);
    expect(emulator.entries(NS).map((e) => e.key)).toEqual(['k']);
    uninstall();
    emulator.close();
  });

  it('restores the previous transport when uninstalled', async () => {
    // Prepare
    const previous = async (): Promise<Response> => new Response(null, { status: 204 });
    g.__forge_fetch__ = previous;
    const emulator = new KvsEmulator();

    // Act
    const uninstall = installKvsOnly(emulator, NS);
    const during = g.__forge_fetch__;
    uninstall();

    // Assess
    expect(during).not.toBe(previous);
    expect(g.__forge_fetch__).toBe(previous);
    delete g.__forge_fetch__;
    emulator.close();
  });
});
