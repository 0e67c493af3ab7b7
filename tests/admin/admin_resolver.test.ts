import type { SeamCall } from '../../local/runtime/forge_runtime';
import * as actions from '../../src/admin/actions';
import { CONFIRMATIONS } from '../../src/admin/contract';
import type { AdminPageView } from '../../src/admin/contract';
import { EMPTY_STORED_STATE_FIELDS } from '../../src/scheduled/scheduler_state';
import { InvalidStorageKeyError } from '../../src/errors';
import { keys } from '../../src/storage/keys';
import { HOUR, MINUTE, SchedulerWorld } from '../support/scheduler_world';
import type { Words } from '../../src/admin/contract';
import { say } from './support/english';

/**
 * The admin page's resolver, called the way Forge calls it for the page's
 * `invoke` (the manifest's jira:adminPage module, the real @forge/resolver,
 * the calling user as the invocation's principal), against the local KVS and
 * Jira emulators. Only ADMIN is a Jira administrator on the emulated site.
 */

const ADMIN = '5b10a2844c20165700ede21g';
const USER = '5b10ac8d82e05b22cc7d4ef5';
const PAGE = 'phase5-admin-page';

type Answer = { ok: boolean; error?: { code: string; message: string; words?: Words }; [k: string]: any };

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
/** Everything stored for the site: plain keys and its ledger records. */
const snapshot = () =>
  JSON.stringify([
    ...[...w.stored()].sort(([a], [b]) => a.localeCompare(b)),
    ...w.app.kvs.entityEntries(w.inst.installationId, 'claim').map((e) => [e.key, e.value]),
  ]);
/** A claim as the version before the ledger stored it, released with `outcome` at `at`. */
const legacyClaim = (attempt: number, at: number, outcome?: string, leaseMs = 60_000) => ({
  attempt,
  claimed_at: new Date(at).toISOString(),
  lease_expires_at: new Date(at + leaseMs).toISOString(),
  invocation_id: 'earlier',
  ...(outcome ? { released_at: new Date(at).toISOString(), outcome } : {}),
});
/** A ledger record as stored, read back. */
const record = (trigger: 'AUTO_12H' | 'AUTO_24H' | 'MANUAL') =>
  w.app.kvs
    .entityEntries(w.inst.installationId, 'claim')
    .find((e) => e.key === keys.claimRecord(w.inst.cloudId, trigger))?.value as Record<string, unknown> | undefined;
/** Store a ledger record's attributes over the stored ones, as another invocation's transition would have. */
async function putRecord(trigger: 'AUTO_12H' | 'AUTO_24H' | 'MANUAL', patch: Record<string, unknown>) {
  const current = record(trigger) ?? {
    schema_version: 1,
    cloud_id: w.inst.cloudId,
    trigger,
    version: 1,
    epoch: 0,
    attempt: 0,
    status: 'idle',
    holder: 'someone',
  };
  const value = { ...current, ...patch };
  const res = await w.app.kvs.handle(w.inst.installationId, '/api/v1/entity/set', {
    method: 'POST',
    body: JSON.stringify({ entityName: 'claim', key: keys.claimRecord(w.inst.cloudId, trigger), value }),
  });
  if (!res.ok) throw new Error(`storing the record failed: ${await res.text()}`);
}
/** A claim held by another invocation since `at`, under a lease of `leaseMs`. */
const heldSince = (at: number, leaseMs: number, attempt: number) => ({
  status: 'held',
  holder: 'other',
  attempt,
  claimed_at: new Date(at).toISOString(),
  lease_expires_at: new Date(at + leaseMs).toISOString(),
  generation_started_at: new Date(at).toISOString(),
});
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

/** What the page tells the admin: the answer's words (or its refusal's), in English, by the world's clock. */
const told = (answer: Answer): string => {
  const said = answer.ok ? (answer.words as Words) : answer.error?.words;
  if (!said) throw new Error(`The answer has no words: ${JSON.stringify(answer)}`);
  return say(said, new Date(w.app.clock.now()).toISOString());
};

const confirmations = {
  generate: { confirmation: CONFIRMATIONS.generateManualReport() },
  retry12: { trigger: 'AUTO_12H', confirmation: CONFIRMATIONS.retryTrigger('AUTO_12H') },
  reset12: { trigger: 'AUTO_12H', confirmation: CONFIRMATIONS.resetTrigger('AUTO_12H') },
  /** "Installed now", by the world's clock, as the page's input offers it first. */
  get record() {
    return { confirmation: CONFIRMATIONS.recordInstallation(), installedAt: new Date(w.app.clock.now()).toISOString() };
  },
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

describe("the resolver's log lines, for whoever reads the app's logs", () => {
  async function linesOf(fn: string, payload: unknown, accountId: string | undefined) {
    const run = await w.app.invoker.resolver<Answer>(w.inst, PAGE, fn, payload, accountId);
    return run.invocation.logs.filter((l) => l.line.startsWith('[Phase5Admin]'));
  }

  it('logs who called what and how it ended; a refusal names the caller and why; a failure says what failed', async () => {
    await twelveHourReportDone();

    const answered = await linesOf('getAdminPage', {}, ADMIN);
    const notFound = await linesOf('getReport', { reportKey: `phase5:report:${w.inst.cloudId}:AUTO_24H` }, ADMIN);
    const notAdmin = await linesOf('getAdminPage', {}, USER);
    const noUser = await linesOf('getAdminPage', {}, undefined);
    w.failKvs('batch/get');
    const failed = await linesOf('getAdminPage', {}, ADMIN);

    expect(answered).toEqual([{ level: 'info', line: `[Phase5Admin] getAdminPage by ${ADMIN}: ok` }]);
    expect(notFound).toEqual([{ level: 'info', line: `[Phase5Admin] getReport by ${ADMIN}: NOT_FOUND` }]);
    expect(notAdmin).toEqual([{ level: 'warn', line: `[Phase5Admin] getAdminPage refused for ${USER}: NOT_ADMIN` }]);
    expect(noUser).toEqual([{ level: 'warn', line: '[Phase5Admin] getAdminPage refused for no user: NO_USER' }]);
    expect(failed).toEqual([
      { level: 'error', line: expect.stringMatching(/^\[Phase5Admin\] getAdminPage failed: .+: .*injected/) },
    ]);
  });
});

describe('a failure no action answers for itself is still an answer, never a throw', () => {
  // Every action turns Jira, event and storage failures into answers; what is left is a bug in our own code.
  // It is stood in for here by making the action itself fail, as the resolver would see such a bug.
  afterEach(() => jest.restoreAllMocks());

  it('an unexpected error: INTERNAL_ERROR saying what failed, logged, and nothing stored', async () => {
    await twelveHourReportDone();
    const before = snapshot();
    jest
      .spyOn(actions, 'getAdminPage')
      .mockRejectedValue(new TypeError("Cannot read properties of undefined (reading 'at')"));

    const run = await w.app.invoker.resolver<Answer>(w.inst, PAGE, 'getAdminPage', {}, ADMIN);

    if (run.killed) throw new Error('getAdminPage was killed');
    expect(run.result).toEqual({
      ok: false,
      error: {
        code: 'INTERNAL_ERROR',
        message: "Unexpected error: Cannot read properties of undefined (reading 'at')",
      },
    });
    expect(run.invocation.logs.filter((l) => l.line.startsWith('[Phase5Admin]'))).toEqual([
      { level: 'error', line: "[Phase5Admin] getAdminPage failed: Cannot read properties of undefined (reading 'at')" },
    ]);
    expect(snapshot()).toBe(before);
  });

  it('a storage key our code refused to use: INVALID_INPUT naming it, not a storage outage', async () => {
    jest.spyOn(actions, 'getReport').mockRejectedValue(new InvalidStorageKeyError('Storage key "a b" is not valid'));

    const answer = await call('getReport', { reportKey: `phase5:report:${w.inst.cloudId}:AUTO_12H` });

    expect(answer).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: 'Storage key "a b" is not valid' } });
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
    expect(report.report).toMatchObject({ trigger: 'AUTO_12H', schema_version: 3 });
    expect(report.report.coverage).toHaveLength(6);
  });

  it('answers NOT_FOUND for a report key of this site that holds nothing', async () => {
    await twelveHourReportDone();

    const answer = await call('getReport', { reportKey: `phase5:report:${w.inst.cloudId}:AUTO_24H` });

    expect(answer.error).toEqual({
      code: 'NOT_FOUND',
      message: `No report is stored under phase5:report:${w.inst.cloudId}:AUTO_24H.`,
    });
  });

  it('turns a storage outage into an answer, not a throw', async () => {
    await twelveHourReportDone();
    w.failKvs('batch/get');

    const answer = await call('getAdminPage', {});

    expect(answer.error?.code).toBe('STORAGE_UNAVAILABLE');
    expect(answer.error?.message).toMatch(
      /^Storage is not available right now \(.+: .*injected.*\); nothing was changed\.$/,
    );
  });

  it('still shows the page when the scheduler state cannot be read, warning that it cannot', async () => {
    await twelveHourReportBackingOff();
    await w.app.put(w.inst, w.keys.state, 'overwritten by hand');

    const view = await page();

    expect(view.stateProblem).toMatch(/^The stored state is invalid/);
    // The ledger records, which the state only mirrors, still say where each trigger stands.
    expect(view.triggers.map((t) => [t.trigger, t.status])).toEqual([
      ['AUTO_12H', 'backing_off'],
      ['AUTO_24H', 'waiting'],
    ]);
  });

  it('says what storage answered when a read comes back without its results', async () => {
    await twelveHourReportDone();
    w.addFault((c) =>
      c.service === 'kvs' && c.path === '/api/v1/batch/get' ? new Response('{}', { status: 200 }) : undefined,
    );

    const answer = await call('getAdminPage', {});

    expect(answer.error).toEqual({
      code: 'STORAGE_UNAVAILABLE',
      message: 'Storage is not available right now (KVS batch read returned no result list); nothing was changed.',
    });
  });

  it('refuses a call whose site is not the installation Forge names, before reading or asking anything', async () => {
    await twelveHourReportDone();

    const run = await w.app.invoker.resolver<Answer>(w.inst, PAGE, 'getAdminPage', {}, ADMIN, {
      cloudId: '0a0b0c0d-0000-4000-8000-000000000009',
    });

    expect(run.killed ? 'killed' : run.result).toEqual({
      ok: false,
      error: {
        code: 'TENANT_CONTEXT_UNAVAILABLE',
        message:
          'The site could not be identified: context.installContext does not name the site in request.context.cloudId.',
      },
    });
    expect(run.invocation.stats).toMatchObject({ kvsRequests: 0, jiraRequests: 0 });
  });

  it('reads the page in four KVS requests whatever the history', async () => {
    await twelveHourReportDone();
    w.advance(11 * HOUR);
    expect((await w.run()).body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_24H' });
    const requests = async () =>
      (await w.app.invoker.resolver<Answer>(w.inst, PAGE, 'getAdminPage', {}, ADMIN)).invocation.stats.kvsRequests;

    const bothDone = await requests();
    for (let i = 0; i < 3; i++) expect((await call('generateManualReport', confirmations.generate)).ok).toBe(true);
    const withManualReports = await requests();

    expect(bothDone).toBe(4);
    expect(withManualReports).toBe(4);
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
    expect(w.stored().get(manualKeys[0])).toMatchObject({ trigger: 'MANUAL', schema_version: 3, attempt: 1 });
    expect(view.reports.map((r) => r.kind)).toEqual(['AUTO_12H', 'MANUAL']);
    expect(view.audit[0]).toMatchObject({ action: 'GENERATE_MANUAL_REPORT', accountId: ADMIN, outcome: 'done' });
    expect([w.keys.report12, w.keys.done12, w.keys.state].map((k) => JSON.stringify(w.stored().get(k)))).toEqual(
      scheduled,
    );
  });

  it('keeps the newest ten: the eleventh deletes the oldest in the same commit', async () => {
    await twelveHourReportDone();
    const generated: string[] = [];
    for (let i = 0; i < 11; i++) {
      generated.push((await call('generateManualReport', confirmations.generate)).reportKey as string);
      w.advance(MINUTE);
    }

    const stored = keysStartingWith(`phase5:report:${w.inst.cloudId}:MANUAL:`);
    const view = await page();

    expect(stored).toEqual(generated.slice(1).sort());
    expect(view.reports.filter((r) => r.kind === 'MANUAL').map((r) => r.key)).toEqual(generated.slice(1).reverse());
    expect(view.audit[0].detail).toMatch(/^Manual report #11 stored \(\d+ bytes\); the oldest beyond 10 removed$/);
    expect(view.audit[0].changedKeys).toEqual(
      expect.arrayContaining([generated[0], keys.manualReportEntry(w.inst.cloudId, 1)]),
    );
    expect(view.audit[1].detail).toMatch(/^Manual report #10 stored \(\d+ bytes\)$/);
  });

  it('is refused while another manual generation holds a live claim, and goes ahead once that claim has expired', async () => {
    await twelveHourReportDone();
    const claimedAt = w.app.clock.now();
    await putRecord('MANUAL', heldSince(claimedAt, 60_000, 1));

    const busy = await call('generateManualReport', confirmations.generate);
    // Over once its lease has ended by this clock: which request takes the next number is the
    // record's conditional transition's say, so no allowance for other clocks is needed.
    w.advance(MINUTE + 1_000);
    const later = await call('generateManualReport', confirmations.generate);

    expect(busy.error).toMatchObject({
      code: 'REFUSED',
      message: 'A manual report has been generating since 2 Nov 2026, 09:00 UTC; wait for it to finish.',
    });
    expect(told(busy)).toBe(
      'Another manual report is being made (started Nov 2, 2026, 9:00 AM UTC); wait for it to finish.',
    );
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
    expect(told(failed)).toBe('The manual report could not be made: Jira answered 503 Service Unavailable.');
    expect(retried.ok).toBe(true);
    expect(keysStartingWith(`phase5:report:${w.inst.cloudId}:MANUAL:`)).toEqual([retried.reportKey]);
    const audit = (await page()).audit;
    expect(audit.map((a) => a.outcome)).toEqual(['done', 'failed']);
    expect(audit[1]).toMatchObject({
      action: 'GENERATE_MANUAL_REPORT',
      detail: expect.stringMatching(/^Manual report #1 failed: No site data could be read/),
      changedKeys: [keys.claimRecord(w.inst.cloudId, 'MANUAL')],
    });
  });

  it('needs no installation time: the snapshot leaves out what counts from it, and says so', async () => {
    const answer = await call('generateManualReport', confirmations.generate);

    expect(answer.ok).toBe(true);
    expect(told(answer)).toBe(
      'Manual report 1 is stored and listed under Stored reports. It leaves out what counts from the ' +
        'installation, which is not recorded.',
    );
    expect(w.stored().get(answer.reportKey as string)).toMatchObject({
      trigger: 'MANUAL',
      installation_timestamp: null,
      observation_window_hours: null,
      site: { issues: { created_since_install: null, updated_since_install: null } },
    });
    expect(w.stored().has(w.keys.evidence)).toBe(false);
  });

  it('tells the admin where the report is listed; its audit entry names it, its size and the keys written', async () => {
    await twelveHourReportDone();

    const answer = await call('generateManualReport', confirmations.generate);
    const entry = (await page()).audit[0];

    expect(told(answer)).toBe('Manual report 1 is stored and listed under Stored reports.');
    expect(say(entry.words!, entry.at)).toBe('Manual report 1 stored.');
    expect(answer.changedKeys).toEqual([answer.reportKey, keys.manualReportEntry(w.inst.cloudId, 1)]);
    expect(entry.detail).toMatch(/^Manual report #1 stored \(\d+ bytes\)$/);
    expect(entry.changedKeys).toEqual(answer.changedKeys);
  });

  it("numbers on from an earlier version's manual claims, even one that cannot be read", async () => {
    await twelveHourReportDone();
    await w.app.put(w.inst, `phase5:scheduler:${w.inst.cloudId}:MANUAL:CLAIM:1`, 'garbled');

    const answer = await call('generateManualReport', confirmations.generate);

    expect(answer.ok).toBe(true);
    expect(answer.reportKey).toMatch(/MANUAL:20261102T\d{6}\.\d{3}Z-2$/);
  });

  it('removes at most six older reports along with a new one, and catches up with the next', async () => {
    // Prepare: seventeen kept reports (a listing that lagged let them pile up), numbered 1 to 17.
    await twelveHourReportDone();
    const cloud = w.inst.cloudId;
    const anHourAgo = w.app.clock.now() - HOUR;
    for (let n = 1; n <= 17; n++) {
      const key = `phase5:report:${cloud}:MANUAL:20261102T080000.000Z-${n}`;
      await w.app.put(w.inst, key, { trigger: 'MANUAL', schema_version: 2 });
      await w.app.put(w.inst, keys.manualReportEntry(cloud, n), {
        key,
        sequence: n,
        generated_at: '2026-11-02T08:00:00.000Z',
        requested_by: ADMIN,
      });
      await w.app.put(w.inst, `phase5:scheduler:${cloud}:MANUAL:CLAIM:${n}`, legacyClaim(n, anHourAgo, 'generated'));
    }
    const manualReports = () => keysStartingWith(`phase5:report:${cloud}:MANUAL:`);

    // Act
    const first = await call('generateManualReport', confirmations.generate);
    const afterFirst = manualReports();
    w.advance(MINUTE);
    const second = await call('generateManualReport', confirmations.generate);

    // Assess
    expect([first.ok, second.ok]).toEqual([true, true]);
    expect(afterFirst).toHaveLength(12);
    expect(manualReports()).toHaveLength(10);
    expect(
      (await page()).reports
        .filter((r) => r.kind === 'MANUAL')
        .map((r) => r.key)
        .slice(0, 2),
    ).toEqual([second.reportKey, first.reportKey]);
  });

  describe("when the listing of an earlier version's manual claims lags behind them", () => {
    const claimKey = (n: number) => `phase5:scheduler:${w.inst.cloudId}:MANUAL:CLAIM:${n}`;
    /** Numbers 1..count used by earlier manual reports, none of which the listing shows yet. */
    async function usedUnlisted(count: number): Promise<void> {
      w.addFault((c) =>
        c.service === 'kvs' && c.path === '/api/v1/query' && c.body?.includes(claimKey(1).slice(0, -1))
          ? new Response('{"data":[]}', { status: 200 })
          : undefined,
      );
      const at = w.app.clock.now() - HOUR;
      for (let n = 1; n <= count; n++) {
        await w.app.put(w.inst, claimKey(n), legacyClaim(n, at, 'generated'));
      }
    }

    it('walks on past the numbers already used to the first free one', async () => {
      await twelveHourReportDone();
      await usedUnlisted(4);

      const answer = await call('generateManualReport', confirmations.generate);

      expect(answer.ok).toBe(true);
      expect(answer.reportKey).toMatch(/MANUAL:20261102T\d{6}\.\d{3}Z-5$/);
    });

    it('however many numbers were used, the next is past them all', async () => {
      await twelveHourReportDone();
      await usedUnlisted(12);

      const answer = await call('generateManualReport', confirmations.generate);

      expect(answer.ok).toBe(true);
      expect(answer.reportKey).toMatch(/MANUAL:20261102T\d{6}\.\d{3}Z-13$/);
    });
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
    expect(answer).toMatchObject({
      ok: true,
      changedKeys: [keys.claimRecord(w.inst.cloudId, 'AUTO_12H'), w.keys.state],
    });
    expect(stateAfter).toMatchObject({
      auto_12h_backoff_until: null,
      auto_12h_attempt_count: 1,
      last_backoff_until: null,
    });
    expect(next.body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H', attempt: 2 });
    expect((await page()).audit[0]).toMatchObject({
      action: 'RETRY_TRIGGER',
      trigger: 'AUTO_12H',
      accountId: ADMIN,
      detail: 'Backoff until 2026-11-02T09:30:00.000Z cleared after 1 failed attempt(s)',
      changedKeys: [keys.claimRecord(w.inst.cloudId, 'AUTO_12H'), w.keys.state],
    });
  });

  it.each(['AUTO_12H', 'AUTO_24H'] as const)(
    "after a reset, retries %s in its new epoch, keeping that epoch's attempt count",
    async (trigger) => {
      await twelveHourReportDone();
      if (trigger === 'AUTO_24H') {
        w.advance(11 * HOUR);
        expect((await w.run()).body).toMatchObject({ reason: 'GENERATED', trigger });
      }
      const t = trigger === 'AUTO_12H' ? '12h' : '24h';
      expect((await call('resetTrigger', { trigger, confirmation: CONFIRMATIONS.resetTrigger(trigger) })).ok).toBe(
        true,
      );
      jiraDown = true;
      expect((await w.run()).body).toMatchObject({ reason: 'GENERATION_FAILED', trigger, attempt: 1 });
      jiraDown = false;

      const answer = await call('retryTrigger', { trigger, confirmation: CONFIRMATIONS.retryTrigger(trigger) });
      const stateAfter = state();
      const next = await w.run();

      expect(answer.ok).toBe(true);
      expect(stateAfter).toMatchObject({
        [`auto_${t}_epoch`]: 1,
        [`auto_${t}_attempt_count`]: 1,
        [`auto_${t}_backoff_until`]: null,
      });
      expect(next.body).toMatchObject({ reason: 'GENERATED', trigger, attempt: 2 });
    },
  );

  it('is refused for a trigger that is not backing off even while the other one is, and nothing changes', async () => {
    await twelveHourReportBackingOff();
    const before = snapshot();

    const answer = await call('retryTrigger', {
      trigger: 'AUTO_24H',
      confirmation: CONFIRMATIONS.retryTrigger('AUTO_24H'),
    });

    expect(answer.error).toMatchObject({ code: 'REFUSED', message: 'AUTO_24H cannot be retried now (waiting)' });
    expect(told(answer)).toBe('It is not due yet.');
    expect(snapshot()).toEqual(before);
  });

  it('is refused for a trigger that is not backing off, and nothing changes', async () => {
    await twelveHourReportDone();
    const before = snapshot();

    const answer = await call('retryTrigger', confirmations.retry12);

    expect(answer.error).toMatchObject({ code: 'REFUSED', message: 'AUTO_12H cannot be retried now (done)' });
    expect(told(answer)).toBe('It is done; reset it to make it again.');
    expect(snapshot()).toEqual(before);
  });
});

describe('3. reset a trigger', () => {
  it('sets the report aside, removes the DONE key and the counts, moves the record to the next epoch; the scheduler then makes it again as attempt #1 of it', async () => {
    await twelveHourReportBackingOff();
    w.advance(30 * MINUTE);
    expect((await w.run()).body).toMatchObject({ reason: 'GENERATED', attempt: 2 });
    const oldReport = w.stored().get(w.keys.report12);
    const versionBefore = record('AUTO_12H')?.version as number;

    const answer = await call('resetTrigger', confirmations.reset12);
    const replaced = keysStartingWith(`phase5:report:${w.inst.cloudId}:AUTO_12H:REPLACED:`);
    const afterReset = { done: w.stored().has(w.keys.done12), report: w.stored().has(w.keys.report12), state: state() };
    const recordAfterReset = record('AUTO_12H');
    const regenerated = await w.run();

    expect(answer.ok).toBe(true);
    expect(replaced).toHaveLength(1);
    expect(w.stored().get(replaced[0])).toEqual(oldReport);
    expect(afterReset).toMatchObject({
      done: false,
      report: false,
      state: { auto_12h_attempt_count: 0, auto_12h_generated_at: null, auto_12h_last_error: null },
    });
    // One transition of the record: the next epoch, no attempts, no claim; the state mirrors it.
    expect(recordAfterReset).toMatchObject({
      version: versionBefore + 1,
      epoch: 1,
      attempt: 0,
      status: 'idle',
      outcome: 'reset',
    });
    expect(w.stored().get(w.keys.state)).toMatchObject({ auto_12h_epoch: 1 });
    expect(record('AUTO_12H')).toMatchObject({ epoch: 1, attempt: 1, status: 'done' });
    expect(regenerated.body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H', attempt: 1 });
    expect(state()).toMatchObject({ auto_12h_attempt_count: 1, auto_12h_last_error: null });
    const view = await page();
    expect(view.reports.map((r) => r.kind)).toEqual(['AUTO_12H', 'REPLACED']);
    expect(view.audit[0]).toMatchObject({ action: 'RESET_TRIGGER', trigger: 'AUTO_12H' });
  });

  it('is refused while a generation holds a live claim, and nothing changes', async () => {
    await twelveHourReportBackingOff();
    w.advance(30 * MINUTE);
    await putRecord('AUTO_12H', heldSince(w.app.clock.now(), 16 * MINUTE, 2));
    const before = snapshot();

    const answer = await call('resetTrigger', confirmations.reset12);

    expect(answer.error?.code).toBe('REFUSED');
    expect(answer.error?.message).toBe('AUTO_12H cannot be reset (generating)');
    expect(told(answer)).toMatch(/^It is being made right now; a reset is possible after Nov 2, 2026, 9:46 AM UTC\.$/);
    expect(snapshot()).toEqual(before);
  });

  it('is refused for a trigger not yet attempted, whatever the other trigger allows, and nothing changes', async () => {
    await twelveHourReportDone();
    const before = snapshot();

    const answer = await call('resetTrigger', {
      trigger: 'AUTO_24H',
      confirmation: CONFIRMATIONS.resetTrigger('AUTO_24H'),
    });

    expect(answer.error).toMatchObject({ code: 'REFUSED', message: 'AUTO_24H cannot be reset (waiting)' });
    expect(told(answer)).toBe('Nothing to reset: it has not been tried yet.');
    expect(snapshot()).toEqual(before);
  });

  it('costs the page read (a batch, a query of the records, two listings), one batch read, and one transaction', async () => {
    await twelveHourReportDone();

    const run = await w.app.invoker.resolver<Answer>(w.inst, PAGE, 'resetTrigger', confirmations.reset12, ADMIN);

    expect(run.killed ? 'killed' : run.result.ok).toBe(true);
    expect(run.invocation.stats.kvsByOperation).toEqual({
      'batch/get': 2,
      'entity/query': 1,
      query: 2,
      transaction: 1,
    });
  });

  it('a trigger that failed thirty times is reset in the same one transaction', async () => {
    // Prepare: thirty attempts over (a month of failures).
    await twelveHourReportBackingOff();
    await putRecord('AUTO_12H', { attempt: 30, version: (record('AUTO_12H')?.version as number) + 1 });

    const answer = await call('resetTrigger', confirmations.reset12);

    expect(answer.ok).toBe(true);
    expect(record('AUTO_12H')).toMatchObject({ epoch: 1, attempt: 0 });
    expect((await page()).audit[0].detail).toBe('marked not done after 30 attempt(s); attempts start again from 1');
  });

  it('is refused for AUTO_12H once its window has closed (it would only be marked missed)', async () => {
    await w.installedHoursAgo(25);
    await w.run();
    const before = snapshot();

    const answer = await call('resetTrigger', confirmations.reset12);

    expect(told(answer)).toContain('Generate a manual report instead');
    expect(snapshot()).toEqual(before);
  });

  it('tells the admin what it did: a trigger with no report only restarts', async () => {
    await twelveHourReportBackingOff();

    const answer = await call('resetTrigger', confirmations.reset12);
    const entry = (await page()).audit[0];

    expect(answer).toMatchObject({
      ok: true,
      changedKeys: [keys.claimRecord(w.inst.cloudId, 'AUTO_12H'), w.keys.state],
    });
    expect(told(answer)).toBe('The app makes the 12-hour report again when it is due.');
    expect(say(entry.words!, entry.at)).toBe('Started over after one attempt.');
    expect(entry).toMatchObject({
      action: 'RESET_TRIGGER',
      trigger: 'AUTO_12H',
      detail: 'marked not done after 1 attempt(s); attempts start again from 1',
      changedKeys: answer.changedKeys,
    });
  });

  it('tells the admin where the report was set aside, and lists it with its time, attempt and who reset it', async () => {
    await twelveHourReportDone();
    const cloud = w.inst.cloudId;
    const aside = `phase5:report:${cloud}:AUTO_12H:REPLACED:20261102T090000.000Z-E0`;

    const answer = await call('resetTrigger', confirmations.reset12);
    const view = await page();

    expect(told(answer)).toBe(
      'Its report stays in the list, marked as replaced; the app makes the 12-hour report again when it is due.',
    );
    expect(answer).toMatchObject({
      ok: true,
      changedKeys: [
        keys.claimRecord(cloud, 'AUTO_12H'),
        w.keys.state,
        aside,
        keys.replacedReportEntry(cloud, 'AUTO_12H', 0),
        w.keys.done12,
        w.keys.report12,
      ],
    });
    expect(view.audit[0].detail).toBe(
      'Its report was set aside (still listed, as replaced); marked not done after 1 attempt(s); attempts start again from 1',
    );
    expect(view.reports.find((r) => r.kind === 'REPLACED')).toEqual({
      key: aside,
      kind: 'REPLACED',
      trigger: 'AUTO_12H',
      generatedAt: '2026-11-02T09:00:00.000Z',
      attempt: 1,
      by: ADMIN,
      replacedAt: '2026-11-02T09:00:00.000Z',
    });
  });

  it.each([
    ['a generation time and attempt of the wrong type', { generated_at: 5, attempt: '1' }, null],
    ['attempt 0', { attempt: 0 }, '2026-11-02T09:00:00.000Z'],
  ])('sets aside a report with %s, listed with what can be read of it', async (_, damage, generatedAt) => {
    await twelveHourReportDone();
    await w.app.put(w.inst, w.keys.report12, { ...(w.stored().get(w.keys.report12) as object), ...damage });

    const answer = await call('resetTrigger', confirmations.reset12);
    const view = await page();

    expect(answer.ok).toBe(true);
    expect(view.reports.find((r) => r.kind === 'REPLACED')).toMatchObject({ generatedAt, attempt: null });
    expect(view.recordProblems).toEqual([]);
  });

  it("keeps the other trigger's progress, in that trigger's own epoch", async () => {
    // Prepare: AUTO_12H was reset once and made again in its epoch 1; at 24 h AUTO_24H fails its first attempt.
    await twelveHourReportDone();
    expect((await call('resetTrigger', confirmations.reset12)).ok).toBe(true);
    expect((await w.run()).body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H', attempt: 1 });
    w.advance(11 * HOUR);
    jiraDown = true;
    expect((await w.run()).body).toMatchObject({ reason: 'GENERATION_FAILED', trigger: 'AUTO_24H', attempt: 1 });
    jiraDown = false;
    const twelveHour = () => {
      const { auto_12h_epoch, auto_12h_generated_at, auto_12h_attempt_count } = state();
      return { auto_12h_epoch, auto_12h_generated_at, auto_12h_attempt_count };
    };
    const before = twelveHour();

    // Act
    const answer = await call('resetTrigger', {
      trigger: 'AUTO_24H',
      confirmation: CONFIRMATIONS.resetTrigger('AUTO_24H'),
    });

    // Assess
    expect(answer.ok).toBe(true);
    expect(before).toEqual({
      auto_12h_epoch: 1,
      auto_12h_generated_at: '2026-11-02T09:00:00.000Z',
      auto_12h_attempt_count: 1,
    });
    expect(twelveHour()).toEqual(before);
  });

  it('goes ahead when the scheduler state is gone, and the scheduler makes the report again', async () => {
    await twelveHourReportDone();
    await w.app.kvs.handle(w.inst.installationId, '/api/v1/delete', {
      method: 'POST',
      body: JSON.stringify({ key: w.keys.state }),
    });

    const answer = await call('resetTrigger', confirmations.reset12);
    const regenerated = await w.run();

    expect(answer.ok).toBe(true);
    expect(regenerated.body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H', attempt: 1 });
  });

  it('is refused once the trigger has been reset as often as it may be, and nothing changes', async () => {
    await twelveHourReportDone();
    await putRecord('AUTO_12H', { epoch: 10_000, version: (record('AUTO_12H')?.version as number) + 1 });
    const before = snapshot();

    const answer = await call('resetTrigger', confirmations.reset12);

    expect(answer.error).toMatchObject({
      code: 'REFUSED',
      message: 'AUTO_12H has been reset 10000 times; no more resets.',
    });
    expect(told(answer)).toMatch(/^The 12-hour report has been reset 10,000 times/);
    expect(snapshot()).toEqual(before);
  });

  it('ignores an EPOCH key left by the version before the ledger, whatever it holds', async () => {
    await twelveHourReportDone();
    await w.app.put(w.inst, keys.legacyEpoch(w.inst.cloudId, 'AUTO_12H'), 'reset twice');

    const answer = await call('resetTrigger', confirmations.reset12);

    expect(answer.ok).toBe(true);
    expect(record('AUTO_12H')).toMatchObject({ epoch: 1 });
  });

  it('is refused while a claim is held under a running lease the page did not see yet, and nothing changes', async () => {
    // Prepare: the page read shows the trigger backing off; a generation claims attempt #2 before the Reset reads.
    await twelveHourReportBackingOff();
    w.advance(30 * MINUTE);
    const now = w.app.clock.now();
    let claimed = false;
    w.addFault(async (c) => {
      if (
        claimed ||
        c.invocation.moduleKey !== PAGE ||
        c.path !== '/api/v1/batch/get' ||
        !c.body?.includes('entityName')
      )
        return;
      claimed = true;
      await putRecord('AUTO_12H', heldSince(now, 16 * MINUTE, 2));
    });

    const answer = await call('resetTrigger', confirmations.reset12);

    expect(answer.error).toMatchObject({
      code: 'REFUSED',
      message: 'AUTO_12H attempt #2 holds a live claim until 2 Nov 2026, 09:46 UTC.',
    });
    expect(told(answer)).toBe(
      'The 12-hour report is being made right now; a reset is possible after Nov 2, 2026, 9:46 AM UTC.',
    );
  });

  it("keeps an earlier version's list of set-aside reports, which is never pruned", async () => {
    await twelveHourReportDone();
    const cloud = w.inst.cloudId;
    const listed = Array.from({ length: 5 }, (_, i) => ({
      key: `phase5:report:${cloud}:AUTO_12H:REPLACED:2026110${i + 1}T000000.000Z`,
      trigger: 'AUTO_12H',
      generated_at: null,
      attempt: null,
      replaced_at: `2026-11-0${i + 1}T00:00:00.000Z`,
      replaced_by: ADMIN,
    }));
    await w.app.put(w.inst, keys.replacedReportIndex(cloud), { schema_version: 1, reports: listed });

    const answer = await call('resetTrigger', confirmations.reset12);

    expect(answer.ok).toBe(true);
    expect((await page()).reports.filter((r) => r.kind === 'REPLACED')).toHaveLength(6);
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
  const at = (ms: number) => new Date(ms).toISOString();
  const recordAt = (installedAt: string) =>
    call('recordInstallation', { confirmation: CONFIRMATIONS.recordInstallation(), installedAt });

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
      recorded_at: '2026-11-02T09:00:00.000Z',
    });
    expect(view.installation).toMatchObject({ status: 'recorded', source: 'admin', recordedBy: ADMIN });
    expect(view.recordInstallation.allowed).toBe(false);
    expect(say(answer.words as Words, '2026-11-02T09:00:00.000Z')).toBe(
      'Installed Nov 2, 2026, 9:00 AM UTC. The 12-hour report will be due Nov 2, 2026, 9:00 PM UTC (in 12 hours), ' +
        'and the 24-hour report Nov 3, 2026, 9:00 AM UTC.',
    );
    expect(view.audit[0]).toMatchObject({
      action: 'RECORD_INSTALLATION',
      accountId: ADMIN,
      detail:
        'Installation time recorded as 2026-11-02T09:00:00.000Z, entered by an administrator at 2026-11-02T09:00:00.000Z',
      changedKeys: [w.keys.evidence],
    });
    expect(say(view.audit[0].words!, view.now)).toBe('Installation time recorded: Nov 2, 2026, 9:00 AM UTC.');
    expect(run.body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H' });
  });

  it('records a time in the past: 13 h ago makes the 12-hour report due now, and the scheduler makes it at once', async () => {
    w.advance(20 * HOUR);
    const installedAt = w.app.clock.now() - 13 * HOUR;

    const answer = await recordAt(at(installedAt));
    const run = await w.run();

    expect(w.stored().get(w.keys.evidence)).toMatchObject({
      installation_timestamp: at(installedAt),
      recorded_at: at(w.app.clock.now()),
      source: 'admin',
    });
    expect(told(answer)).toBe(
      'Installed Nov 2, 2026, 4:00 PM UTC. The 12-hour report becomes due at once, and its time runs out at ' +
        'Nov 3, 2026, 4:00 PM UTC (in 11 hours); the 24-hour report is due Nov 3, 2026, 4:00 PM UTC.',
    );
    expect(run.body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H' });
  });

  it('records a time more than 24 h ago: the 12-hour report is missed, the 24-hour one made at once', async () => {
    w.advance(30 * HOUR);
    const installedAt = w.app.clock.now() - 25 * HOUR;

    const answer = await recordAt(at(installedAt));
    const run = await w.run();
    const view = await page();

    expect(told(answer)).toBe(
      'Installed Nov 2, 2026, 2:00 PM UTC. The 12-hour report counts as missed (its time ran out at ' +
        'Nov 3, 2026, 2:00 PM UTC); the 24-hour report becomes due at once.',
    );
    expect(run.body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_24H' });
    expect(view.triggers.map((t) => t.status)).toEqual(['missed', 'done']);
  });

  it.each([
    ['in the future', (now: number) => at(now + MINUTE), 'That time is in the future.'],
    [
      "before the app's first deployment",
      () => '2026-10-31T23:59:00.000Z',
      'That is before Nov 1, 2026, 12:00 AM UTC, when the app first became available.',
    ],
    ['not an instant', () => '2026-11-02 09:00', 'Enter a date and a time.'],
  ])('refuses a time %s, and records nothing', async (_, time, words) => {
    const before = snapshot();

    const answer = await recordAt(time(w.app.clock.now()));

    expect(answer.error?.code).toBe('REFUSED');
    expect(told(answer)).toBe(words);
    expect(snapshot()).toEqual(before);
  });

  it('records the time even when its audit entry cannot be stored, and says so', async () => {
    w.addFault((c) =>
      c.service === 'kvs' && c.body?.includes(`"phase5:audit:`)
        ? new Response(JSON.stringify({ code: 'INTERNAL_SERVER_ERROR', message: 'injected' }), { status: 500 })
        : undefined,
    );

    const answer = await call('recordInstallation', confirmations.record);

    expect(answer).toMatchObject({ ok: true, changedKeys: [w.keys.evidence] });
    expect(say(answer.warning as Words, '2026-11-02T09:00:00.000Z')).toBe(
      'The time is recorded, but its audit log entry could not be saved.',
    );
    expect(w.stored().get(w.keys.evidence)).toMatchObject({ source: 'admin', recorded_by: ADMIN });
    expect(keysStartingWith('phase5:audit:')).toEqual([]);
  });

  it('never overwrites existing evidence', async () => {
    await w.installedHoursAgo(3);
    const before = snapshot();

    const answer = await call('recordInstallation', confirmations.record);

    expect(answer.error).toMatchObject({
      code: 'REFUSED',
      message:
        'The installation time is already recorded (2026-11-02T06:00:00.000Z, source avi:forge:installed:app); ' +
        'it is never overwritten.',
    });
    expect(told(answer)).toBe('The installation time is already recorded; it is never changed.');
    expect(snapshot()).toEqual(before);
  });

  it.each([
    ['text', 'installed yesterday'],
    ['fields that are not text', { installation_timestamp: 1_762_074_000_000, source: 7 }],
  ])(
    'never overwrites evidence that cannot be read either (%s), saying what it could not read',
    async (_, evidence) => {
      await w.app.put(w.inst, w.keys.evidence, evidence);
      const before = snapshot();

      const answer = await call('recordInstallation', confirmations.record);

      expect(answer.error).toMatchObject({
        code: 'REFUSED',
        message: 'The installation time is already recorded (unreadable, source unknown); it is never overwritten.',
      });
      expect(snapshot()).toEqual(before);
    },
  );
});

describe('the audit log, as stored', () => {
  it('holds one entry per action: when, what, by whom, on which trigger, and that it was done', async () => {
    const record = await call('recordInstallation', confirmations.record);
    w.advance(12 * HOUR);
    jiraDown = true;
    expect((await w.run()).body).toMatchObject({ reason: 'GENERATION_FAILED', attempt: 1 });
    jiraDown = false;
    w.advance(MINUTE);
    const retry = await call('retryTrigger', confirmations.retry12);
    expect((await w.run()).body).toMatchObject({ reason: 'GENERATED', attempt: 2 });
    w.advance(MINUTE);
    const reset = await call('resetTrigger', confirmations.reset12);
    w.advance(MINUTE);
    const manual = await call('generateManualReport', confirmations.generate);

    const stored = keysStartingWith(`phase5:audit:${w.inst.cloudId}:`).map((k) => w.stored().get(k));

    expect([record.ok, retry.ok, reset.ok, manual.ok]).toEqual([true, true, true, true]);
    const done = (action: string, at: string, trigger: string | null) => ({
      schema_version: 2,
      at,
      action,
      account_id: ADMIN,
      trigger,
      outcome: 'done',
    });
    expect(stored).toMatchObject([
      done('RECORD_INSTALLATION', '2026-11-02T09:00:00.000Z', null),
      done('RETRY_TRIGGER', '2026-11-02T21:01:00.000Z', 'AUTO_12H'),
      done('RESET_TRIGGER', '2026-11-02T21:02:00.000Z', 'AUTO_12H'),
      done('GENERATE_MANUAL_REPORT', '2026-11-02T21:03:00.000Z', null),
    ]);
  });
});

describe('the report history, as stored', () => {
  const cloud = () => w.inst.cloudId;
  const manualEntry = (sequence: number, generatedAt: string, by = 'acc-1') => ({
    key: `phase5:report:${cloud()}:MANUAL:m-${sequence}`,
    sequence,
    generated_at: generatedAt,
    requested_by: by,
  });
  const replacedEntry = (trigger: 'AUTO_12H' | 'AUTO_24H', epoch: number, replacedAt: string) => ({
    key: `phase5:report:${cloud()}:${trigger}:REPLACED:r-${epoch}`,
    trigger,
    epoch,
    generated_at: '2026-11-02T08:00:00.000Z',
    attempt: 2,
    replaced_at: replacedAt,
    replaced_by: 'acc-2',
  });
  const history = async () => {
    const view = await page();
    return {
      reports: view.reports.filter((r) => r.kind === 'MANUAL' || r.kind === 'REPLACED'),
      problems: view.recordProblems,
    };
  };

  it('lists manual reports newest number first and set-aside reports newest first, whatever the listing order', async () => {
    await w.installedHoursAgo(3);
    for (const sequence of [2, 10, 9]) {
      await w.app.put(
        w.inst,
        keys.manualReportEntry(cloud(), sequence),
        manualEntry(sequence, `2026-11-02T0${sequence % 10}:00:00.000Z`),
      );
    }
    await w.app.put(
      w.inst,
      keys.replacedReportEntry(cloud(), 'AUTO_12H', 0),
      replacedEntry('AUTO_12H', 0, '2026-11-02T07:00:00.000Z'),
    );
    await w.app.put(
      w.inst,
      keys.replacedReportEntry(cloud(), 'AUTO_12H', 1),
      replacedEntry('AUTO_12H', 1, '2026-11-02T08:30:00.000Z'),
    );
    await w.app.put(
      w.inst,
      keys.replacedReportEntry(cloud(), 'AUTO_24H', 0),
      replacedEntry('AUTO_24H', 0, '2026-11-02T08:00:00.000Z'),
    );

    const { reports, problems } = await history();

    expect(reports.map((r) => [r.kind, r.key])).toStrictEqual([
      ['MANUAL', `phase5:report:${cloud()}:MANUAL:m-10`],
      ['MANUAL', `phase5:report:${cloud()}:MANUAL:m-9`],
      ['MANUAL', `phase5:report:${cloud()}:MANUAL:m-2`],
      ['REPLACED', `phase5:report:${cloud()}:AUTO_12H:REPLACED:r-1`],
      ['REPLACED', `phase5:report:${cloud()}:AUTO_24H:REPLACED:r-0`],
      ['REPLACED', `phase5:report:${cloud()}:AUTO_12H:REPLACED:r-0`],
    ]);
    expect(reports[1]).toMatchObject({ trigger: 'MANUAL', generatedAt: '2026-11-02T09:00:00.000Z', by: 'acc-1' });
    expect(reports[3]).toMatchObject({
      trigger: 'AUTO_12H',
      generatedAt: '2026-11-02T08:00:00.000Z',
      attempt: 2,
      by: 'acc-2',
      replacedAt: '2026-11-02T08:30:00.000Z',
    });
    expect(problems).toEqual([]);
  });

  it('shows a set-aside report whose time and attempt were not known as unknown, not as a problem', async () => {
    await w.installedHoursAgo(3);
    const entry = replacedEntry('AUTO_12H', 0, '2026-11-02T08:30:00.000Z');
    await w.app.put(w.inst, keys.replacedReportEntry(cloud(), 'AUTO_12H', 0), {
      ...entry,
      generated_at: null,
      attempt: null,
    });
    const { generated_at: _g, attempt: _a, ...withoutBoth } = replacedEntry('AUTO_24H', 0, '2026-11-02T08:00:00.000Z');
    await w.app.put(w.inst, keys.replacedReportEntry(cloud(), 'AUTO_24H', 0), withoutBoth);

    const { reports, problems } = await history();

    expect(reports.map((r) => [r.trigger, r.generatedAt, r.attempt])).toStrictEqual([
      ['AUTO_12H', null, null],
      ['AUTO_24H', null, null],
    ]);
    expect(problems).toEqual([]);
  });

  const damagedManual: Array<[string, (entry: Record<string, unknown>) => unknown]> = [
    ['a number 0', (e) => ({ ...e, sequence: 0 })],
    ['a fractional number', (e) => ({ ...e, sequence: 1.5 })],
    ['a number as text', (e) => ({ ...e, sequence: '1' })],
    ['a key that is not text', (e) => ({ ...e, key: 7 })],
    ['no generation time', (e) => ({ ...e, generated_at: null })],
    ['no requester', (e) => ({ ...e, requested_by: undefined })],
    ['text instead of an entry', () => 'MANUAL #1'],
  ];
  it.each(damagedManual)('names a manual entry with %s as unreadable and lists the others', async (_what, damage) => {
    await w.installedHoursAgo(3);
    await w.app.put(w.inst, keys.manualReportEntry(cloud(), 1), damage(manualEntry(1, '2026-11-02T08:00:00.000Z')));
    await w.app.put(w.inst, keys.manualReportEntry(cloud(), 2), manualEntry(2, '2026-11-02T08:30:00.000Z'));

    const { reports, problems } = await history();

    expect(reports.map((r) => r.key)).toStrictEqual([`phase5:report:${cloud()}:MANUAL:m-2`]);
    expect(problems).toEqual([`The report history entry ${keys.manualReportEntry(cloud(), 1)} does not parse.`]);
  });

  const damagedReplaced: Array<[string, Record<string, unknown>]> = [
    ['a trigger that does not exist', { trigger: 'AUTO_6H' }],
    ['attempt 0', { attempt: 0 }],
    ['a generation time that is not text', { generated_at: 5 }],
    ['no time it was set aside', { replaced_at: undefined }],
    ['no one who set it aside', { replaced_by: null }],
    ['no report key', { key: undefined }],
  ];
  it.each(damagedReplaced)('names a set-aside entry with %s as unreadable', async (_what, patch) => {
    await w.installedHoursAgo(3);
    const key = keys.replacedReportEntry(cloud(), 'AUTO_12H', 0);
    await w.app.put(w.inst, key, { ...replacedEntry('AUTO_12H', 0, '2026-11-02T08:30:00.000Z'), ...patch });

    const { reports, problems } = await history();

    expect(reports).toStrictEqual([]);
    expect(problems).toEqual([`The report history entry ${key} does not parse.`]);
  });

  it('ignores a record of another kind under the same prefix', async () => {
    await w.installedHoursAgo(3);
    await w.app.put(w.inst, `${keys.adminEntryPrefix(cloud())}NOTE:1`, { text: 'not a report entry' });

    const { reports, problems } = await history();

    expect(reports).toStrictEqual([]);
    expect(problems).toEqual([]);
  });

  it("shows what an earlier version's lists name, once, beside the entries", async () => {
    await w.installedHoursAgo(3);
    await w.app.put(w.inst, keys.manualReportEntry(cloud(), 3), manualEntry(3, '2026-11-02T08:30:00.000Z'));
    await w.app.put(w.inst, keys.manualReportEntry(cloud(), 2), manualEntry(2, '2026-11-02T08:00:00.000Z'));
    await w.app.put(w.inst, keys.manualReportIndex(cloud()), {
      schema_version: 1,
      next_sequence: 4,
      reports: [manualEntry(3, '2026-11-02T08:30:00.000Z'), manualEntry(1, '2026-11-02T07:00:00.000Z')],
    });
    await w.app.put(
      w.inst,
      keys.replacedReportEntry(cloud(), 'AUTO_12H', 1),
      replacedEntry('AUTO_12H', 1, '2026-11-02T08:00:00.000Z'),
    );
    await w.app.put(
      w.inst,
      keys.replacedReportEntry(cloud(), 'AUTO_24H', 0),
      replacedEntry('AUTO_24H', 0, '2026-11-02T08:10:00.000Z'),
    );
    await w.app.put(w.inst, keys.replacedReportIndex(cloud()), {
      schema_version: 1,
      reports: [
        replacedEntry('AUTO_12H', 1, '2026-11-02T08:00:00.000Z'),
        replacedEntry('AUTO_12H', 0, '2026-11-02T07:30:00.000Z'),
      ],
    });

    const { reports, problems } = await history();

    expect(reports.map((r) => r.key)).toStrictEqual([
      `phase5:report:${cloud()}:MANUAL:m-3`,
      `phase5:report:${cloud()}:MANUAL:m-2`,
      `phase5:report:${cloud()}:MANUAL:m-1`,
      `phase5:report:${cloud()}:AUTO_24H:REPLACED:r-0`,
      `phase5:report:${cloud()}:AUTO_12H:REPLACED:r-1`,
      `phase5:report:${cloud()}:AUTO_12H:REPLACED:r-0`,
    ]);
    expect(problems).toEqual([]);
  });

  it.each([
    ['manual', 'text', 'The manual report index is invalid (not an object).'],
    [
      'manual',
      { next_sequence: 0, reports: [] },
      'The manual report index is invalid (next_sequence is not a positive integer).',
    ],
    ['manual', { next_sequence: 2 }, 'The manual report index is invalid (reports is not a list).'],
    [
      'manual',
      { next_sequence: 2, reports: [{ key: 'm-1', sequence: 1, generated_at: 'x', requested_by: 7 }] },
      'The manual report index is invalid (requested_by is not a string).',
    ],
    [
      'manual',
      { next_sequence: 2, reports: ['m-1'] },
      'The manual report index is invalid (a report entry is not an object).',
    ],
    [
      'manual',
      { next_sequence: 2, reports: [{ key: 'm-1', sequence: -1, generated_at: 'x', requested_by: 'y' }] },
      'The manual report index is invalid (sequence is not a positive integer).',
    ],
    ['replaced', { reports: 'r-1' }, 'The replaced report index is invalid (reports is not a list).'],
    [
      'replaced',
      {
        reports: [
          { key: 'r', trigger: 'MANUAL', generated_at: null, attempt: null, replaced_at: 'x', replaced_by: 'y' },
        ],
      },
      'The replaced report index is invalid (trigger is not a trigger).',
    ],
    [
      'replaced',
      {
        reports: [
          { key: 'r', trigger: 'AUTO_12H', generated_at: null, attempt: 'two', replaced_at: 'x', replaced_by: 'y' },
        ],
      },
      'The replaced report index is invalid (attempt is not a positive integer).',
    ],
  ])(
    "warns that an earlier version's %s list is unreadable when it holds %j, and still lists the entries",
    async (kind, list, problem) => {
      await w.installedHoursAgo(3);
      await w.app.put(
        w.inst,
        kind === 'manual' ? keys.manualReportIndex(cloud()) : keys.replacedReportIndex(cloud()),
        list,
      );
      await w.app.put(w.inst, keys.manualReportEntry(cloud(), 2), manualEntry(2, '2026-11-02T08:30:00.000Z'));

      const { reports, problems } = await history();

      expect(reports.map((r) => r.key)).toStrictEqual([`phase5:report:${cloud()}:MANUAL:m-2`]);
      expect(problems).toEqual([problem]);
    },
  );
});
