import type { SeamCall } from '../../local/runtime/forge_runtime';
import { CONFIRMATIONS } from '../../src/admin/contract';
import type { AdminPageView } from '../../src/admin/contract';
import { newClaim } from '../../src/scheduled/decisions';
import { EMPTY_STORED_STATE_FIELDS, serializeClaim } from '../../src/scheduled/scheduler_state';
import { HOUR, MINUTE, SchedulerWorld } from '../support/scheduler_world';

/**
 * The admin page's resolver, called the way Forge calls it for the page's
 * `invoke` (the manifest's jira:adminPage module, the real @forge/resolver,
 * the calling user as the invocation's principal), against the local KVS and
 * Jira emulators. Only ADMIN is a Jira administrator on the emulated site.
 */

const ADMIN = '5b10a2844c20165700ede21g';
const USER = '5b10ac8d82e05b22cc7d4ef5';
const PAGE = 'phase5-admin-page';

type Answer = { ok: boolean; error?: { code: string; message: string }; [k: string]: any };

let w: SchedulerWorld;
let jiraDown = false;
let permissionCheckDown = false;

beforeEach(() => {
  jiraDown = false;
  permissionCheckDown = false;
  w = new SchedulerWorld({ jiraAdmins: [ADMIN] });
  w.addFault((call: SeamCall) => {
    if (call.service !== 'jira') return;
    const permissionCheck = call.path.startsWith('/rest/api/3/mypermissions');
    if ((permissionCheck && permissionCheckDown) || (!permissionCheck && jiraDown)) {
      return new Response(JSON.stringify({ errorMessages: ['Service unavailable'] }), { status: 503 });
    }
  });
});
afterEach(() => w.dispose());

/** `accountId: null` calls with no user at all. */
async function call(functionKey: string, payload: unknown, accountId: string | null = ADMIN): Promise<Answer> {
  const run = await w.app.invoker.resolver<Answer>(w.inst, PAGE, functionKey, payload, accountId ?? undefined);
  if (run.killed) throw new Error(`${functionKey} was killed`);
  return run.result;
}

const page = async (accountId: string = ADMIN) => (await call('getAdminPage', {}, accountId)).view as AdminPageView;
const snapshot = () => JSON.stringify([...w.stored()].sort(([a], [b]) => a.localeCompare(b)));
const keysStartingWith = (prefix: string) => [...w.stored().keys()].filter((k) => k.startsWith(prefix)).sort();
/** The stored state with each omitted field at the empty value it stands for. */
const state = () => ({ ...EMPTY_STORED_STATE_FIELDS, ...(w.stored().get(w.keys.state) as Record<string, unknown>) });

/** Installed 13 h ago; the scheduler has stored the 12 h report. */
async function twelveHourReportDone(): Promise<void> {
  await w.installedHoursAgo(13);
  expect((await w.run()).body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H' });
}

/** Installed 12 h ago; the 12 h report's first attempt failed (Jira down), so it backs off for 30 min. */
async function twelveHourReportBackingOff(): Promise<void> {
  await w.installedHoursAgo(12);
  jiraDown = true;
  expect((await w.run()).body).toMatchObject({ reason: 'GENERATION_FAILED', trigger: 'AUTO_12H', attempt: 1 });
  jiraDown = false;
}

const confirmations = {
  generate: { confirmation: CONFIRMATIONS.generateManualReport() },
  retry12: { trigger: 'AUTO_12H', confirmation: CONFIRMATIONS.retryTrigger('AUTO_12H') },
  reset12: { trigger: 'AUTO_12H', confirmation: CONFIRMATIONS.resetTrigger('AUTO_12H') },
  record: { confirmation: CONFIRMATIONS.recordInstallation() },
};

describe('authorization: only Jira administrators, checked in the resolver as the calling user', () => {
  const cases: Array<[string, () => Promise<void>, () => unknown]> = [
    ['getAdminPage', twelveHourReportDone, () => ({})],
    ['getReport', twelveHourReportDone, () => ({ reportKey: w.keys.report12 })],
    ['generateManualReport', twelveHourReportDone, () => confirmations.generate],
    ['retryTrigger', twelveHourReportBackingOff, () => confirmations.retry12],
    ['resetTrigger', twelveHourReportDone, () => confirmations.reset12],
    ['recordInstallation', async () => undefined, () => confirmations.record],
  ];

  it.each(cases)(
    '%s: a non-admin is refused and nothing changes; the same call by an admin is answered',
    async (fn, setup, payload) => {
      await setup();
      const before = snapshot();

      const refused = await call(fn, payload(), USER);
      const after = snapshot();
      const allowed = await call(fn, payload(), ADMIN);

      expect(refused).toEqual({
        ok: false,
        error: { code: 'NOT_ADMIN', message: 'Only Jira administrators can view or change the site report scheduler.' },
      });
      expect(after).toEqual(before);
      expect(allowed.ok).toBe(true);
    },
  );

  it('a call without a user (no accountId in the context) is refused, and nothing changes', async () => {
    await twelveHourReportBackingOff();
    const before = snapshot();

    const answer = await call('retryTrigger', confirmations.retry12, null);

    expect(answer.error?.code).toBe('NO_USER');
    expect(snapshot()).toEqual(before);
  });

  it('when Jira cannot answer the permission check, the call is refused rather than guessed', async () => {
    await twelveHourReportBackingOff();
    permissionCheckDown = true;
    const before = snapshot();

    const answer = await call('retryTrigger', confirmations.retry12);

    expect(answer.error).toEqual({
      code: 'PERMISSION_CHECK_FAILED',
      message: 'Jira could not confirm your permissions (HTTP 503).',
    });
    expect(snapshot()).toEqual(before);
  });

  it('non-admins see no status either: the reports are measured as the app, beyond what a user may browse', async () => {
    await twelveHourReportDone();

    const answer = await call('getAdminPage', {}, USER);

    expect(answer).not.toHaveProperty('view');
  });
});

describe('input validation: a bad payload gets a clear error and changes nothing', () => {
  it.each([
    [
      'retryTrigger',
      { trigger: 'AUTO_6H', confirmation: 'RETRY AUTO_6H' },
      'trigger must be one of AUTO_12H, AUTO_24H.',
    ],
    ['retryTrigger', { trigger: 'AUTO_12H' }, 'This action must be confirmed: confirmation must be "RETRY AUTO_12H".'],
    ['retryTrigger', { trigger: 'AUTO_12H', confirmation: 'RETRY AUTO_24H' }, 'confirmation must be "RETRY AUTO_12H"'],
    ['resetTrigger', { trigger: 'AUTO_12H', confirmation: 'RETRY AUTO_12H' }, 'confirmation must be "RESET AUTO_12H"'],
    [
      'resetTrigger',
      { ...confirmations.reset12, force: true },
      'Unexpected field(s) force; expected only trigger, confirmation.',
    ],
    ['generateManualReport', { confirmation: true }, 'confirmation must be "GENERATE MANUAL REPORT"'],
    ['generateManualReport', ['GENERATE MANUAL REPORT'], 'The request payload must be an object.'],
    ['recordInstallation', 'RECORD INSTALLATION TIME', 'The request payload must be an object.'],
    ['recordInstallation', { confirmation: '' }, 'confirmation must be "RECORD INSTALLATION TIME"'],
    ['runPlatformCheck', { confirmation: '' }, 'confirmation must be "RUN PLATFORM CHECK"'],
    ['getAdminPage', { verbose: 1 }, 'Unexpected field(s) verbose; expected none.'],
    [
      'getReport',
      { reportKey: 'phase4:evidence:installation:x' },
      'reportKey must be a key starting with phase5:report:',
    ],
    ['getReport', { reportKey: 7 }, 'reportKey must be a key starting with'],
  ])('%s %j', async (fn, payload, message) => {
    await twelveHourReportBackingOff();
    const before = snapshot();

    const answer = await call(fn, payload);

    expect(answer.ok).toBe(false);
    expect(answer.error?.code).toBe('INVALID_INPUT');
    expect(answer.error?.message).toContain(message);
    expect(snapshot()).toEqual(before);
  });

  it('a report of another site cannot be read through this one', async () => {
    await twelveHourReportDone();

    const answer = await call('getReport', {
      reportKey: 'phase5:report:0a0b0c0d-0000-4000-8000-000000000009:AUTO_12H',
    });

    expect(answer.error?.code).toBe('INVALID_INPUT');
  });
});

describe('the status and the reports', () => {
  it('reads the trigger statuses and the stored 12 h report', async () => {
    await twelveHourReportDone();

    const view = await page();
    const report = await call('getReport', { reportKey: view.triggers[0].reportKey });

    expect(view.triggers.map((t) => [t.trigger, t.status])).toEqual([
      ['AUTO_12H', 'done'],
      ['AUTO_24H', 'waiting'],
    ]);
    expect(view.installation).toMatchObject({ status: 'recorded', source: 'event' });
    expect(report.report).toMatchObject({ trigger: 'AUTO_12H', schema_version: 2 });
    expect(report.report.coverage).toHaveLength(5);
  });

  it('answers NOT_FOUND for a report key of this site that holds nothing', async () => {
    await twelveHourReportDone();

    const answer = await call('getReport', { reportKey: `phase5:report:${w.inst.cloudId}:AUTO_24H` });

    expect(answer.error?.code).toBe('NOT_FOUND');
  });

  it('turns a storage outage into an answer, not a throw', async () => {
    await twelveHourReportDone();
    w.failKvs('batch/get');

    const answer = await call('getAdminPage', {});

    expect(answer.error?.code).toBe('STORAGE_UNAVAILABLE');
  });
});

describe('1. generate a MANUAL report now', () => {
  it('stores it under its own key through handleAutoTrigger, lists it, audits it, and leaves the scheduled reports alone', async () => {
    await twelveHourReportDone();
    const scheduled = [w.keys.report12, w.keys.done12, w.keys.state].map((k) => JSON.stringify(w.stored().get(k)));

    const answer = await call('generateManualReport', confirmations.generate);
    const view = await page();

    expect(answer.ok).toBe(true);
    const manualKeys = keysStartingWith(`phase5:report:${w.inst.cloudId}:MANUAL:`);
    expect(manualKeys).toEqual([`phase5:report:${w.inst.cloudId}:MANUAL:20261102T090000.000Z-1`]);
    expect(answer.reportKey).toBe(manualKeys[0]);
    expect(w.stored().get(manualKeys[0])).toMatchObject({ trigger: 'MANUAL', schema_version: 2, attempt: 1 });
    expect(view.reports.map((r) => r.kind)).toEqual(['AUTO_12H', 'MANUAL']);
    expect(view.audit[0]).toMatchObject({ action: 'GENERATE_MANUAL_REPORT', accountId: ADMIN, outcome: 'done' });
    expect([w.keys.report12, w.keys.done12, w.keys.state].map((k) => JSON.stringify(w.stored().get(k)))).toEqual(
      scheduled,
    );
  });

  it('keeps the newest ten: the eleventh deletes the oldest in the same commit', async () => {
    await twelveHourReportDone();
    const keys: string[] = [];
    for (let i = 0; i < 11; i++) {
      keys.push((await call('generateManualReport', confirmations.generate)).reportKey as string);
      w.advance(MINUTE);
    }

    const stored = keysStartingWith(`phase5:report:${w.inst.cloudId}:MANUAL:`);

    expect(stored).toEqual(keys.slice(1).sort());
    expect((await page()).reports.filter((r) => r.kind === 'MANUAL').map((r) => r.key)).toEqual(
      keys.slice(1).reverse(),
    );
  });

  it('is refused while another manual generation holds a live claim, and goes ahead once that claim has expired', async () => {
    await twelveHourReportDone();
    const claimedAt = w.app.clock.now();
    await w.app.put(
      w.inst,
      `phase5:scheduler:${w.inst.cloudId}:MANUAL:CLAIM:1`,
      serializeClaim(newClaim(1, claimedAt, 'other', 60_000)),
    );

    const busy = await call('generateManualReport', confirmations.generate);
    // Over once its lease has ended by every clock: the lease plus two hosts' largest disagreement.
    w.advance(3 * MINUTE + 1_000);
    const later = await call('generateManualReport', confirmations.generate);

    expect(busy.error).toEqual({
      code: 'REFUSED',
      message: 'A manual report has been generating since 2 Nov 2026, 09:00 UTC; wait for it to finish.',
    });
    expect(later.ok).toBe(true);
    expect(later.reportKey).toMatch(/MANUAL:20261102T\d{6}\.\d{3}Z-2$/);
  });

  it('when Jira is down: no report, an audited failure, and the next try is not blocked by its own claim', async () => {
    await twelveHourReportDone();
    jiraDown = true;

    const failed = await call('generateManualReport', confirmations.generate);
    jiraDown = false;
    w.advance(MINUTE);
    const retried = await call('generateManualReport', confirmations.generate);

    expect(failed.error?.code).toBe('GENERATION_FAILED');
    expect(failed.error?.message).toContain('No site data could be read');
    expect(retried.ok).toBe(true);
    expect(keysStartingWith(`phase5:report:${w.inst.cloudId}:MANUAL:`)).toEqual([retried.reportKey]);
    expect((await page()).audit.map((a) => a.outcome)).toEqual(['done', 'failed']);
  });

  it('is refused until the installation time is recorded', async () => {
    const answer = await call('generateManualReport', confirmations.generate);

    expect(answer.error).toEqual({
      code: 'REFUSED',
      message: 'The installation time is not recorded or not usable; record it first.',
    });
    expect(w.reports()).toEqual([]);
  });
});

describe('2. retry a trigger now', () => {
  it('clears the backoff, keeps the attempt count, and the next scheduled run attempts it at once', async () => {
    await twelveHourReportBackingOff();
    const backedOff = await w.run();

    const answer = await call('retryTrigger', confirmations.retry12);
    const stateAfter = state();
    const next = await w.run();

    expect(backedOff.body).toMatchObject({ reason: 'BACKOFF_ACTIVE' });
    expect(answer).toMatchObject({ ok: true, changedKeys: [w.keys.state] });
    expect(stateAfter).toMatchObject({
      auto_12h_backoff_until: null,
      auto_12h_attempt_count: 1,
      last_backoff_until: null,
    });
    expect(next.body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H', attempt: 2 });
    expect((await page()).audit[0]).toMatchObject({ action: 'RETRY_TRIGGER', trigger: 'AUTO_12H', accountId: ADMIN });
  });

  it('is refused for a trigger that is not backing off, and nothing changes', async () => {
    await twelveHourReportDone();
    const before = snapshot();

    const answer = await call('retryTrigger', confirmations.retry12);

    expect(answer.error).toEqual({
      code: 'REFUSED',
      message: 'AUTO_12H cannot be retried now: It is done; reset it to generate it again.',
    });
    expect(snapshot()).toEqual(before);
  });
});

describe('3. reset a trigger', () => {
  it('sets the report aside, removes the DONE key and the counts, fences the old epoch; the scheduler then makes it again as attempt #1 of the next', async () => {
    await twelveHourReportBackingOff();
    w.advance(30 * MINUTE);
    expect((await w.run()).body).toMatchObject({ reason: 'GENERATED', attempt: 2 });
    const oldReport = w.stored().get(w.keys.report12);
    expect(keysStartingWith(`phase5:scheduler:${w.inst.cloudId}:AUTO_12H:CLAIM:`)).toHaveLength(2);

    const answer = await call('resetTrigger', confirmations.reset12);
    const replaced = keysStartingWith(`phase5:report:${w.inst.cloudId}:AUTO_12H:REPLACED:`);
    const afterReset = { done: w.stored().has(w.keys.done12), report: w.stored().has(w.keys.report12), state: state() };
    const claimsAfterReset = keysStartingWith(`phase5:scheduler:${w.inst.cloudId}:AUTO_12H:CLAIM:`);
    const regenerated = await w.run();
    const newEpochClaims = keysStartingWith(`phase5:scheduler:${w.inst.cloudId}:AUTO_12H:E1:CLAIM:`);

    expect(answer.ok).toBe(true);
    expect(replaced).toHaveLength(1);
    expect(w.stored().get(replaced[0])).toEqual(oldReport);
    expect(afterReset).toMatchObject({
      done: false,
      report: false,
      state: { auto_12h_attempt_count: 0, auto_12h_generated_at: null, auto_12h_last_error: null },
    });
    // Claims are never deleted: the old epoch keeps its two attempts and the Reset's fence after them.
    expect(claimsAfterReset).toHaveLength(3);
    expect(w.stored().get(claimsAfterReset[2])).toMatchObject({ attempt: 3, kind: 'reset', outcome: 'reset' });
    expect(w.stored().get(w.keys.state)).toMatchObject({ auto_12h_epoch: 1 });
    expect(newEpochClaims).toEqual([`phase5:scheduler:${w.inst.cloudId}:AUTO_12H:E1:CLAIM:1`]);
    expect(regenerated.body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H', attempt: 1 });
    expect(state()).toMatchObject({ auto_12h_attempt_count: 1, auto_12h_last_error: null });
    const view = await page();
    expect(view.reports.map((r) => r.kind)).toEqual(['AUTO_12H', 'REPLACED']);
    expect(view.audit[0]).toMatchObject({ action: 'RESET_TRIGGER', trigger: 'AUTO_12H' });
  });

  it('is refused while a generation holds a live claim, and nothing changes', async () => {
    await twelveHourReportBackingOff();
    w.advance(30 * MINUTE);
    await w.app.put(w.inst, w.keys.claim('AUTO_12H', 2), serializeClaim(newClaim(2, w.app.clock.now(), 'in-flight')));
    const before = snapshot();

    const answer = await call('resetTrigger', confirmations.reset12);

    expect(answer.error?.code).toBe('REFUSED');
    expect(answer.error?.message).toMatch(/^AUTO_12H cannot be reset: A generation holds its claim until /);
    expect(snapshot()).toEqual(before);
  });

  it('is refused for AUTO_12H once its window has closed (it would only be marked missed)', async () => {
    await w.installedHoursAgo(25);
    await w.run();
    const before = snapshot();

    const answer = await call('resetTrigger', confirmations.reset12);

    expect(answer.error?.message).toContain('Generate a manual report instead');
    expect(snapshot()).toEqual(before);
  });

  it('keeps the newest five replaced reports', async () => {
    await twelveHourReportDone();
    for (let i = 0; i < 6; i++) {
      expect((await call('resetTrigger', confirmations.reset12)).ok).toBe(true);
      w.advance(5 * MINUTE);
      expect((await w.run()).body).toMatchObject({ reason: 'GENERATED', attempt: 1 });
    }

    expect(keysStartingWith(`phase5:report:${w.inst.cloudId}:AUTO_12H:REPLACED:`)).toHaveLength(5);
    expect((await page()).reports.filter((r) => r.kind === 'REPLACED')).toHaveLength(5);
  });
});

describe('4. record the installation time', () => {
  it('records "installed now" attributed to the admin; 12 hours later the scheduler makes the report', async () => {
    const answer = await call('recordInstallation', confirmations.record);
    const view = await page();
    w.advance(12 * HOUR);
    const run = await w.run();

    expect(answer).toMatchObject({ ok: true, changedKeys: [w.keys.evidence] });
    expect(w.stored().get(w.keys.evidence)).toMatchObject({
      installation_timestamp: '2026-11-02T09:00:00.000Z',
      source: 'admin',
      recorded_by: ADMIN,
    });
    expect(view.installation).toMatchObject({ status: 'recorded', source: 'admin', recordedBy: ADMIN });
    expect(view.audit[0]).toMatchObject({ action: 'RECORD_INSTALLATION', accountId: ADMIN });
    expect(run.body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H' });
  });

  it('never overwrites existing evidence', async () => {
    await w.installedHoursAgo(3);
    const before = snapshot();

    const answer = await call('recordInstallation', confirmations.record);

    expect(answer.error?.code).toBe('REFUSED');
    expect(answer.error?.message).toContain('it is never overwritten');
    expect(snapshot()).toEqual(before);
  });
});
