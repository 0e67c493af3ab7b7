import fc from 'fast-check';
import type { LocalApp } from '../../local/runtime/local_app';
import { FaultWorld, sharedApp } from './support/fault_world';
import { adminSafetyViolations } from './support/admin_invariants';
import { livenessHistoryArb, livenessViolations } from './support/liveness';

/**
 * Liveness next to "at most one commit" (issue 25 item 5), on generated histories through the
 * manifest's handlers, interleaved at every KVS and Jira call by a fast-check scheduler, with
 * every wake-up delivered at its instant (during the faults too) and hosts' clocks within
 * 5 s: (a) a healthy last hour stores AUTO_12H; (b) storage-only trouble delays a report by at
 * most 30 minutes after it ends. At most one commit, and no Reset undone, hold as well
 * (support/admin_invariants.ts; the backoff-exactness checks of support/invariants.ts assume
 * clocks that agree to the millisecond).
 *
 * PROPERTY_RUNS=1000 npx jest tests/properties/liveness.property.test.ts
 */

const RUNS = Number(process.env.PROPERTY_RUNS ?? 100);

let app: LocalApp;
beforeAll(() => {
  jest.useFakeTimers({ doNotFake: ['Date', 'setImmediate', 'nextTick', 'queueMicrotask', 'performance', 'hrtime'] });
  app = sharedApp();
});
afterAll(() => {
  app.dispose();
  jest.useRealTimers();
});

describe.each(['storage', 'generation'] as const)('liveness under %s trouble', (flavour) => {
  it(
    flavour === 'storage'
      ? 'stores each report within 30 minutes of storage trouble ending (b)'
      : 'stores the 12 h report when its last hour is healthy (a)',
    async () => {
      await fc.assert(
        fc.asyncProperty(livenessHistoryArb(flavour), fc.scheduler(), async (history, s) => {
          const world = new FaultWorld({ app, wakeUpsDuringFaults: true });
          try {
            await world.play(history, s);
            const broken = [...livenessViolations(world, flavour), ...adminSafetyViolations(world)];
            if (broken.length > 0) throw new Error(`Invariants broken:\n  - ${broken.join('\n  - ')}`);
          } finally {
            world.dispose();
            jest.clearAllTimers();
          }
        }),
        { numRuns: RUNS },
      );
    },
    60_000 + RUNS * 2_000,
  );
});
