import type { Interceptor } from '../../local/runtime/forge_runtime';
import { LocalApp } from '../../local/runtime/local_app';
import { CONFIRMATIONS } from '../../src/admin/contract';
import type { PlatformCheckReport, ProbeId } from '../../src/platform_check/check_report';
import { PLATFORM_CHECK_BUDGET } from '../../src/platform_check/run_platform_check';
import { SINGLE_VARIANTS, VariantCase } from './variant_catalogue';

/**
 * The platform check, run from the admin page's resolver against the local runtime in
 * every variant mode: each probe must say DIFFERS exactly where the variant differs
 * from the default answers, and HOLDS everywhere else. The one question no app can ask
 * (how Forge records a trigger's status) is COULD_NOT_CHECK in every mode.
 */

const ADMIN = '5b10a2844c20165700ede21g';
const USER = '5b10ac8d82e05b22cc7d4ef5';
const PAGE = 'phase5-admin-page';
const MINUTE = 60_000;

const DIFFERS: Record<string, ProbeId[]> = {
  defaults: [],
  'batchGet omits missing keys': ['batch-get-missing-key'],
  'batchGet answers missing keys with value null': ['batch-get-missing-key'],
  'get answers a missing key with value null': ['get-missing-key'],
  'batchGet lags writes by 2 s': ['batch-get-reads-own-write'],
  'batchGet lags writes by 10 min': ['batch-get-reads-own-write'],
  'get and batchGet lag writes by 10 min': ['get-reads-own-write', 'batch-get-reads-own-write'],
  'query limit at most 99': ['query-limit-100'],
  'query limit at most 20': ['query-limit-100'],
  'expired entries readable 48 h, FAIL_IF_EXISTS succeeds on them': ['ttl-expired-entry-gone'],
  'expired entries readable 48 h, FAIL_IF_EXISTS conflicts on them': [
    'ttl-expired-entry-gone',
    'fail-if-exists-on-expired',
  ],
  '409 code CONFLICT': ['fail-if-exists-conflict'],
  '409 code KEY_ALREADY_EXISTS': ['fail-if-exists-conflict'],
  '409 without a body': ['fail-if-exists-conflict'],
  'transactions refused after a concurrent write': ['transaction-concurrent-write'],
  'a batch with an invalid item is refused whole': ['batch-items-independent'],
  'batch items fail on their own': ['batch-get-items-answered'],
  'a refused condition answered 400': ['condition-refusal-answer'],
  'a refused condition answered 412': ['condition-refusal-answer'],
  'a condition on an absent entity reads it as empty': ['condition-on-absent-entity'],
  'installed event with required fields only': ['installed-event-shape'],
  'only 204 recorded as success': [],
  'app may browse 5 of 12 projects': ['app-project-visibility'],
  'approximate-count refuses open-ended JQL': ['approximate-count-open-ended'],
};

type Answer = {
  ok: boolean;
  error?: { code: string };
  message?: string;
  words?: unknown;
  warning?: unknown;
  report?: PlatformCheckReport;
  changedKeys?: string[];
};

/**
 * Calls the resolver with the platform's clock following the check's timers: the TTL
 * probes wait 2.5 s, and the simulated clock moves while they do (fake timers, so the
 * test does not really wait).
 */
async function runCheck(app: LocalApp, inst: ReturnType<LocalApp['newInstallation']>, accountId: string) {
  jest.useFakeTimers({ doNotFake: ['Date', 'queueMicrotask', 'nextTick', 'setImmediate'] });
  try {
    let settled = false;
    const call = app.invoker
      .resolver<Answer>(inst, PAGE, 'runPlatformCheck', { confirmation: CONFIRMATIONS.runPlatformCheck() }, accountId)
      .finally(() => {
        settled = true;
      });
    for (let i = 0; i < 200 && !settled; i++) {
      app.clock.advance(100);
      await jest.advanceTimersByTimeAsync(100);
    }
    const run = await call;
    if (run.killed) throw new Error('the check was killed');
    return run.result;
  } finally {
    jest.useRealTimers();
  }
}

async function installedWorld(variant: VariantCase, interceptor?: Interceptor) {
  const app = new LocalApp({ variants: variant.overrides, jiraAdmins: [ADMIN], seed: 3, interceptor });
  const inst = app.newInstallation();
  await app.invoker.installed(inst);
  // Past any read lag, so the check reads the installation evidence as stored.
  app.clock.advance(11 * MINUTE);
  return { app, inst };
}

describe.each(SINGLE_VARIANTS)('the platform check, local runtime: $name', (variant) => {
  let app: LocalApp;
  let inst: ReturnType<LocalApp['newInstallation']>;
  let before: Map<string, unknown>;
  let recordsBefore: unknown[];
  let answer: Answer;
  const records = () => app.kvs.entityEntries(inst.installationId, 'claim').map((e) => [e.key, e.value]);
  beforeAll(async () => {
    ({ app, inst } = await installedWorld(variant));
    before = app.stored(inst);
    recordsBefore = records();
    answer = await runCheck(app, inst, ADMIN);
  });
  afterAll(() => app.dispose());

  it('says DIFFERS exactly where this variant differs, HOLDS elsewhere', () => {
    expect(answer.ok).toBe(true);
    const results = answer.report!.results;
    const verdict = (v: string) =>
      results
        .filter((r) => r.verdict === v)
        .map((r) => r.id)
        .sort();
    expect(verdict('DIFFERS')).toEqual([...DIFFERS[variant.name]].sort());
    const unchecked = verdict('COULD_NOT_CHECK').filter((id) => id !== 'scheduled-trigger-status');
    // A lagging batch read hides fresh writes from the one probe that needs them visible.
    const lagging = (variant.overrides.kvs?.readLagMs?.batchGet ?? 0) > 0;
    expect(unchecked).toEqual(lagging ? ['batch-get-items-answered'] : []);
    expect(results.find((r) => r.id === 'scheduled-trigger-status')?.verdict).toBe('COULD_NOT_CHECK');
  });

  it('stays within its budget, cleans up, and changes nothing but one audit entry', () => {
    const report = answer.report!;
    expect(report.used.kvsRequests).toBeLessThanOrEqual(PLATFORM_CHECK_BUDGET.kvsRequests);
    expect(report.used.jiraRequests).toBeLessThanOrEqual(PLATFORM_CHECK_BUDGET.jiraRequests);
    expect(report.leftBehind).toEqual([]);
    const after = app.stored(inst);
    const added = [...after.keys()].filter((k) => !before.has(k));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^phase5:audit:/);
    expect(after.get(added[0])).toMatchObject({ action: 'RUN_PLATFORM_CHECK', account_id: ADMIN });
    for (const [key, value] of before) expect(after.get(key)).toEqual(value);
    // Its scratch records of the ledger's entity are deleted too; the site's own records are untouched.
    expect(records()).toEqual(recordsBefore);
  });
});

describe('the platform check is for Jira administrators only', () => {
  it('refuses a user who is not an administrator, and writes nothing', async () => {
    const { app, inst } = await installedWorld({ name: 'defaults', overrides: {} });
    const before = JSON.stringify([...app.stored(inst)]);

    const answer = await runCheck(app, inst, USER);

    expect(answer).toMatchObject({ ok: false, error: { code: 'NOT_ADMIN' } });
    expect(JSON.stringify([...app.stored(inst)])).toBe(before);
    app.dispose();
  });
});

describe('what the platform check tells the administrator', () => {
  const variant = (name: string) => SINGLE_VARIANTS.find((v) => v.name === name)!;

  it.each([
    ['defaults', '16 hold, 0 differ, 1 could not be checked'],
    ['409 code CONFLICT', '15 hold, 1 differ, 1 could not be checked (differ: fail-if-exists-conflict)'],
    [
      'expired entries readable 48 h, FAIL_IF_EXISTS conflicts on them',
      '14 hold, 2 differ, 1 could not be checked (differ: ttl-expired-entry-gone, fail-if-exists-on-expired)',
    ],
  ])(
    '%s: counts the answers, names those that differ and says what it cost; the audit log says the same',
    async (name, found) => {
      const { app, inst } = await installedWorld(variant(name));

      const answer = await runCheck(app, inst, ADMIN);
      const audited = [...app.stored(inst)].find(([key]) => key.startsWith('phase5:audit:'));
      app.dispose();

      const { used, results } = answer.report!;
      const summary = `${found}; ${used.kvsRequests} KVS and ${used.jiraRequests} Jira requests`;
      const [holds, differ, unknown] = /^(\d+) hold, (\d+) differ, (\d+) could not/.exec(found)!.slice(1).map(Number);
      // The admin reads the counts in their own language; the audit's detail keeps what support needs.
      expect(answer.words).toEqual({
        key: 'audit.platformCheck',
        params: { total: results.length, holds, differ, unknown },
      });
      expect(answer.changedKeys).toEqual([audited?.[0]]);
      expect(audited?.[1]).toMatchObject({
        action: 'RUN_PLATFORM_CHECK',
        outcome: 'done',
        detail: summary,
        changed_keys: [],
      });
    },
  );

  it('names the scratch keys it could not delete, in its answer and in the audit log', async () => {
    const { app, inst } = await installedWorld(variant('defaults'), async (call) =>
      call.service === 'kvs' && call.path.endsWith('/delete')
        ? new Response(JSON.stringify({ code: 'INTERNAL_SERVER_ERROR', message: 'injected' }), { status: 500 })
        : undefined,
    );

    const answer = await runCheck(app, inst, ADMIN);
    const audited = [...app.stored(inst)].find(([key]) => key.startsWith('phase5:audit:'));
    app.dispose();

    const left = answer.report!.leftBehind;
    expect(left.length).toBeGreaterThan(0);
    expect(answer.changedKeys).toEqual([audited?.[0], ...left]);
    expect(audited?.[1]).toMatchObject({ changed_keys: left });
    expect((audited?.[1] as { detail: string }).detail).toMatch(
      new RegExp(`; ${left.length} scratch key\\(s\\) left behind, which expire within the hour$`),
    );
  });

  it('answers with what it found even when its audit entry cannot be stored, and says so', async () => {
    const { app, inst } = await installedWorld(variant('defaults'), async (call) =>
      call.service === 'kvs' && call.body?.includes('"phase5:audit:')
        ? new Response(JSON.stringify({ code: 'INTERNAL_SERVER_ERROR', message: 'injected' }), { status: 500 })
        : undefined,
    );

    const answer = await runCheck(app, inst, ADMIN);
    const audited = [...app.stored(inst).keys()].filter((key) => key.startsWith('phase5:audit:'));
    app.dispose();

    expect(answer).toMatchObject({ ok: true, warning: { key: 'warning.platformCheck.notAudited' } });
    expect(answer.report!.results.length).toBeGreaterThan(0);
    expect(audited).toEqual([]);
  });
});
