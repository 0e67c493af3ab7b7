import type { SeamCall } from '../../local/runtime/forge_runtime';
import { CONFIRMATIONS } from '../../src/admin/contract';
import { SchedulerWorld } from '../support/scheduler_world';

/**
 * Every admin page call first asks Jira, as the calling user, whether they are a
 * Jira administrator. Anything short of a clear "yes" refuses the call and
 * changes nothing; what the refusal says is what the page shows the user. The
 * one answer let through to Forge is "this user has not yet allowed the app to
 * act for them", which Forge turns into its consent prompt.
 */

const ADMIN = '5b10a2844c20165700ede21g';
const PAGE = 'phase5-admin-page';
type Answer = { ok: boolean; error?: { code: string; message: string }; [k: string]: any };

/** How the permission check is answered, when not by the Jira emulator. */
let permissionAnswer: (() => Response) | null = null;
let reportReadsDown = false;
let w: SchedulerWorld;

beforeEach(async () => {
  permissionAnswer = null;
  w = new SchedulerWorld({ jiraAdmins: [ADMIN] });
  w.addFault((call: SeamCall) => {
    if (call.service !== 'jira') return;
    if (call.path.startsWith('/rest/api/3/mypermissions')) return permissionAnswer?.();
    if (reportReadsDown) return new Response('{"errorMessages":["down"]}', { status: 503 });
  });
  // Something an allowed call would change: AUTO_12H backing off after a failed attempt.
  await w.installedHoursAgo(12);
  reportReadsDown = true;
  expect((await w.run()).body).toMatchObject({ reason: 'GENERATION_FAILED', attempt: 1 });
  reportReadsDown = false;
});
afterEach(() => w.dispose());

const retry12 = { trigger: 'AUTO_12H', confirmation: CONFIRMATIONS.retryTrigger('AUTO_12H') };
const snapshot = () => JSON.stringify([...w.stored()].sort(([a], [b]) => a.localeCompare(b)));

async function retryAs(accountId: string | undefined): Promise<Answer> {
  const run = await w.app.invoker.resolver<Answer>(w.inst, PAGE, 'retryTrigger', retry12, accountId);
  if (run.killed) throw new Error('retryTrigger was killed');
  return run.result;
}

const json = (body: unknown) =>
  new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });

describe('the administrator check', () => {
  it('lets a Jira administrator through, and the change is made', async () => {
    const before = snapshot();

    const answer = await retryAs(ADMIN);

    expect(answer).toMatchObject({ ok: true, changedKeys: [`phase5:claim:${w.inst.cloudId}:AUTO_12H`, w.keys.state] });
    expect(snapshot()).not.toEqual(before);
  });

  it.each([
    ['an account id of spaces', '   '],
    ['an empty account id', ''],
  ])('refuses a call with %s as having no signed-in user', async (_what, accountId) => {
    const before = snapshot();

    const answer = await retryAs(accountId);

    expect(answer.error).toEqual({
      code: 'NO_USER',
      message: 'This page is for Jira administrators; the request carries no signed-in user.',
    });
    expect(snapshot()).toEqual(before);
  });

  it.each([
    ['says nothing about ADMINISTER', () => json({ permissions: {} })],
    ['says nothing at all', () => json({})],
    ['answers null', () => json(null)],
    ['says "true" as text', () => json({ permissions: { ADMINISTER: { havePermission: 'true' } } })],
    ['says no', () => json({ permissions: { ADMINISTER: { havePermission: false } } })],
  ])('refuses the user as not an administrator when Jira %s', async (_what, answer) => {
    permissionAnswer = answer;
    const before = snapshot();

    const refused = await retryAs(ADMIN);

    expect(refused.error).toEqual({
      code: 'NOT_ADMIN',
      message: 'Only Jira administrators can view or change the site report scheduler.',
    });
    expect(snapshot()).toEqual(before);
  });

  it('refuses, saying so, when Jira answers the check with something other than JSON', async () => {
    permissionAnswer = () => new Response('<html>maintenance</html>', { status: 200 });
    const before = snapshot();

    const refused = await retryAs(ADMIN);

    expect(refused.error).toEqual({
      code: 'PERMISSION_CHECK_FAILED',
      message: 'Jira answered the permission check with something other than JSON.',
    });
    expect(snapshot()).toEqual(before);
  });

  it('refuses, with the reason, when the request to Jira fails outright', async () => {
    permissionAnswer = () => {
      throw new Error('socket hang up');
    };
    const before = snapshot();

    const refused = await retryAs(ADMIN);

    expect(refused.error?.code).toBe('PERMISSION_CHECK_FAILED');
    expect(refused.error?.message).toMatch(/^Jira could not confirm your permissions: .*socket hang up/);
    expect(snapshot()).toEqual(before);
  });

  it("lets Forge's consent prompt through when the user has not allowed the app to act for them", async () => {
    permissionAnswer = () =>
      new Response('', { status: 401, headers: { 'forge-proxy-error': 'NEEDS_AUTHENTICATION_ERR' } });
    const before = snapshot();

    await expect(retryAs(ADMIN)).rejects.toMatchObject({ name: 'NEEDS_AUTHENTICATION_ERR' });
    expect(snapshot()).toEqual(before);
  });
});
