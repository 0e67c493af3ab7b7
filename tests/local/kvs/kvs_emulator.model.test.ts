/**
 * Random histories checked against a deliberately naive model (a Map, sorted on demand),
 * to catch what hand-picked cases miss: the memory backend's cached key order going stale,
 * SQLite and memory disagreeing, or expiry leaking into queries and paging.
 */
import fc from 'fast-check';
import { ManualClock } from '../../../local/clock';
import { KvsEmulator } from '../../../local/kvs';
import { wire } from './helpers';

type Op =
  | { kind: 'set'; key: string; value: number; ttlSeconds?: number; failIfExists: boolean }
  | { kind: 'delete'; key: string }
  | { kind: 'advance'; ms: number }
  | { kind: 'query'; prefix: string; limit: number };

const keyArb = fc.string({ unit: fc.constantFrom('a', 'b', ':', '1'), minLength: 1, maxLength: 3 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      key: keyArb,
      value: fc.nat(99),
      ttlSeconds: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      failIfExists: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: keyArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 3000 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('query' as const),
      prefix: fc.string({ unit: fc.constantFrom('a', 'b', ':'), maxLength: 2 }),
      limit: fc.integer({ min: 1, max: 4 }),
    }),
  },
);

interface ModelEntry {
  value: number;
  expiresAt?: number;
}

const NS = 'property';

async function pageThrough(emulator: KvsEmulator, prefix: string, limit: number): Promise<Array<[string, unknown]>> {
  const found: Array<[string, unknown]> = [];
  let after: string | undefined;
  do {
    const where = prefix === '' ? undefined : [{ property: 'key', condition: 'BEGINS_WITH', values: [prefix] }];
    const reply = await wire(emulator, NS, '/api/v1/query', { limit, after, where });
    const page = reply.json as { data: Array<{ key: string; value: unknown }>; cursor?: string };
    found.push(...page.data.map((d): [string, unknown] => [d.key, d.value]));
    after = page.cursor;
  } while (after !== undefined);
  return found;
}

describe.each([
  ['memory', undefined],
  ['sqlite', ':memory:'],
])('KVS emulator against a reference model (%s backend)', (_name, file) => {
  it('agrees with the model on every write outcome, query page and final state', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 30 }), async (ops) => {
        // Prepare
        const clock = new ManualClock(1_000_000);
        const emulator = new KvsEmulator({ clock, file });
        const model = new Map<string, ModelEntry>();
        const live = (): Array<[string, ModelEntry]> =>
          [...model]
            .filter(([, e]) => e.expiresAt === undefined || e.expiresAt > clock.now())
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

        try {
          for (const op of ops) {
            // Act + Assess, one step at a time
            if (op.kind === 'advance') {
              clock.advance(op.ms);
            } else if (op.kind === 'delete') {
              expect((await wire(emulator, NS, '/api/v1/delete', { key: op.key })).status).toBe(204);
              model.delete(op.key);
            } else if (op.kind === 'set') {
              const options = {
                keyPolicy: op.failIfExists ? 'FAIL_IF_EXISTS' : 'OVERRIDE',
                ...(op.ttlSeconds === undefined ? {} : { ttl: { value: op.ttlSeconds, unit: 'SECONDS' } }),
              };
              const reply = await wire(emulator, NS, '/api/v1/set', { key: op.key, value: op.value, options });
              const exists = live().some(([k]) => k === op.key);
              expect(reply.status).toBe(op.failIfExists && exists ? 409 : 204);
              if (reply.status === 204) {
                model.set(
                  op.key,
                  op.ttlSeconds === undefined
                    ? { value: op.value }
                    : { value: op.value, expiresAt: clock.now() + op.ttlSeconds * 1000 },
                );
              }
            } else {
              const expected = live()
                .filter(([k]) => k.startsWith(op.prefix))
                .map(([k, e]): [string, unknown] => [k, e.value]);
              expect(await pageThrough(emulator, op.prefix, op.limit)).toEqual(expected);
            }
          }
          expect(emulator.entries(NS).map((e) => [e.key, e.value])).toEqual(live().map(([k, e]) => [k, e.value]));
        } finally {
          emulator.close();
        }
      }),
      { numRuns: 60, seed: 20260115 },
    );
  });
});
