import { FaultWorld, inOrder, Interleaver } from './support/fault_world';
import { History, history, HOUR } from './support/history';
import { violations } from './support/invariants';

/**
 * Counterexamples the property suite found, kept as plain tests. Each is the
 * shrunk history (and, where the interleaving mattered, the scheduler's order),
 * replayed against the real handler, storage SDK and KVS emulator.
 */

async function replay(h: History, interleaving: Interleaver = inOrder()): Promise<string[]> {
  const world = new FaultWorld();
  try {
    await world.play(h, interleaving);
    return violations(world);
  } finally {
    world.dispose();
  }
}

describe('Regressions found by the exactly-once property suite', () => {
  it('a 2xx batch read that leaves keys out is a failed read, not "absent": no second report', async () => {
    // Prepare: AUTO_12H is stored at 12 h; an hour later KVS answers the batch read with
    // well-formed JSON that lists only the evidence, omitting the state and DONE keys.
    const h = history({
      startAgeMs: 12 * HOUR,
      tickOffsetMs: 0,
      steps: [
        { kind: 'tick', jiraDown: false, invocations: [{ name: 'A', actions: [] }] },
        { kind: 'jump', ms: HOUR },
        {
          kind: 'tick',
          jiraDown: false,
          invocations: [{ name: 'A', actions: [{ site: 'read', nth: 0, action: { kind: 'fault', fault: 'partial-2xx' } }] }],
        },
      ],
      recoveryDuplicates: 1,
    });

    // Act
    const broken = await replay(h);

    // Assess
    expect(broken).toEqual([]);
  });
});
