import fc from 'fast-check';
import type { LocalApp } from '../../local/runtime/local_app';
import { SCHEDULER } from '../../src/scheduled/config';
import { adminHistoryArb } from './support/admin_history';
import { adminViolations } from './support/admin_invariants';
import { adminCall, ADMIN_ACCOUNT, FaultWorld, keysFor, sharedApp } from './support/fault_world';
import { INTERVAL_MS } from './support/history';

/**
 * Exactly once with administrators in the loop: generated histories in which
 * Reset, Retry, Manual report and Record installation run concurrently with
 * scheduler invocations and their duplicates, every call interleaved by a
 * fast-check scheduler, KVS faults including lost commit replies, crashes and
 * stalls, and every invocation on a host whose clock is off by up to the assumed
 * bound (SCHEDULER.maxClockSkewMs, off true time) either way. After each history the invariants
 * in support/admin_invariants.ts must hold, and a last fault-free probe must find
 * nothing wedged: the page loads, and a Reset of the 24 h report is accepted and
 * followed by its regeneration.
 *
 * PROPERTY_RUNS=2000 npx jest tests/properties/admin_concurrency  runs more of them.
 */

const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
const PAGE = 'phase5-admin-page';

let app: LocalApp;
beforeAll(() => {
  jest.useFakeTimers({ doNotFake: ['Date', 'setImmediate', 'nextTick', 'queueMicrotask', 'performance', 'hrtime'] });
  app = sharedApp();
});
afterAll(() => {
  app.dispose();
  jest.useRealTimers();
});

/** Fault-free, after everything: the page answers, and Reset then regeneration of AUTO_24H still work. */
async function wedgeProbe(world: FaultWorld): Promise<string[]> {
  const v: string[] = [];
  const { inst } = world.tenants[0];
  const k = keysFor(inst.cloudId);
  world.app.clock.advance(SCHEDULER.resetFenceLeaseMs + SCHEDULER.maxClockDisagreementMs + 1_000);
  const page = await world.app.invoker.resolver<{ ok: boolean }>(inst, PAGE, 'getAdminPage', {}, ADMIN_ACCOUNT);
  if (page.killed || !page.result.ok) v.push(`probe: the admin page does not load: ${JSON.stringify(page)}`);
  const marker = world.stored().get(k.done('AUTO_24H')) as { epoch?: number } | undefined;
  if (!marker) return v;
  const { functionKey, payload } = adminCall('reset-24h', world.app.clock.now());
  const reset = await world.app.invoker.resolver<{ ok: boolean }>(inst, PAGE, functionKey, payload, ADMIN_ACCOUNT);
  if (reset.killed || !reset.result.ok) {
    v.push(`probe: a Reset of AUTO_24H is not accepted: ${JSON.stringify(reset.killed ? 'killed' : reset.result)}`);
    return v;
  }
  for (let i = 0; i < 3 && !world.stored().has(k.done('AUTO_24H')); i++) {
    world.app.clock.advance(INTERVAL_MS);
    await world.app.invoker.scheduledTrigger(inst);
  }
  const again = world.stored().get(k.done('AUTO_24H')) as { epoch?: number } | undefined;
  if (again?.epoch !== (marker.epoch ?? 0) + 1) {
    v.push(`probe: after the Reset, AUTO_24H was not generated again in its next epoch (${JSON.stringify(again)})`);
  }
  return v;
}

describe('admin actions concurrent with the scheduler, under faults and clock skew', () => {
  it(
    'one report per trigger per epoch, DONE keys with their reports, Resets that stand, a history that loses nothing, nothing wedged',
    async () => {
      await fc.assert(
        fc.asyncProperty(adminHistoryArb(), fc.scheduler(), async (history, s) => {
          const world = new FaultWorld({ app });
          try {
            await world.play(history, s);
            const broken = [...adminViolations(world), ...(await wedgeProbe(world))];
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
