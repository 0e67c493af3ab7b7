import type { Interceptor, SeamCall } from '../../local/runtime/forge_runtime';
import { LocalApp } from '../../local/runtime/local_app';
import { CONFIRMATIONS } from '../../src/admin/contract';
import type { PlatformCheckReport } from '../../src/platform_check/check_report';

/**
 * The platform check writes scratch keys and runs inside a resolver, which Forge stops
 * at 25 s. Whatever storage does, it must leave nothing behind for good: every scratch
 * key expires on its own within an hour, the check stops itself with at least 8 s of the
 * resolver's 25 s left so that it can clean up and write its audit entry, and a second
 * check while one holds the check's lock (which expires too) is refused (issue 23,
 * item 5). Driven through the admin page's resolver on the local runtime.
 */

const ADMIN = '5b10a2844c20165700ede21g';
const PAGE = 'phase5-admin-page';
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const RESOLVER_LIMIT = 25 * SECOND;

type Answer = {
  ok: boolean;
  error?: { code: string; message: string };
  message?: string;
  report?: PlatformCheckReport;
};

let app: LocalApp;
let inst: ReturnType<LocalApp['newInstallation']>;
let intercept: Interceptor | undefined;
/** Every KVS request, with the simulated instant it was sent at. */
let sent: Array<{ at: number; call: SeamCall }>;

beforeEach(async () => {
  intercept = undefined;
  sent = [];
  app = new LocalApp({
    jiraAdmins: [ADMIN],
    seed: 3,
    interceptor: (call) => {
      if (call.service === 'kvs') sent.push({ at: app.clock.now(), call });
      return intercept?.(call);
    },
  });
  inst = app.newInstallation();
  await app.invoker.installed(inst);
  app.clock.advance(11 * MINUTE);
});
afterEach(() => app.dispose());

/**
 * Calls the resolver with the platform's clock following the check's timers (the TTL
 * probes wait), as tests/variants/platform_check.test.ts does. Several calls may run at once.
 */
async function runChecks(count = 1) {
  jest.useFakeTimers({ doNotFake: ['Date', 'queueMicrotask', 'nextTick', 'setImmediate'] });
  try {
    let settled = 0;
    const calls = Array.from({ length: count }, () =>
      app.invoker
        .resolver<Answer>(inst, PAGE, 'runPlatformCheck', { confirmation: CONFIRMATIONS.runPlatformCheck() }, ADMIN)
        .finally(() => settled++),
    );
    for (let i = 0; i < 400 && settled < count; i++) {
      app.clock.advance(100);
      await jest.advanceTimersByTimeAsync(100);
    }
    return await Promise.all(calls);
  } finally {
    jest.useRealTimers();
  }
}

const scratchKeys = () => [...app.stored(inst).keys()].filter((k) => k.startsWith('platform-check:'));
const auditEntries = () => [...app.stored(inst)].filter(([k]) => k.startsWith('phase5:audit:')).map(([, v]) => v);
const isCleanUpOrAudit = (c: SeamCall) => c.path.endsWith('/delete') || (c.body ?? '').includes('"phase5:audit:');

describe('the platform check on slow storage', () => {
  it("stops itself with 8 s of the resolver's 25 s left, cleans up and audits, and is never cut off", async () => {
    // Every KVS request takes 1.5 s: all of the check's requests would need about 30 s.
    intercept = () => {
      app.clock.advance(1_500);
    };

    const [run] = await runChecks();

    expect(run.killed).toBe(false);
    if (run.killed) return;
    const started = run.invocation.deadlineAt - RESOLVER_LIMIT;
    const probing = sent.filter((s) => s.call.invocation === run.invocation && !isCleanUpOrAudit(s.call));
    expect(Math.max(...probing.map((s) => s.at)) - started).toBeLessThan(RESOLVER_LIMIT - 8 * SECOND);
    expect(run.result.ok).toBe(true);
    expect(run.result.report!.results.some((r) => /out of time/.test(r.observed))).toBe(true);
    expect(scratchKeys()).toEqual([]);
    expect(auditEntries()).toEqual([expect.objectContaining({ action: 'RUN_PLATFORM_CHECK', outcome: 'done' })]);
  });
});

describe('scratch keys the check could not delete', () => {
  it('expire on their own within an hour', async () => {
    intercept = (call) =>
      call.path.endsWith('/delete')
        ? new Response(JSON.stringify({ code: 'INTERNAL_SERVER_ERROR', message: 'injected' }), { status: 500 })
        : undefined;

    const [run] = await runChecks();
    const left = scratchKeys();
    app.clock.advance(60 * MINUTE + SECOND);

    expect(run.killed || run.result.ok).toBe(true);
    expect(left.length).toBeGreaterThan(0);
    expect(scratchKeys()).toEqual([]);
  });

  it('expire on their own within an hour when the resolver is stopped mid-check', async () => {
    intercept = (call) => {
      if (call.index === 8) call.invocation.kill();
    };

    const [run] = await runChecks();
    const left = scratchKeys();
    app.clock.advance(60 * MINUTE + SECOND);

    expect(run.killed).toBe(true);
    expect(left.length).toBeGreaterThan(0);
    expect(scratchKeys()).toEqual([]);
  });
});

describe('one platform check at a time', () => {
  it('a second check while the first runs is refused, and changes nothing', async () => {
    const runs = await runChecks(2);

    const answers = runs.map((r) => (r.killed ? null : r.result));
    expect(answers.filter((a) => a?.ok)).toHaveLength(1);
    expect(answers.find((a) => !a?.ok)?.error).toMatchObject({ code: 'REFUSED' });
    expect(auditEntries()).toHaveLength(1);
    expect(scratchKeys()).toEqual([]);
  });

  it('a check stopped mid-way holds the lock only until its lease is over: then the next goes ahead', async () => {
    intercept = (call) => {
      if (call.index === 8) call.invocation.kill();
    };
    const [stopped] = await runChecks();
    intercept = undefined;

    const [refused] = await runChecks();
    app.clock.advance(3 * MINUTE);
    const [later] = await runChecks();

    expect(stopped.killed).toBe(true);
    expect(refused.killed ? null : refused.result.error?.code).toBe('REFUSED');
    expect(later.killed ? null : later.result.ok).toBe(true);
  });
});
