import fc from 'fast-check';
import type { LocalApp } from '../../local/runtime/local_app';
import { FaultWorld, sharedApp } from './support/fault_world';
import { historyArb } from './support/history';
import { violations } from './support/invariants';

/**
 * Exactly-once under duplicates, crashes and storage faults: generated histories
 * of up to five concurrent invocations per tick, interleaved at every KVS and Jira
 * call by a fast-check scheduler, with KVS errors (429, 500, lost and garbled
 * replies), crashes, stalls past the timeout and the lease, Jira outages and
 * errors during generation, clock jumps and corrupt records, then fault-free
 * ticks. After each history the invariants in support/invariants.ts must all hold.
 *
 * Once faults stop, wake-up events are lost, duplicated and late in the proportions
 * each history draws (loss: none, 10 % or all).
 *
 * PROPERTY_RUNS=2000 npx jest tests/properties  runs more of them;
 * PROPERTY_EVENT_LOSS=0.1 fixes the fraction of wake-ups lost instead of drawing it.
 */

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const EVENT_LOSS = process.env.PROPERTY_EVENT_LOSS === undefined ? undefined : Number(process.env.PROPERTY_EVENT_LOSS);
if (EVENT_LOSS !== undefined && !(EVENT_LOSS >= 0 && EVENT_LOSS <= 1)) {
  throw new Error('PROPERTY_EVENT_LOSS must be a fraction within [0, 1]');
}

/**
 * Jira requests are raced against real timers sized from the simulated budget; on a
 * simulated clock they would fire at random real moments. Only those timers are
 * faked (and never advanced): slowness comes from stalls on the simulated clock.
 */
let app: LocalApp;
beforeAll(() => {
  jest.useFakeTimers({ doNotFake: ['Date', 'setImmediate', 'nextTick', 'queueMicrotask', 'performance', 'hrtime'] });
  app = sharedApp();
});
afterAll(() => {
  app.dispose();
  jest.useRealTimers();
});

describe('Phase-5 scheduler under generated fault histories', () => {
  it(
    'stores each report at most once, never loses one, and recovers within its backoff bound',
    async () => {
      let wakeUps = 0;
      await fc.assert(
        fc.asyncProperty(historyArb({ eventLoss: EVENT_LOSS }), fc.scheduler(), async (history, s) => {
          const world = new FaultWorld({ app });
          try {
            await world.play(history, s);
            wakeUps += world.invocations.filter((i) => i.source === 'wake-up').length;
            const broken = violations(world);
            if (broken.length > 0) throw new Error(`Invariants broken:\n  - ${broken.join('\n  - ')}`);
          } finally {
            world.dispose();
            // Killed invocations leave request timers behind that would keep their world alive.
            jest.clearAllTimers();
          }
        }),
        { numRuns: RUNS },
      );
      // The histories did exercise the consumer's path, unless every wake-up was to be lost.
      if (EVENT_LOSS !== 1) expect(wakeUps).toBeGreaterThan(0);
    },
    60_000 + RUNS * 2_000,
  );
});
