import type { AdminPageView, Words } from '../../src/admin/contract';
import { CONFIRMATIONS } from '../../src/admin/contract';
import { SCHEDULER } from '../../src/scheduled/config';
import { loadManifest } from '../../local/runtime/manifest';
import { APP_ROOT } from '../../local/runtime/invoker';
import { SchedulerWorld } from '../support/scheduler_world';
import { say } from './support/english';

/**
 * What the admin page says about the schedule, and "Try again now" under an hourly
 * tick: the administrator should not wait up to an hour for the attempt they asked for.
 */

const ADMIN = '5b10a2844c20165700ede21g';
const PAGE = 'phase5-admin-page';
type Answer = { ok: boolean; words?: Words; view?: AdminPageView };

let w: SchedulerWorld;
let jiraDown = false;
beforeEach(() => {
  jiraDown = false;
  w = new SchedulerWorld({ jiraAdmins: [ADMIN] });
  w.addFault((call) => {
    if (call.service !== 'jira' || call.path.startsWith('/rest/api/3/mypermissions') || !jiraDown) return;
    return new Response(JSON.stringify({ errorMessages: ['Service unavailable'] }), { status: 503 });
  });
});
afterEach(() => w.dispose());

async function call(functionKey: string, payload: unknown): Promise<Answer> {
  const run = await w.app.invoker.resolver<Answer>(w.inst, PAGE, functionKey, payload, ADMIN);
  if (run.killed) throw new Error(`${functionKey} was killed`);
  return run.result;
}

it("states the manifest's interval on the admin page", async () => {
  await w.installedHoursAgo(1);

  const view = (await call('getAdminPage', {})).view!;

  const interval = loadManifest(APP_ROOT).scheduledTriggers[0].interval;
  expect(view.schedule).toEqual({ interval, intervalMinutes: SCHEDULER.intervalMs / 60_000, wakeUps: true });
});

it('retry now wakes the scheduler at once: the report is stored within seconds, not at the next tick', async () => {
  await w.installedHoursAgo(12);
  jiraDown = true;
  expect((await w.run()).body).toMatchObject({ reason: 'GENERATION_FAILED', attempt: 1 });
  jiraDown = false;
  w.advance(60_000);
  const askedAt = w.app.clock.now();
  const waitingBefore = [...w.app.events.waiting()];

  const answer = await call('retryTrigger', {
    trigger: 'AUTO_12H',
    confirmation: CONFIRMATIONS.retryTrigger('AUTO_12H'),
  });
  const pushed = w.app.events
    .waiting()
    .filter((d) => !waitingBefore.includes(d))
    .map((d) => d.event.body);
  await w.deliver(askedAt + 5_000);

  expect(answer).toMatchObject({ ok: true, words: { key: 'done.retry' } });
  expect(say(answer.words as Words, new Date(askedAt).toISOString())).toBe(
    'The app is trying the 12-hour report now; this page shows the outcome in a moment.',
  );
  // It names this site, so a delivery to any other is refused, and asks for now.
  expect(pushed).toEqual([{ cloud_id: w.inst.cloudId, wake_at: new Date(askedAt).toISOString() }]);
  const report = w.stored().get(w.keys.report12) as { generated_at: string } | undefined;
  expect(report).toBeDefined();
  expect(Date.parse(report!.generated_at) - askedAt).toBeLessThan(5_000);
});

it('retry now still ends the wait when no wake-up can be pushed, and says the next scheduled run attempts it', async () => {
  await w.installedHoursAgo(12);
  jiraDown = true;
  expect((await w.run()).body).toMatchObject({ reason: 'GENERATION_FAILED', attempt: 1 });
  jiraDown = false;
  w.addFault((call) =>
    call.service === 'events'
      ? new Response(JSON.stringify({ message: 'Service unavailable' }), { status: 503 })
      : undefined,
  );

  const answer = await call('retryTrigger', {
    trigger: 'AUTO_12H',
    confirmation: CONFIRMATIONS.retryTrigger('AUTO_12H'),
  });
  const next = await w.run();

  expect(answer.ok).toBe(true);
  expect(say(answer.words as Words, new Date(w.app.clock.now()).toISOString())).toBe(
    'The app tries the 12-hour report at its next check, within 60 minutes.',
  );
  expect(next.body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H', attempt: 2 });
});
