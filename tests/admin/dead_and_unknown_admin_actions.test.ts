import type { SeamCall } from '../../local/runtime/forge_runtime';
import { CONFIRMATIONS } from '../../src/admin/contract';
import type { AdminPageView } from '../../src/admin/contract';
import { MINUTE, SchedulerWorld } from '../support/scheduler_world';

/**
 * Issue 23, items 2, 3 and 6: an administrator can always recover in the app. A
 * record that cannot be true does not wedge a trigger, a Reset that dies half-way
 * leaves nothing that holds the scheduler or the next admin back, and a Reset whose
 * reply was lost is never reported as "nothing was changed". Every case drives the
 * deployed scheduler and admin resolver through the local Forge runtime, and
 * judges by what an administrator would see: stored reports, answers, the page.
 */

const ADMIN = '5b10a2844c20165700ede21g';
const PAGE = 'phase5-admin-page';

type Answer = { ok: boolean; message?: string; error?: { code: string; message: string }; [k: string]: any };

let w: SchedulerWorld;
let jiraDown = false;

beforeEach(() => {
  jiraDown = false;
  w = new SchedulerWorld({ jiraAdmins: [ADMIN] });
  w.addFault((call: SeamCall) => {
    if (call.service !== 'jira' || call.path.startsWith('/rest/api/3/mypermissions')) return;
    if (jiraDown) return new Response(JSON.stringify({ errorMessages: ['Service unavailable'] }), { status: 503 });
  });
});
afterEach(() => w.dispose());

async function call(functionKey: string, payload: unknown): Promise<Answer | 'killed'> {
  const run = await w.app.invoker.resolver<Answer>(w.inst, PAGE, functionKey, payload, ADMIN);
  return run.killed ? 'killed' : run.result;
}
const answered = async (functionKey: string, payload: unknown): Promise<Answer> => {
  const a = await call(functionKey, payload);
  if (a === 'killed') throw new Error(`${functionKey} was killed`);
  return a;
};
const reset12 = { trigger: 'AUTO_12H', confirmation: CONFIRMATIONS.resetTrigger('AUTO_12H') };
const retry12 = { trigger: 'AUTO_12H', confirmation: CONFIRMATIONS.retryTrigger('AUTO_12H') };
const page = async () => (await answered('getAdminPage', {})).view as AdminPageView;
const isAdminTransaction = (c: SeamCall) =>
  c.invocation.moduleKey === PAGE && c.service === 'kvs' && c.path === '/api/v1/transaction';
const report12 = () => w.stored().get(w.keys.report12) as { attempt?: number } | undefined;
const replaced12 = () =>
  [...w.stored().keys()].filter((k) => k.startsWith(`phase5:report:${w.inst.cloudId}:AUTO_12H:REPLACED:`));

/** Installed 12 h 01 min ago; AUTO_12H attempt #1 failed (Jira down) and backs off for 30 min. */
async function attemptOneFailed(): Promise<void> {
  await w.installedHoursAgo(12 + 1 / 60);
  jiraDown = true;
  expect((await w.run()).body).toMatchObject({ reason: 'GENERATION_FAILED', attempt: 1 });
  jiraDown = false;
}

/** A Reset stopped (as Forge stops a function) when it sends its transaction: everything before it happened. */
async function resetThatDies(): Promise<void> {
  let armed = true;
  w.addFault((c) => {
    if (armed && isAdminTransaction(c)) {
      armed = false;
      c.invocation.kill();
    }
  });
  expect(await call('resetTrigger', reset12)).toBe('killed');
}

describe('issue 23 item 2: a stored value that cannot be true does not wedge a trigger', () => {
  it('a garbled AUTO_12H EPOCH key: the due report is still stored, and the page offers Reset afterwards', async () => {
    // Prepare: the 12 h report is due, and the trigger's epoch key holds something that is not an epoch.
    await w.installedHoursAgo(12 + 1 / 60);
    await w.app.put(w.inst, `phase5:scheduler:${w.inst.cloudId}:AUTO_12H:EPOCH`, 'garbled');

    // Act: the next two scheduled runs, five minutes apart.
    const first = await w.run();
    w.advance(5 * MINUTE);
    await w.run();

    // Assess: the report is stored (not a 500 on every run), the page says done, and Reset is offered.
    expect(first.statusCode).not.toBe(500);
    expect(report12()).toBeDefined();
    const view = await page();
    expect(view.triggers[0]).toMatchObject({ trigger: 'AUTO_12H', status: 'done' });
    expect(view.triggers[0].actions.reset.allowed).toBe(true);
  });
});

describe('issue 23 item 3: a Reset that dies half-way leaves nothing behind that holds anyone back', () => {
  it('after a dead Reset, Retry brings the report within minutes, and it is attempt #2', async () => {
    // Prepare: attempt #1 failed; a Reset dies at its transaction.
    await attemptOneFailed();
    w.advance(MINUTE);
    await resetThatDies();

    // Act: the administrator clicks Retry; the wake-up events it pushes are delivered for five minutes.
    const retry = await answered('retryTrigger', retry12);
    await w.deliver(w.app.clock.now() + 5 * MINUTE);

    // Assess: the report is stored within those minutes, as the second attempt (the dead Reset took no number).
    expect(retry.ok).toBe(true);
    expect(report12()?.attempt).toBe(2);
  });

  it('after a dead Reset, the administrator Resetting again is not refused as "someone else"', async () => {
    // Prepare
    await attemptOneFailed();
    w.advance(MINUTE);
    await resetThatDies();

    // Act
    const again = await answered('resetTrigger', reset12);

    // Assess
    expect(again.error?.message ?? '').not.toMatch(/someone else/);
    expect(again.ok).toBe(true);
  });
});

describe('issue 23 item 6: an outcome the app cannot know is never reported as "nothing was changed"', () => {
  it('a Reset whose transaction landed but whose reply was lost is reported as done, and its report is set aside', async () => {
    // Prepare: the 12 h report is stored; KVS applies the Reset's transaction and answers 500.
    await w.installedHoursAgo(13);
    expect((await w.run()).body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H' });
    let spoiled = false;
    w.addFault(async (c) => {
      if (spoiled || !isAdminTransaction(c)) return;
      spoiled = true;
      await w.app.kvs.handle(c.invocation.installation.installationId, c.path, { method: 'POST', body: c.body });
      return new Response(JSON.stringify({ code: 'INTERNAL_SERVER_ERROR', message: 'lost' }), { status: 500 });
    });

    // Act
    const answer = await answered('resetTrigger', reset12);

    // Assess: the Reset did land; the administrator is not told otherwise.
    expect(spoiled).toBe(true);
    expect(replaced12()).toHaveLength(1);
    expect(w.stored().has(w.keys.report12)).toBe(false);
    expect(`${answer.message ?? ''} ${answer.error?.message ?? ''}`).not.toMatch(/nothing was changed/i);
    expect(answer.ok).toBe(true);
  });
});
