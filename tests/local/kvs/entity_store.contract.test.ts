/**
 * The local Custom Entity Store: app code written against @forge/kvs 1.6.5's
 * entity and transaction API behaves locally as Forge documents it. Driven through
 * the real SDK over the emulator (raw requests only where the SDK hides a wire
 * detail), over both storage backends, with entities declared as a manifest would.
 */
import { Filter, FilterConditions, kvs, MetadataField, Sort, WhereConditions } from '@forge/kvs';
import { ManualClock } from '../../../local/clock';
import { installKvsOnly, KvsEmulator } from '../../../local/kvs';
import { parseEntityDefinitions } from '../../../local/kvs/entity_schema';
import type { KvsVariants } from '../../../local/platform_variants';
import { kvsFailure, wire } from './helpers';

const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);
const NS = 'installation-a';

interface Task {
  site?: string;
  kind?: string;
  n?: number;
  holder?: string;
  weight?: number;
  done?: boolean;
  notes?: unknown;
}

const ENTITIES = parseEntityDefinitions([
  {
    name: 'task',
    attributes: {
      site: { type: 'string' },
      kind: { type: 'string' },
      n: { type: 'integer' },
      holder: { type: 'string' },
      weight: { type: 'float' },
      done: { type: 'boolean' },
      notes: { type: 'any' },
    },
    indexes: ['kind', { name: 'by-site', partition: ['site'], range: ['n'] }],
  },
  { name: 'other:thing', attributes: { n: { type: 'integer' } } },
]);

const task = () => kvs.entity<Task>('task');
type Clause = Parameters<Filter<Task>['and']>[1];
const when = (attr: keyof Task, condition: Clause) => new Filter<Task>().and(attr, condition);
/** A task value, typed as one, so a transaction's conditions on it type-check. */
const t = (value: Task): Task => value;

const BACKENDS: Array<[string, string | undefined]> = [
  ['memory', undefined],
  ['sqlite', ':memory:'],
];

describe.each(BACKENDS)('Custom Entity Store over the %s backend', (_name, file) => {
  let clock: ManualClock;
  let emulator: KvsEmulator;
  let uninstall: () => void;

  const start = (variants: Partial<KvsVariants> = {}) => {
    uninstall?.();
    emulator?.close();
    clock = new ManualClock(T0);
    emulator = new KvsEmulator({ clock, file, entities: ENTITIES, variants });
    uninstall = installKvsOnly(emulator, NS);
  };
  beforeEach(() => start());
  afterEach(() => {
    uninstall();
    emulator.close();
  });

  describe('get / set / delete', () => {
    it('stores an entity apart from plain keys of the same name, with metadata, and deletes it', async () => {
      // Prepare
      await kvs.set('t1', 'a plain value');

      // Act
      await task().set('t1', { site: 's1', n: 1, done: false, notes: { any: ['thing'] } });
      const read = await task().get('t1', { metadataFields: [MetadataField.CREATED_AT] });
      const plain = await kvs.get('t1');
      await task().delete('t1');

      // Assess
      expect(read).toEqual({
        key: 't1',
        value: { site: 's1', n: 1, done: false, notes: { any: ['thing'] } },
        createdAt: T0,
      });
      expect(plain).toBe('a plain value');
      expect(await task().get('t1')).toBeUndefined();
      expect(emulator.entityEntries(NS, 'task')).toEqual([]);
    });

    it.each([
      ['an integer beyond 32 bits', { n: 2 ** 31 }],
      ['a fraction for an integer', { n: 1.5 }],
      ['an empty string', { site: '' }],
      ['a blank string', { holder: '   ' }],
      ['a string for a boolean', { done: 'yes' }],
      ['a float below its smallest magnitude', { weight: 1e-131 }],
      ['an attribute the manifest does not declare', { colour: 'red' }],
      ['null', { notes: null }],
    ])('refuses %s with INVALID_ENTITY_VALUE and stores nothing', async (_what, value) => {
      const refused = await kvsFailure(task().set('t1', value as Task));

      expect(refused.responseDetails.status).toBe(400);
      expect(refused.code).toBe('INVALID_ENTITY_VALUE');
      expect(emulator.entityEntries(NS, 'task')).toEqual([]);
    });

    it('refuses an entity the manifest does not declare, and malformed entity names', async () => {
      const undeclared = await kvsFailure(kvs.entity('employee').set('k', {}));
      const short = await kvsFailure(kvs.entity('ab').get('k'));
      const upper = await kvsFailure(kvs.entity('Task').get('k'));

      expect([undeclared.code, short.code, upper.code]).toEqual([
        'ENTITY_NOT_DECLARED',
        'ENTITY_TYPE_TOO_SHORT',
        'INVALID_ENTITY_TYPE',
      ]);
    });

    it('lets exactly one of 20 concurrent FAIL_IF_EXISTS creators win, the others answered 409', async () => {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => task().set('claim', { holder: `h${i}` }, { keyPolicy: 'FAIL_IF_EXISTS' })),
      );

      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const statuses = outcomes
        .filter((o): o is PromiseRejectedResult => o.status === 'rejected')
        .map((o) => (o.reason as { responseDetails: { status: number } }).responseDetails.status);
      expect(won).toHaveLength(1);
      expect(new Set(statuses)).toEqual(new Set([409]));
      expect(emulator.entityEntries(NS, 'task')).toHaveLength(1);
    });

    it('expires an entity at its TTL', async () => {
      await task().set('t', { n: 1 }, { ttl: { value: 1, unit: 'MINUTES' } });

      clock.advance(60_001);

      expect(await task().get('t')).toBeUndefined();
    });
  });

  describe('queries over the manifest indexes', () => {
    beforeEach(async () => {
      for (const [key, value] of [
        ['a', { site: 's1', n: 3, kind: 'x' }],
        ['b', { site: 's1', n: 1, kind: 'y' }],
        ['c', { site: 's2', n: 2, kind: 'x' }],
        ['d', { site: 's1', n: 2 }],
        ['e', { site: 's1' }],
      ] as const) {
        await task().set(key, value);
      }
    });

    it('a partitioned index holds the entities with its attributes, in range order, either way', async () => {
      const asc = await task()
        .query()
        .index('by-site', { partition: ['s1'] })
        .getMany();
      const desc = await task()
        .query()
        .index('by-site', { partition: ['s1'] })
        .sort(Sort.DESC)
        .getMany();
      const ranged = await task()
        .query()
        .index('by-site', { partition: ['s1'] })
        .where(WhereConditions.greaterThanEqualTo(2))
        .getMany();

      expect(asc.results.map((r) => r.key)).toEqual(['b', 'd', 'a']);
      expect(desc.results.map((r) => r.key)).toEqual(['a', 'd', 'b']);
      expect(ranged.results.map((r) => r.key)).toEqual(['d', 'a']);
    });

    it('the built-in by-key index and a simple index', async () => {
      const byKey = await task().query().index('by-key').where(WhereConditions.beginsWith('c')).getMany();
      const byKind = await task().query().index('kind').where(WhereConditions.equalTo('x')).getMany();

      expect(byKey.results.map((r) => r.key)).toEqual(['c']);
      expect(byKind.results.map((r) => r.key)).toEqual(['a', 'c']);
    });

    it('pages with limit and cursor, filters each page in memory, and refuses a limit over 100', async () => {
      const first = await task().query().index('by-key').limit(2).getMany();
      const second = await task().query().index('by-key').limit(2).cursor(first.nextCursor!).getMany();
      const filtered = await task()
        .query()
        .index('by-key')
        .limit(2)
        .filters(new Filter<Task>().and('kind', FilterConditions.equalTo('y')))
        .getMany();
      const tooMany = await kvsFailure(task().query().index('by-key').limit(101).getMany());

      expect(first.results.map((r) => r.key)).toEqual(['a', 'b']);
      expect(second.results.map((r) => r.key)).toEqual(['c', 'd']);
      expect(filtered.results.map((r) => r.key)).toEqual(['b']);
      expect(filtered.nextCursor).toBeDefined();
      expect(tooMany.code).toBe('COMPLEX_QUERY_PAGE_LIMIT_NOT_IN_RANGE');
    });

    it('refuses an unknown index, a missing partition value, and a filter on an attribute of type any', async () => {
      const unknown = await kvsFailure(task().query().index('by-age').getMany());
      const partition = await kvsFailure(task().query().index('by-site').getMany());
      const anyType = await kvsFailure(
        task().query().index('by-key').filters(new Filter<Task>().and('notes', FilterConditions.exists())).getMany(),
      );

      expect(unknown.code).toBe('INVALID_ENTITY_INDEX');
      expect(partition.responseDetails.status).toBe(400);
      expect(anyType.responseDetails.status).toBe(422);
    });
  });

  describe('batches', () => {
    it('gets, sets and deletes entities and plain keys in one batch, naming the entity in each answer', async () => {
      await task().set('t', { n: 1 });

      const set = await kvs.batchSet<unknown>([
        { key: 't2', value: { n: 2 }, entityName: 'task' },
        { key: 't', value: 'plain' },
      ]);
      const got = await kvs.batchGet([
        { key: 't', entityName: 'task' },
        { key: 't' },
        { key: 'missing', entityName: 'task' },
      ]);
      const bad = await kvs.batchSet([{ key: 'x', value: { n: 'one' }, entityName: 'task' }]);
      await kvs.batchDelete([{ key: 't', entityName: 'task' }]);

      expect(set.successfulKeys).toEqual([{ key: 't2', entityName: 'task' }, { key: 't' }]);
      expect(got.successfulKeys).toEqual([
        { key: 't', value: { n: 1 }, entityName: 'task' },
        { key: 't', value: 'plain' },
      ]);
      expect(got.failedKeys).toEqual([
        { key: 'missing', entityName: 'task', error: { code: 'KEY_NOT_FOUND', message: 'Key does not exist' } },
      ]);
      expect(bad.failedKeys[0]).toMatchObject({ key: 'x', entityName: 'task', error: { code: 'VALIDATION_ERROR' } });
      expect(await task().get('t')).toBeUndefined();
      expect(await kvs.get('t')).toBe('plain');
    });

    it('refuses a batch naming the same key of the same entity twice, but not a key in two key spaces', async () => {
      const twice = await kvsFailure(
        kvs.batchGet([
          { key: 'k', entityName: 'task' },
          { key: 'k', entityName: 'task' },
        ]),
      );
      const apart = await kvs.batchGet([{ key: 'k', entityName: 'task' }, { key: 'k' }]);

      expect(twice.code).toBe('DUPLICATE_KEYS');
      expect(apart.failedKeys).toHaveLength(2);
    });
  });

  describe('conditional transactions', () => {
    it('applies a set conditional on the entity it replaces, with plain keys, deletes and a check, all together', async () => {
      // Prepare
      await task().set('claim', { n: 1, holder: 'me' });
      await task().set('other', { n: 7 });
      await kvs.set('gone', 'x');

      // Act
      await kvs
        .transact()
        .set('claim', t({ n: 2, holder: 'me' }), {
          entityName: 'task',
          conditions: when('n', FilterConditions.equalTo(1)),
        })
        .set('report', { ok: true }, undefined, { ttl: { value: 1, unit: 'DAYS' } })
        .delete('gone')
        .check('other', { entityName: 'task', conditions: when('n', FilterConditions.equalTo(7)) })
        .execute();

      // Assess
      expect(await task().get('claim')).toEqual({ n: 2, holder: 'me' });
      expect(await kvs.get('report', { metadataFields: [MetadataField.EXPIRE_TIME] })).toMatchObject({
        value: { ok: true },
        expireTime: new Date(T0 + 86_400_000).toISOString(),
      });
      expect(await kvs.get('gone')).toBeUndefined();
    });

    it('applies nothing when one condition does not hold, a check included', async () => {
      await task().set('claim', { n: 1, holder: 'me' });
      await task().set('other', { n: 7 });

      const refusedSet = await kvsFailure(
        kvs
          .transact()
          .set('claim', t({ n: 2 }), {
            entityName: 'task',
            conditions: when('holder', FilterConditions.equalTo('you')),
          })
          .set('report', 'r')
          .execute(),
      );
      const refusedCheck = await kvsFailure(
        kvs
          .transact()
          .set('claim', t({ n: 2 }), { entityName: 'task', conditions: when('n', FilterConditions.equalTo(1)) })
          .check('other', { entityName: 'task', conditions: when('n', FilterConditions.notEqualTo(7)) })
          .execute(),
      );

      expect([refusedSet.responseDetails.status, refusedCheck.responseDetails.status]).toEqual([409, 409]);
      expect(await task().get('claim')).toEqual({ n: 1, holder: 'me' });
      expect(await kvs.get('report')).toBeUndefined();
    });

    it('a conditional delete, and "or" conditions', async () => {
      await task().set('claim', { n: 1, holder: 'me' });

      await kvs
        .transact()
        .delete('claim', {
          entityName: 'task',
          conditions: new Filter<Task>()
            .or('n', FilterConditions.equalTo(5))
            .or('holder', FilterConditions.equalTo('me')),
        })
        .execute();

      expect(await task().get('claim')).toBeUndefined();
    });

    it('sends conditions in the wire format @forge/kvs 1.6.5 builds', async () => {
      const sent: unknown[] = [];
      uninstall();
      const g = globalThis as { __forge_fetch__?: unknown };
      g.__forge_fetch__ = async (_d: unknown, path: string, init: { body: string }) => {
        sent.push(JSON.parse(init.body));
        return emulator.handle(NS, path, init);
      };
      uninstall = () => delete g.__forge_fetch__;

      await kvs
        .transact()
        .set('claim', t({ n: 1 }), { entityName: 'task', conditions: when('n', FilterConditions.notExists()) })
        .check('other', { entityName: 'task', conditions: when('holder', FilterConditions.beginsWith('m')) })
        .execute()
        .catch(() => undefined);

      expect(sent[0]).toEqual({
        set: [
          {
            key: 'claim',
            value: { n: 1 },
            entityName: 'task',
            conditions: { and: [{ property: 'n', condition: 'NOT_EXISTS', values: [true] }] },
          },
        ],
        check: [
          {
            key: 'other',
            entityName: 'task',
            conditions: { and: [{ property: 'holder', condition: 'BEGINS_WITH', values: ['m'] }] },
          },
        ],
      });
    });

    it('counts checks among the 25 operations and refuses a key used twice, a check and a set of it included', async () => {
      const ops = (n: number) => {
        let tx = kvs.transact();
        for (let i = 0; i < n - 1; i++) tx = tx.set(`k${i}`, i);
        return tx.check('c', { entityName: 'task', conditions: when('n', FilterConditions.notExists()) });
      };
      await task().set('c', { holder: 'h' });

      await ops(25).execute();
      const tooMany = await kvsFailure(ops(26).execute());
      const twice = await kvsFailure(
        kvs
          .transact()
          .set('c', t({ n: 1 }), { entityName: 'task' })
          .check('c', { entityName: 'task', conditions: when('holder', FilterConditions.equalTo('h')) })
          .execute(),
      );

      expect(tooMany.code).toBe('TRANSACTION_SIZE_EXCEEDED');
      expect(twice.code).toBe('DUPLICATE_KEYS');
      expect(await task().get('c')).toEqual({ holder: 'h' });
    });

    it('refuses conditions on a plain key, a check without an entity, and entity values of the wrong type', async () => {
      const plain = await wire(emulator, NS, '/api/v1/transaction', {
        set: [{ key: 'k', value: 1, conditions: { and: [{ property: 'n', condition: 'EXISTS', values: [true] }] } }],
      });
      const check = await wire(emulator, NS, '/api/v1/transaction', {
        check: [{ key: 'k', conditions: { and: [{ property: 'n', condition: 'EXISTS', values: [true] }] } }],
      });
      const typed = await kvsFailure(
        kvs
          .transact()
          .set('k', { n: 'x' } as unknown as Task, { entityName: 'task' })
          .execute(),
      );

      expect([plain.status, check.status, typed.code]).toEqual([400, 400, 'INVALID_ENTITY_VALUE']);
    });

    it('refuses malformed conditions with the documented codes', async () => {
      const call = (conditions: unknown) =>
        wire(emulator, NS, '/api/v1/transaction', { check: [{ key: 'k', entityName: 'task', conditions }] });

      const both = await call({ and: [{ property: 'n', condition: 'EXISTS', values: [true] }], or: [] });
      const empty = await call({ and: [] });
      const between = await call({ and: [{ property: 'n', condition: 'BETWEEN', values: [1] }] });
      const unknown = await call({ and: [{ property: 'colour', condition: 'EXISTS', values: [true] }] });

      expect([both, empty, between, unknown].map((r) => (r.json as { code: string }).code)).toEqual([
        'INVALID_FILTER_OPERATORS_COMBINATION',
        'EMPTY_FILTER_OPERATOR',
        'INSUFFICIENT_FILTER_VALUES',
        'INVALID_FILTER_CONDITION',
      ]);
    });
  });
});

describe('the two answers the docs leave open', () => {
  let emulator: KvsEmulator;
  let uninstall: () => void;
  const start = (variants: Partial<KvsVariants>) => {
    emulator = new KvsEmulator({ clock: new ManualClock(T0), entities: ENTITIES, variants });
    uninstall = installKvsOnly(emulator, NS);
  };
  afterEach(() => {
    uninstall();
    emulator.close();
  });

  it.each([
    ['conflict409', 409, 'CONDITIONAL_CHECK_FAILED'],
    ['badRequest400', 400, 'TRANSACTION_CONDITION_FAILED'],
    ['preconditionFailed412', 412, 'PRECONDITION_FAILED'],
  ] as const)('a transaction refused by a condition, under %s, is answered %i %s', async (answer, status, code) => {
    start({ conditionRefusal: answer });
    await task().set('c', { n: 1 });

    const refused = await kvsFailure(
      kvs
        .transact()
        .set('c', t({ n: 2 }), { entityName: 'task', conditions: when('n', FilterConditions.equalTo(9)) })
        .execute(),
    );

    expect([refused.responseDetails.status, refused.code]).toEqual([status, code]);
    expect(await task().get('c')).toEqual({ n: 1 });
  });

  it.each([
    ['fails', false],
    ['noAttributes', true],
  ] as const)(
    'on a key with no entity, under %s: equalTo fails either way, notExists holds: %s',
    async (answer, notExistsHolds) => {
      start({ conditionOnAbsentEntity: answer });
      const attempt = (condition: Clause) =>
        kvs
          .transact()
          .set('absent', t({ n: 1 }), { entityName: 'task', conditions: when('n', condition) })
          .execute()
          .then(
            () => true,
            () => false,
          );

      const equal = await attempt(FilterConditions.equalTo(1));
      const absent = await attempt(FilterConditions.notExists());

      expect(equal).toBe(false);
      expect(absent).toBe(notExistsHolds);
      expect(await task().get('absent')).toEqual(notExistsHolds ? { n: 1 } : undefined);
    },
  );
});
