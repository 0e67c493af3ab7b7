import fc from 'fast-check';
import type { LocalApp } from '../../local/runtime/local_app';
import { FaultWorld, sharedApp, WorldOptions } from './support/fault_world';
import { historyArb, MINUTE } from './support/history';
import { violations } from './support/invariants';

/**
 * Tenant isolation under the same generated fault histories, with the ticks'
 * invocations dealt alternately to two sites. Every key in every KVS request must
 * name the invoking site and no other (checked at the seam), and each site must
 * keep all of its own exactly-once and liveness invariants. Two layouts: each site
 * in its own KVS namespace (as Forge gives each installation), and both sites in
 * ONE namespace, where only the key scheme keeps them apart.
 */

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

let app: LocalApp;
beforeAll(() => {
  jest.useFakeTimers({ doNotFake: ['Date', 'setImmediate', 'nextTick', 'queueMicrotask', 'performance', 'hrtime'] });
  app = sharedApp();
});
afterAll(() => {
  app.dispose();
  jest.useRealTimers();
});

const layouts: Array<[string, WorldOptions]> = [
  ['two sites, two KVS namespaces', { tenants: [{}, { installedAfterMs: 37 * MINUTE }] }],
  [
    'two sites sharing one KVS namespace',
    {
      tenants: [
        { installationId: 'one-namespace' },
        { installationId: 'one-namespace', installedAfterMs: 37 * MINUTE },
      ],
    },
  ],
];

describe.each(layouts)('%s', (_name, layout) => {
  it(
    "no invocation reads or writes the other site's keys, and each site gets its own reports exactly once",
    async () => {
      await fc.assert(
        fc.asyncProperty(historyArb({ maxSteps: 8 }), fc.scheduler(), async (history, s) => {
          const world = new FaultWorld({ ...layout, app });
          try {
            await world.play(history, s);
            const broken = violations(world);
            if (broken.length > 0) throw new Error(`Invariants broken:\n  - ${broken.join('\n  - ')}`);
          } finally {
            world.dispose();
            // Killed invocations leave request timers behind that would keep their world alive.
            jest.clearAllTimers();
          }
        }),
        { numRuns: Math.max(1, Math.round(RUNS / 3)) },
      );
    },
    60_000 + RUNS * 2_000,
  );
});
