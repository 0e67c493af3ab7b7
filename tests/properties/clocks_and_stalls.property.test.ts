import fc from 'fast-check';
import type { LocalApp } from '../../local/runtime/local_app';
import { adminHistoryArb, WILD_HOSTS } from './support/admin_history';
import { adminSafetyViolations } from './support/admin_invariants';
import { FaultWorld, sharedApp } from './support/fault_world';

/**
 * Safety that assumes nothing about clocks or timeouts (issue 24, item 8): the
 * histories of admin_concurrency.property.test.ts (scheduler invocations and their
 * duplicates, Reset, Retry, Manual report and Record installation, interleaved at
 * every KVS and Jira call, with KVS faults, lost replies, crashes and stalls), on
 * hosts whose clocks are off true time by up to an hour either way, one invocation
 * in three on a host that enforces no timeout and stalls by any amount (past its
 * lease by a second, an hour or a day). Whatever the clocks and leases say, no
 * report is committed twice in an epoch, no Reset is undone, no DONE key goes
 * without its report and the report history loses nothing (support/admin_invariants.ts,
 * adminSafetyViolations). When a report comes is not judged here: that is for the
 * clocks the design assumes (admin_concurrency, exactly_once).
 *
 * PROPERTY_RUNS=1000 npx jest tests/properties/clocks_and_stalls  runs more of them.
 */

const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);

let app: LocalApp;
beforeAll(() => {
  jest.useFakeTimers({ doNotFake: ['Date', 'setImmediate', 'nextTick', 'queueMicrotask', 'performance', 'hrtime'] });
  app = sharedApp();
});
afterAll(() => {
  app.dispose();
  jest.useRealTimers();
});

describe('hosts whose clocks are off by up to an hour, holders that outlive their lease by any amount', () => {
  it(
    'no report committed twice in an epoch, no Reset undone, no DONE key without its report, no history entry lost',
    async () => {
      await fc.assert(
        fc.asyncProperty(adminHistoryArb({ hosts: WILD_HOSTS }), fc.scheduler(), async (history, s) => {
          const world = new FaultWorld({ app });
          try {
            await world.play(history, s);
            const broken = adminSafetyViolations(world);
            if (broken.length > 0) throw new Error(`Invariants broken:\n  - ${broken.join('\n  - ')}`);
          } finally {
            world.dispose();
            // Killed invocations leave request timers behind that would keep their world alive.
            jest.clearAllTimers();
          }
        }),
        { numRuns: RUNS },
      );
    },
    60_000 + RUNS * 2_000,
  );
});
