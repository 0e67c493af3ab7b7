import type { SeamCall } from '../../local/runtime/forge_runtime';
import { CONFIRMATIONS } from '../../src/admin/contract';
import type { AdminPageResponse } from '../../src/admin/contract';
import { SchedulerWorld } from '../support/scheduler_world';

/**
 * Names on the admin page: the resolver asks Jira's user API, as the calling
 * admin, for every account id the page shows, and answers names beside the
 * view. Ids Jira cannot name, or a user API that fails, leave the ids as they
 * are; the page itself never fails for want of a name.
 */

const ADMIN = '5b10a2844c20165700ede21g';
const OTHER_ADMIN = '5b10a2844c20165700ede99z';
const PAGE = 'phase5-admin-page';

type Answer = { ok: true } & AdminPageResponse;

let w: SchedulerWorld;
let userApi: 'up' | 'down' = 'up';
const userApiCalls: SeamCall[] = [];

beforeEach(() => {
  userApi = 'up';
  userApiCalls.length = 0;
  w = new SchedulerWorld({
    jiraAdmins: [ADMIN, OTHER_ADMIN],
    jiraUsers: { [ADMIN]: { displayName: 'Avery Admin' }, [OTHER_ADMIN]: { displayName: 'Robin Root', closed: true } },
  });
  w.addFault((call: SeamCall) => {
    if (call.service !== 'jira' || !call.path.startsWith('/rest/api/3/user/bulk')) return;
    userApiCalls.push(call);
    if (userApi === 'down')
      return new Response(JSON.stringify({ errorMessages: ['Service unavailable'] }), { status: 503 });
  });
});
afterEach(() => w.dispose());

async function call(functionKey: string, payload: unknown, accountId: string): Promise<Answer> {
  const run = await w.app.invoker.resolver<Answer>(w.inst, PAGE, functionKey, payload, accountId);
  if (run.killed) throw new Error(`${functionKey} was killed`);
  return run.result;
}

describe('names for the account ids on the admin page', () => {
  it('names the caller, requesters and audit entries from one user-API call made as the caller', async () => {
    await w.installedHoursAgo(13);
    await call('generateManualReport', { confirmation: CONFIRMATIONS.generateManualReport() }, ADMIN);
    await call('generateManualReport', { confirmation: CONFIRMATIONS.generateManualReport() }, OTHER_ADMIN);
    userApiCalls.length = 0;

    const answer = await call('getAdminPage', {}, ADMIN);

    expect(answer.ok).toBe(true);
    expect(answer.people[ADMIN]).toMatchObject({ displayName: 'Avery Admin' });
    expect(answer.people[ADMIN].avatarUrl).toMatch(/^https:\/\//);
    // A closed account is named as Jira names it.
    expect(answer.people[OTHER_ADMIN]).toMatchObject({ displayName: 'Former user' });
    expect(answer.view.reports.filter((r) => r.kind === 'MANUAL').map((r) => r.by)).toEqual(
      expect.arrayContaining([ADMIN, OTHER_ADMIN]),
    );
    expect(userApiCalls).toHaveLength(1);
  });

  it('leaves an id Jira does not know unnamed, so the page shows the id', async () => {
    const stranger = '5b10a2844c20165700ede000';
    w =
      (w.dispose(),
      new SchedulerWorld({ jiraAdmins: [ADMIN, stranger], jiraUsers: { [ADMIN]: { displayName: 'Avery Admin' } } }));
    await w.installedHoursAgo(13);
    await call('generateManualReport', { confirmation: CONFIRMATIONS.generateManualReport() }, stranger);

    const answer = await call('getAdminPage', {}, ADMIN);

    expect(Object.keys(answer.people)).toEqual([ADMIN]);
    expect(answer.view.audit[0].accountId).toBe(stranger);
  });

  it('still answers the page, with no names, when the user API fails', async () => {
    await w.installedHoursAgo(13);
    userApi = 'down';

    const answer = await call('getAdminPage', {}, ADMIN);

    expect(answer.ok).toBe(true);
    expect(answer.people).toEqual({});
    expect(answer.view.triggers).toHaveLength(2);
  });
});
