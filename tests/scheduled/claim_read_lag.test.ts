import { newClaim } from '../../src/scheduled/decisions';
import { serializeClaim } from '../../src/scheduled/scheduler_state';
import { MINUTE, SchedulerWorld } from '../support/scheduler_world';

/**
 * A claim whose create-if-absent was refused (409) exists, whatever a read says. A read
 * that cannot see it yet (a lagging replica) must not make its holder's attempt count as
 * abandoned: that would write a failure over the state the holder is about to commit.
 */

let w: SchedulerWorld;
beforeEach(() => {
  w = new SchedulerWorld();
});
afterEach(() => w.dispose());

it('a refused claim that reads back as absent is held by someone: CLAIM_HELD, nothing written', async () => {
  // Prepare: the 12 h report is due and another invocation has just claimed attempt #1,
  // but the claim read answers 404 as if the claim were not there.
  await w.installedHoursAgo(12);
  const holder = newClaim(1, w.app.clock.now() - MINUTE, 'holder');
  await w.app.put(w.inst, w.keys.claim('AUTO_12H', 1), serializeClaim(holder));
  w.addFault((call) =>
    call.path === '/api/v1/get' && call.body?.includes(':CLAIM:1')
      ? Response.json({ code: 'KEY_NOT_FOUND', message: 'Provided key does not exist' }, { status: 404 })
      : undefined,
  );

  // Act
  const run = await w.run();

  // Assess: nothing recorded as failed, nothing generated, only the refused claim written.
  expect(run.body).toMatchObject({ reason: 'CLAIM_HELD', trigger: 'AUTO_12H', attempt: 1 });
  expect(run.invocation.stats.kvsByOperation).toEqual({ 'batch/get': 1, set: 1, get: 1 });
  expect(w.stored().has(w.keys.state)).toBe(false);
  expect(w.reports()).toEqual([]);
});
