import { CONFIRMATIONS } from '../../src/admin/contract';
import { CLOSED_ACCOUNT } from '../../src/privacy/personal_data';
import { HOUR, SchedulerWorld } from '../support/scheduler_world';

/**
 * The personal-data report against the local Forge runtime: the app's real
 * handler, its real `privacy.reportPersonalData` call through the Forge fetch
 * seam, Atlassian's reporting API emulated (local/privacy), the records made
 * by the admin page's own resolver.
 */

const ADMIN = '5b10a2844c20165700ede21g';
const LEAVER = '5b10a2844c20165700ede77x';
const PAGE = 'phase5-admin-page';
const TRIGGER = 'personal-data-report';
const DAY = 24 * HOUR;

type Body = Record<string, unknown> & { reason: string };

let w: SchedulerWorld;

beforeEach(() => {
  w = new SchedulerWorld({ jiraAdmins: [ADMIN, LEAVER] });
});
afterEach(() => w.dispose());

function resultOf<T>(run: { killed: true } | { killed: false; result: T }): T {
  if (run.killed) throw new Error('the invocation was killed');
  return run.result;
}

async function asAdmin(accountId: string, functionKey: string, payload: unknown) {
  const run = await w.app.invoker.resolver<{ ok: boolean }>(w.inst, PAGE, functionKey, payload, accountId);
  expect(resultOf(run)).toMatchObject({ ok: true });
}

async function report(): Promise<{ statusCode: number; body: Body }> {
  const run = await w.app.invoker.scheduledTrigger<{ statusCode: number; body: string }>(w.inst, TRIGGER);
  if (run.killed) throw new Error('the personal-data report was killed');
  return { statusCode: run.result.statusCode, body: JSON.parse(run.result.body) as Body };
}

const stored = () => w.stored();
const auditAccounts = () =>
  [...stored()]
    .filter(([k]) => k.startsWith('phase5:audit:'))
    .map(([, v]) => (v as { account_id: string }).account_id)
    .sort();

/** Two admins have used the page: a manual report each, and one reset the 12-hour report. */
async function twoAdminsActed(): Promise<void> {
  await w.installedHoursAgo(13);
  expect((await w.run()).body).toMatchObject({ reason: 'GENERATED' });
  await asAdmin(ADMIN, 'generateManualReport', { confirmation: CONFIRMATIONS.generateManualReport() });
  w.app.clock.advance(HOUR);
  await asAdmin(LEAVER, 'generateManualReport', { confirmation: CONFIRMATIONS.generateManualReport() });
  await asAdmin(LEAVER, 'resetTrigger', { trigger: 'AUTO_12H', confirmation: CONFIRMATIONS.resetTrigger('AUTO_12H') });
}

describe('reporting the account ids the admin records hold', () => {
  it('reports each account once, with the oldest time it was stored', async () => {
    await twoAdminsActed();
    const firstAction = Date.now() - HOUR;

    const run = await w.app.invoker.scheduledTrigger<{ statusCode: number; body: string }>(w.inst, TRIGGER);
    const { statusCode, body } = resultOf(run);

    expect(statusCode).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ reason: 'REPORTED', accountsReported: 2, closed: 0 });
    // The cost of a due run with nothing closed: last-report get, a query page each of audit entries and report
    // entries, one batch read (earlier versions' lists, evidence), one write.
    expect(run.invocation.stats.kvsByOperation).toEqual({ get: 1, query: 2, 'batch/get': 1, set: 1 });
    expect(w.app.personalData.reports).toHaveLength(1);
    const sent = w.app.personalData.reports[0];
    expect(sent.map((a) => a.accountId).sort()).toEqual([ADMIN, LEAVER].sort());
    expect(Date.parse(sent.find((a) => a.accountId === ADMIN)!.updatedAt)).toBe(firstAction);
  });

  it('reports no more often than every 7 days, however often it runs; a day with nothing due writes nothing', async () => {
    await twoAdminsActed();
    await report();

    for (let day = 1; day < 7; day++) {
      w.app.clock.advance(DAY);
      const writesBefore = w.app.kvs.entries(w.inst.installationId).length;
      const run = await w.app.invoker.scheduledTrigger<{ statusCode: number; body: string }>(w.inst, TRIGGER);
      expect(JSON.parse(resultOf(run).body)).toEqual({ reason: 'NOT_DUE' });
      expect(run.invocation.stats.kvsRequests).toBe(1);
      expect(run.invocation.stats.kvsWriteRequests).toBe(0);
      expect(w.app.kvs.entries(w.inst.installationId).length).toBe(writesBefore);
    }
    expect(w.app.personalData.reports).toHaveLength(1);

    w.app.clock.advance(DAY);
    await expect(report()).resolves.toMatchObject({ body: { reason: 'REPORTED' } });
    expect(w.app.personalData.reports).toHaveLength(2);
  });

  it('anonymises every record of a closed account, keeping the records themselves', async () => {
    await twoAdminsActed();
    w.app.personalData.closed.add(LEAVER);
    const keysBefore = [...stored().keys()].sort();

    const { body } = await report();

    expect(body).toMatchObject({ reason: 'REPORTED', closed: 1 });
    expect(JSON.stringify([...stored().values()])).not.toContain(LEAVER);
    expect([...stored().keys()].sort()).toEqual([...keysBefore, `phase5:privacy:${w.inst.cloudId}:last-report`].sort());
    expect(auditAccounts()).toEqual([ADMIN, CLOSED_ACCOUNT, CLOSED_ACCOUNT].sort());
    const requesters = [...stored()]
      .filter(([k]) => k.startsWith(`phase5:admin:${w.inst.cloudId}:MANUAL:`))
      .map(([, v]) => (v as { requested_by?: string }).requested_by)
      .filter((by) => by !== undefined)
      .sort();
    expect(requesters).toEqual([ADMIN, CLOSED_ACCOUNT].sort());

    // The page shows the record, without the person; the closed account is not looked up, nor reported again.
    const page = await w.app.invoker.resolver<{ view: { audit: Array<{ accountId: string }> } }>(
      w.inst,
      PAGE,
      'getAdminPage',
      {},
      ADMIN,
    );
    expect(resultOf(page).view.audit.filter((e) => e.accountId === CLOSED_ACCOUNT)).toHaveLength(2);
    w.app.clock.advance(7 * DAY);
    await report();
    expect(w.app.personalData.reports[1].map((a) => a.accountId)).toEqual([ADMIN]);
  });

  it('when the reporting API fails, changes nothing and tries again the next day', async () => {
    await twoAdminsActed();
    w.app.personalData.failWith = 503;
    const before = JSON.stringify([...stored()]);

    await expect(report()).resolves.toMatchObject({ statusCode: 503, body: { reason: 'REPORT_FAILED' } });
    expect(JSON.stringify([...stored()])).toBe(before);

    w.app.personalData.failWith = null;
    w.app.clock.advance(DAY);
    await expect(report()).resolves.toMatchObject({ body: { reason: 'REPORTED', accountsReported: 2 } });
  });

  it('a site no administrator has acted on reports nothing and calls nothing', async () => {
    await w.installedHoursAgo(13);

    await expect(report()).resolves.toMatchObject({ body: { reason: 'NOTHING_HELD', accountsReported: 0 } });
    expect(w.app.personalData.reports).toHaveLength(0);
  });
});
