import { newClaim } from '../../src/scheduled/decisions';
import { serializeClaim } from '../../src/scheduled/scheduler_state';
import { HOUR, SchedulerWorld } from '../support/scheduler_world';

/**
 * Attempt claims as they lie in storage after an invocation: what a later reader
 * (another invocation, a Reset, support) finds there and what it concludes.
 */

let w: SchedulerWorld;
beforeEach(() => {
  w = new SchedulerWorld();
});
afterEach(() => w.dispose());

it("a stored report's claim is kept released, with the report's time and outcome: proof the commit landed", async () => {
  // Prepare: Jira takes five seconds to answer each request, so the report is finished well after the claim.
  await w.installedHoursAgo(12);
  const claimedAt = new Date(w.app.clock.now()).toISOString();
  w.addFault((call) => {
    if (call.service !== 'kvs') w.advance(5_000);
  });

  // Act
  const run = await w.run();

  // Assess
  const report = w.stored().get(w.keys.report12) as { generated_at: string };
  expect(run.body).toMatchObject({ reason: 'GENERATED', attempt: 1 });
  expect(w.stored().get(w.keys.claim('AUTO_12H', 1))).toMatchObject({
    attempt: 1,
    kind: 'attempt',
    claimed_at: claimedAt,
    released_at: report.generated_at,
    outcome: 'generated',
  });
  expect(report.generated_at > claimedAt).toBe(true);
});

it("an unreadable claim followed by a later attempt's claim costs no backoff of its own: the run goes on past both", async () => {
  // Prepare: the state is lost; attempt #1's claim is garbled, and attempt #2's holder
  // died hours ago, so its own 2 h backoff is long over.
  await w.installedHoursAgo(14);
  const now = w.app.clock.now();
  await w.app.put(w.inst, w.keys.claim('AUTO_12H', 1), 'garbled');
  await w.app.put(w.inst, w.keys.claim('AUTO_12H', 2), serializeClaim(newClaim(2, now - 5 * HOUR, 'gone')));

  // Act
  const run = await w.run();

  // Assess: attempt #1 is not held against the trigger for 30 min from now.
  expect(run.body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H', attempt: 3 });
  expect(w.reports()).toEqual([w.keys.report12]);
  expect(w.stored().get(w.keys.claim('AUTO_12H', 2))).toMatchObject({ invocation_id: 'gone' });
});
