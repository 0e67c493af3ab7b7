import { NeedsAuthenticationError } from '@forge/api';
import type { SeamCall } from '../../local/runtime/forge_runtime';
import { auditRecord } from '../../src/admin/audit_log';
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
  it('still answers the page, with no names, when the user API fails, and logs why', async () => {
    await w.installedHoursAgo(13);
    userApi = 'down';

    const run = await w.app.invoker.resolver<Answer>(w.inst, PAGE, 'getAdminPage', {}, ADMIN);
    const answer = run.killed ? null : run.result;

    expect(answer?.ok).toBe(true);
    expect(answer?.people).toEqual({});
    expect(answer?.view.triggers).toHaveLength(2);
    expect(run.invocation.logs.map((l) => l.line)).toContainEqual(
      expect.stringContaining('[Phase5Admin] names for 1 account(s) not available: HTTP 503'),
    );
  });

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
});

describe('names when the page holds many people, or Jira answers oddly', () => {
  /** An audit entry by `accountId`, as an earlier action would have left it. */
  async function auditedAction(accountId: string, minutesAgo: number): Promise<void> {
    const entry = auditRecord(w.inst.cloudId, w.app.clock.now() - minutesAgo * 60_000, {
      action: 'RETRY_TRIGGER',
      accountId,
      trigger: 'AUTO_12H',
      outcome: 'done',
      words: { key: 'audit.retry', params: { count: 1 } },
      detail: '',
      changedKeys: [],
    });
    await w.app.put(w.inst, entry.key, entry.value);
  }

  /** Answer the user API with `values` as its page of people. */
  function jiraAnswers(values: unknown[]): void {
    w.addFault((call: SeamCall) =>
      call.service === 'jira' && call.path.startsWith('/rest/api/3/user/bulk')
        ? new Response(JSON.stringify({ startAt: 0, maxResults: 50, total: values.length, isLast: true, values }), {
            status: 200,
          })
        : undefined,
    );
  }

  it.each([
    [49, [50]],
    [50, [50, 1]],
  ])(
    'names everyone on a page of the caller and %p others, fifty to a request, asking for each of them once',
    async (count, requestSizes) => {
      const others = Array.from({ length: count }, (_, i) => `5b10a2844c20165700e${String(i).padStart(5, '0')}`);
      w =
        (w.dispose(),
        new SchedulerWorld({
          jiraAdmins: [ADMIN],
          jiraUsers: Object.fromEntries(
            [ADMIN, ...others].map((id, i) => [id, { displayName: i === 0 ? 'Avery Admin' : `Person ${i}` }]),
          ),
        }));
      w.addFault((call: SeamCall) => {
        if (call.service === 'jira' && call.path.startsWith('/rest/api/3/user/bulk')) userApiCalls.push(call);
      });
      await w.installedHoursAgo(13);
      for (const [i, id] of others.entries()) await auditedAction(id, 60 - i);

      const answer = await call('getAdminPage', {}, ADMIN);

      expect(Object.keys(answer.people).sort()).toEqual([ADMIN, ...others].sort());
      expect(answer.people[others[count - 1]]).toEqual({
        displayName: `Person ${count}`,
        avatarUrl: expect.stringMatching(/^https:\/\//),
      });
      const asked = userApiCalls.map((c) => new URL(c.path, 'https://site.example').searchParams.getAll('accountId'));
      expect(asked.map((ids) => ids.length)).toEqual(requestSizes);
      expect(new Set(asked.flat()).size).toBe(count + 1);
    },
  );

  it('names who asked for a kept manual report even when their audit entry is no longer among those shown', async () => {
    await w.installedHoursAgo(13);
    await call('generateManualReport', { confirmation: CONFIRMATIONS.generateManualReport() }, OTHER_ADMIN);
    w.advance(60 * 60_000);
    for (let i = 0; i < 50; i++) await auditedAction(ADMIN, 50 - i);
    userApiCalls.length = 0;

    const answer = await call('getAdminPage', {}, ADMIN);

    expect(answer.view.audit.map((e) => e.accountId)).not.toContain(OTHER_ADMIN);
    expect(answer.view.reports.find((r) => r.kind === 'MANUAL')?.by).toBe(OTHER_ADMIN);
    expect(answer.people[OTHER_ADMIN]).toMatchObject({ displayName: 'Former user' });
  });

  it('leaves out the marker of a closed account and Jira\'s "unknown": they are nobody to ask about', async () => {
    await w.installedHoursAgo(13);
    await auditedAction('closed-account', 3);
    await auditedAction('unknown', 2);
    await auditedAction(OTHER_ADMIN, 1);

    await call('getAdminPage', {}, ADMIN);

    expect(userApiCalls).toHaveLength(1);
    expect(new URL(userApiCalls[0].path, 'https://site.example').searchParams.getAll('accountId').sort()).toEqual(
      [ADMIN, OTHER_ADMIN].sort(),
    );
  });

  it('names the admin who recorded the installation time', async () => {
    const installedAt = new Date(w.app.clock.now()).toISOString();
    await call('recordInstallation', { confirmation: CONFIRMATIONS.recordInstallation(), installedAt }, OTHER_ADMIN);
    userApiCalls.length = 0;

    const answer = await call('getAdminPage', {}, ADMIN);

    expect(answer.view.installation.recordedBy).toBe(OTHER_ADMIN);
    expect(Object.keys(answer.people).sort()).toEqual([ADMIN, OTHER_ADMIN].sort());
  });

  it('names only the people asked about and given a name; a missing avatar is no avatar', async () => {
    await w.installedHoursAgo(13);
    const nameless = '5b10a2844c20165700ede333';
    await auditedAction(OTHER_ADMIN, 1);
    await auditedAction(nameless, 2);
    jiraAnswers([
      { accountId: ADMIN, displayName: 'Avery Admin' },
      { accountId: OTHER_ADMIN, displayName: '' },
      { accountId: nameless, avatarUrls: { '48x48': 'https://avatars.example/333.png' } },
      { accountId: '5b10a2844c20165700ede777', displayName: 'Someone not on the page' },
      { accountId: 42, displayName: 'Not an id' },
      { displayName: 'No id at all' },
    ]);

    const answer = await call('getAdminPage', {}, ADMIN);

    expect(answer.people).toEqual({ [ADMIN]: { displayName: 'Avery Admin', avatarUrl: null } });
  });

  it('an answer without a list of people names nobody, and the page is answered', async () => {
    await w.installedHoursAgo(13);
    w.addFault((call: SeamCall) =>
      call.service === 'jira' && call.path.startsWith('/rest/api/3/user/bulk')
        ? new Response(JSON.stringify({ values: { [ADMIN]: 'Avery Admin' } }), { status: 200 })
        : undefined,
    );

    const answer = await call('getAdminPage', {}, ADMIN);

    expect(answer.ok).toBe(true);
    expect(answer.people).toEqual({});
  });

  it('a user API that cannot be reached at all leaves the page without names, and says so in the log', async () => {
    await w.installedHoursAgo(13);
    w.addFault((call: SeamCall) => {
      if (call.service === 'jira' && call.path.startsWith('/rest/api/3/user/bulk')) throw new Error('socket hang up');
    });

    const run = await w.app.invoker.resolver<Answer>(w.inst, PAGE, 'getAdminPage', {}, ADMIN);

    expect(run.killed).toBe(false);
    expect(run.killed ? null : run.result).toMatchObject({ ok: true, people: {} });
    expect(run.invocation.logs.map((l) => l.line).join('\n')).toMatch(
      /\[Phase5Admin\] names for 1 account\(s\) not available: .*socket hang up/,
    );
  });

  it('when Jira needs the admin to grant the app access first, the call fails with that, for Forge to ask them', async () => {
    await w.installedHoursAgo(13);
    w.addFault((call: SeamCall) =>
      call.service === 'jira' && call.path.startsWith('/rest/api/3/user/bulk')
        ? new Response('', { status: 401, headers: { 'forge-proxy-error': 'NEEDS_AUTHENTICATION_ERR' } })
        : undefined,
    );

    await expect(w.app.invoker.resolver(w.inst, PAGE, 'getAdminPage', {}, ADMIN)).rejects.toBeInstanceOf(
      NeedsAuthenticationError,
    );
  });
});
