import { FaultWorld, inOrder, Interleaver } from './support/fault_world';
import { History, history, HOUR, MINUTE } from './support/history';
import { violations } from './support/invariants';

/**
 * Counterexamples the property suite found, kept as plain tests. Each is the
 * shrunk history (and, where the interleaving mattered, the scheduler's order),
 * replayed against the real handler, storage SDK and KVS emulator.
 */

/**
 * Jira requests are raced against real timers sized from the simulated budget; on a
 * simulated clock they would fire at random real moments. Only those timers are
 * faked (and never advanced): slowness comes from stalls on the simulated clock.
 */
beforeAll(() =>
  jest.useFakeTimers({ doNotFake: ['Date', 'setImmediate', 'nextTick', 'queueMicrotask', 'performance', 'hrtime'] }),
);
afterAll(() => jest.useRealTimers());

async function replay(h: History, interleaving: Interleaver = inOrder()): Promise<string[]> {
  const world = new FaultWorld();
  try {
    await world.play(h, interleaving);
    return violations(world);
  } finally {
    world.dispose();
    jest.clearAllTimers();
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
          invocations: [
            { name: 'A', actions: [{ site: 'read', nth: 0, action: { kind: 'fault', fault: 'partial-2xx' } }] },
          ],
        },
      ],
      recoveryDuplicates: 1,
    });

    // Act
    const broken = await replay(h);

    // Assess
    expect(broken).toEqual([]);
  });

  it('a stored backoff that does not follow from a recorded failure is not believed: both reports still come', async () => {
    // Prepare: before anything was due, the state acquires backoffs fifty years out with no
    // failure behind them; the first due tick finds Jira down.
    const h = history({
      startAgeMs: 11 * HOUR + 30 * MINUTE,
      tickOffsetMs: 0,
      steps: [
        { kind: 'corrupt-state', corruption: 'far-future-backoff' },
        { kind: 'tick', jiraDown: true, invocations: [{ name: 'A', actions: [] }] },
      ],
      recoveryDuplicates: 1,
    });

    // Act
    const broken = await replay(h);

    // Assess
    expect(broken).toEqual([]);
  });

  it('a state that says "generated" without a DONE key does not hold the reports back', async () => {
    // Prepare: inside the 12 h window the state claims both reports were generated, but
    // no DONE key (and so no report) exists.
    const h = history({
      startAgeMs: 12 * HOUR,
      tickOffsetMs: 0,
      steps: [{ kind: 'corrupt-state', corruption: 'generated-without-done' }],
      recoveryDuplicates: 1,
    });

    // Act
    const broken = await replay(h);

    // Assess
    expect(broken).toEqual([]);
  });

  it('a claim whose lease names a date decades away is not believed: the trigger is retried after its backoff', async () => {
    // Prepare: the first attempt dies before saving its failure (Jira down), and its claim
    // then reads as leased for fifty years.
    const h = history({
      startAgeMs: 11 * HOUR + 55 * MINUTE,
      tickOffsetMs: 0,
      steps: [
        { kind: 'tick', jiraDown: false, invocations: [{ name: 'A', actions: [] }] },
        {
          kind: 'tick',
          jiraDown: true,
          invocations: [{ name: 'A', actions: [{ site: 'state-save', nth: 0, action: { kind: 'crash' } }] }],
        },
        { kind: 'corrupt-claim', corruption: 'far-future-lease' },
        { kind: 'tick', jiraDown: false, invocations: [{ name: 'A', actions: [] }] },
      ],
      recoveryDuplicates: 1,
    });

    // Act
    const broken = await replay(h);

    // Assess
    expect(broken).toEqual([]);
  });

  it('an attempt whose claim became unreadable counts as failed from when it is found, and is retried after its backoff', async () => {
    // Prepare: attempt #1 dies at its commit; its claim is then garbled, and the next
    // invocation dies before its first claim leaves.
    const h = history({
      startAgeMs: 11 * HOUR + 55 * MINUTE,
      tickOffsetMs: 0,
      steps: [
        { kind: 'jump', ms: MINUTE },
        {
          kind: 'tick',
          jiraDown: false,
          invocations: [{ name: 'A', actions: [{ site: 'commit', nth: 0, action: { kind: 'crash' } }] }],
        },
        { kind: 'jump', ms: 15 * MINUTE },
        { kind: 'corrupt-claim', corruption: 'not-an-object' },
        {
          kind: 'tick',
          jiraDown: false,
          invocations: [{ name: 'A', actions: [{ site: 'claim', nth: 0, action: { kind: 'crash' } }] }],
        },
      ],
      recoveryDuplicates: 1,
    });

    // Act
    const broken = await replay(h);

    // Assess
    expect(broken).toEqual([]);
  });

  it('with the state lost, an older garbled claim is met first and walked past, since a later claim exists', async () => {
    // Prepare: AUTO_24H attempt #1 fails (Jira down) and its claim is garbled; #2 fails;
    // then the state is lost and the next tick, Jira still down, walks the claims again.
    const h = history({
      startAgeMs: 23 * HOUR + 55 * MINUTE + 1_000,
      tickOffsetMs: 0,
      steps: [
        { kind: 'tick', jiraDown: true, invocations: [{ name: 'A', actions: [] }] },
        { kind: 'corrupt-claim', corruption: 'not-an-object' },
        { kind: 'failing-attempts', attempts: 2, duplicates: 1 },
        { kind: 'corrupt-state', corruption: 'not-an-object' },
        { kind: 'tick', jiraDown: true, invocations: [{ name: 'A', actions: [] }] },
      ],
      recoveryDuplicates: 1,
    });

    // Act
    const broken = await replay(h);

    // Assess
    expect(broken).toEqual([]);
  });

  it('with the state lost after five failed attempts, the walk over their claims costs one tick more, within its bound', async () => {
    // Prepare: AUTO_24H fails five times (Jira down), each retry as its backoff ends; then
    // the state is lost, so the next run must walk claims #1-#5 before claiming #6.
    const h = history({
      startAgeMs: 11 * HOUR + 55 * MINUTE,
      tickOffsetMs: 0,
      steps: [
        { kind: 'jump', ms: 12 * HOUR + 5 * MINUTE },
        { kind: 'failing-attempts', attempts: 3, duplicates: 1 },
        { kind: 'failing-attempts', attempts: 4, duplicates: 1 },
        { kind: 'jump', ms: 16 * MINUTE },
        { kind: 'corrupt-state', corruption: 'not-an-object' },
      ],
      recoveryDuplicates: 1,
    });

    // Act
    const broken = await replay(h);

    // Assess
    expect(broken).toEqual([]);
  });

  it('five abandoned claims found only after their backoff ended: walked in one run, claimed in the next', async () => {
    // Prepare: four failed attempts, a fifth whose holder dies at its commit, just over
    // 24 h 20 min pass (faults stop just after a tick), then the state is lost.
    const h = history({
      startAgeMs: 24 * HOUR,
      tickOffsetMs: 0,
      steps: [
        { kind: 'failing-attempts', attempts: 4, duplicates: 1 },
        {
          kind: 'tick',
          jiraDown: false,
          invocations: [{ name: 'A', actions: [{ site: 'commit', nth: 0, action: { kind: 'crash' } }] }],
        },
        { kind: 'jump', ms: 24 * HOUR + 20 * MINUTE + 1_000 },
        { kind: 'corrupt-state', corruption: 'not-an-object' },
      ],
      recoveryDuplicates: 1,
    });

    // Act
    const broken = await replay(h);

    // Assess
    expect(broken).toEqual([]);
  });
});

describe('Regressions found by the soak run', () => {
  /** One tick at 24 h whose only invocation meets `fault` on its first commit. */
  async function commitMeets(fault: 'server-500' | 'throttled-429' | 'lost-reply-500') {
    const world = new FaultWorld();
    const h = history({
      startAgeMs: 24 * HOUR,
      tickOffsetMs: 0,
      steps: [
        {
          kind: 'tick',
          jiraDown: false,
          invocations: [{ name: 'A', actions: [{ site: 'commit', nth: 0, action: { kind: 'fault', fault } }] }],
        },
      ],
      recoveryDuplicates: 1,
    });
    await world.play(h, inOrder());
    const first = world.invocations.find((i) => i.label === 's1.A')!;
    return { world, first, body: JSON.parse((first.response as { body: string }).body) as Record<string, unknown> };
  }

  // A refusal answered 500 may hide a commit that landed, so the ledger reads the DONE key before
  // sending again; a 429 is known to have changed nothing, so the storage module resends it at once.
  it.each([
    ['server-500', ['commit', 'done-read', 'commit']],
    ['throttled-429', ['commit', 'commit']],
  ] as const)(
    'a commit KVS refuses (%s) is sent again in the same invocation, not charged as a failed attempt',
    async (fault, sends) => {
      // Prepare + Act
      const { world, first, body } = await commitMeets(fault);
      try {
        // Assess: stored at attempt #1 by the invocation that met the refusal; nothing broken.
        expect(body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_24H', attempt: 1 });
        const commitCalls = first.calls.filter((c) => c.site === 'commit' || c.site === 'done-read');
        expect(commitCalls.map((c) => c.site)).toEqual(sends);
        expect(violations(world)).toEqual([]);
      } finally {
        world.dispose();
      }
    },
  );

  it('a commit that landed but was answered 500 is found by reading the DONE key, and is not sent twice', async () => {
    // Prepare + Act
    const { world, first, body } = await commitMeets('lost-reply-500');
    try {
      // Assess
      expect(body).toMatchObject({ reason: 'GENERATED', attempt: 1 });
      expect(first.calls.filter((c) => c.site === 'commit')).toHaveLength(1);
      expect(violations(world)).toEqual([]);
    } finally {
      world.dispose();
    }
  });

  it('a commit whose reply was lost, checked by a DONE read answered with an empty 2xx, is not sent again', async () => {
    // Prepare: the commit lands but is answered 500; the read-back of the DONE key is
    // answered 200 with a body that names no entry.
    const h = history({
      startAgeMs: 11 * HOUR + 55 * MINUTE,
      tickOffsetMs: 0,
      steps: [
        { kind: 'jump', ms: MINUTE },
        {
          kind: 'tick',
          jiraDown: false,
          invocations: [
            {
              name: 'A',
              actions: [
                { site: 'commit', nth: 0, action: { kind: 'fault', fault: 'lost-reply-500' } },
                { site: 'done-read', nth: 0, action: { kind: 'fault', fault: 'partial-2xx' } },
              ],
            },
          ],
        },
      ],
      recoveryDuplicates: 1,
    });

    // Act
    const broken = await replay(h);

    // Assess
    expect(broken).toEqual([]);
  });

  it('with the state lost, two garbled claims are walked past in one run, not one backoff after the other', async () => {
    // Prepare: AUTO_12H attempt #1 fails (Jira down) and its claim is garbled; #2 fails
    // too; then the state is lost and #2's claim is garbled as well.
    const h = history({
      startAgeMs: 11 * HOUR + 55 * MINUTE,
      tickOffsetMs: 0,
      steps: [
        { kind: 'failing-attempts', attempts: 2, duplicates: 1 },
        { kind: 'corrupt-claim', corruption: 'not-an-object' },
        { kind: 'tick', jiraDown: true, invocations: [{ name: 'A', actions: [] }] },
        { kind: 'corrupt-state', corruption: 'not-an-object' },
        { kind: 'corrupt-claim', corruption: 'not-an-object' },
        { kind: 'jump', ms: 16 * MINUTE },
      ],
      recoveryDuplicates: 1,
    });

    // Act
    const broken = await replay(h);

    // Assess
    expect(broken).toEqual([]);
  });

  it('a claim garbled to an unbelievable lease is walked past too when a later claim exists', async () => {
    // Prepare: attempt #1 fails and its lease is rewritten to fifty years away; #2 fails and
    // its claim is garbled; then the state is lost.
    const h = history({
      startAgeMs: 11 * HOUR + 55 * MINUTE,
      tickOffsetMs: 0,
      steps: [
        { kind: 'failing-attempts', attempts: 2, duplicates: 1 },
        { kind: 'corrupt-claim', corruption: 'far-future-lease' },
        { kind: 'tick', jiraDown: true, invocations: [{ name: 'A', actions: [] }] },
        { kind: 'corrupt-claim', corruption: 'not-an-object' },
        { kind: 'corrupt-state', corruption: 'not-an-object' },
      ],
      recoveryDuplicates: 1,
    });

    // Act
    const broken = await replay(h);

    // Assess
    expect(broken).toEqual([]);
  });
});
