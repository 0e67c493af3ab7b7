import type { SeamCall } from '../../local/runtime/forge_runtime';
import { CONFIRMATIONS } from '../../src/admin/contract';
import type { AdminPageView } from '../../src/admin/contract';
import type { Phase5Report } from '../../src/phase5/report';
import { RETRY } from '../../src/storage/retry';
import { HOUR, MINUTE, SchedulerWorld, transactionKind } from '../support/scheduler_world';

/**
 * Exactly once with the admin page in the picture: admin actions racing the
 * scheduler, hosts whose clocks disagree, replies that look like success but are
 * not, and stored values that parse but cannot be true. Every case runs the
 * deployed handlers (scheduler and admin resolver) through the local Forge
 * runtime, holding chosen KVS calls at the seam to force the interleaving.
 */

const ADMIN = '5b10a2844c20165700ede21g';
const OTHER_ADMIN = '5b10a2844c20165700ede21h';
const PAGE = 'phase5-admin-page';
const SCHEDULER = 'phase5-scheduler';

type Answer = { ok: boolean; error?: { code: string; message: string }; [k: string]: any };

let w: SchedulerWorld;
let jiraDown = false;
/** Host clock offsets: admin calls by account, scheduler invocations by launch order. */
let adminOffset: Record<string, number> = {};
let schedulerOffset = 0;

beforeEach(() => {
  jiraDown = false;
  adminOffset = {};
  schedulerOffset = 0;
  w = new SchedulerWorld({ jiraAdmins: [ADMIN, OTHER_ADMIN] });
  w.app.runtime.hostClockOffset = (inv) =>
    inv.moduleKey === PAGE ? (adminOffset[inv.accountId ?? ''] ?? 0) : schedulerOffset;
  w.addFault((call: SeamCall) => {
    if (call.service !== 'jira' || call.path.startsWith('/rest/api/3/mypermissions')) return;
    if (jiraDown) return new Response(JSON.stringify({ errorMessages: ['Service unavailable'] }), { status: 503 });
  });
});
afterEach(() => w.dispose());

function call(functionKey: string, payload: unknown, accountId = ADMIN): Promise<Answer> {
  return w.app.invoker.resolver<Answer>(w.inst, PAGE, functionKey, payload, accountId).then((run) => {
    if (run.killed) throw new Error(`${functionKey} was killed`);
    return run.result;
  });
}

const reset = (trigger: 'AUTO_12H' | 'AUTO_24H' = 'AUTO_12H', accountId = ADMIN) =>
  call('resetTrigger', { trigger, confirmation: CONFIRMATIONS.resetTrigger(trigger) }, accountId);
const manual = (accountId = ADMIN) =>
  call('generateManualReport', { confirmation: CONFIRMATIONS.generateManualReport() }, accountId);
const page = async () => (await call('getAdminPage', {})).view as AdminPageView;

const isAdmin = (c: SeamCall) => c.invocation.moduleKey === PAGE;
const isScheduler = (c: SeamCall) => c.invocation.moduleKey === SCHEDULER;
const kvsOp = (c: SeamCall) => (c.service === 'kvs' ? c.path.replace(/^\/api\/v1\//, '') : null);
const names = (c: SeamCall, key: string) => c.body?.includes(JSON.stringify(key)) ?? false;

interface Hold {
  /** Settles when a matching call is being held (or never, if none comes). */
  reached: Promise<void>;
  release(): void;
}

/** Hold the first call matching `match` at the seam until released; every other call passes. */
function holdAt(match: (c: SeamCall) => boolean): Hold {
  let used = false;
  let reached!: () => void;
  let release!: () => void;
  const reachedP = new Promise<void>((r) => (reached = r));
  const released = new Promise<void>((r) => (release = r));
  w.addFault(async (c) => {
    if (used || !match(c)) return;
    used = true;
    reached();
    await released;
  });
  return { reached: reachedP, release };
}

/** Wait until `hold` is reached or `running` has finished, whichever comes first. */
const untilHeldOrDone = (hold: Hold, running: Promise<unknown>) => Promise.race([hold.reached, running]);

/** Transactions KVS applied that stored an AUTO_12H report (the commits), oldest first. */
function commitsOf12h(): Array<{ report: Phase5Report }> {
  return w.calls
    .filter((c) => kvsOp(c) === 'transaction')
    .map((c) => JSON.parse(c.body!) as { set?: Array<{ key: string; value: unknown }> })
    .filter((b) => b.set?.some((s) => s.key === w.keys.done12))
    .map((b) => ({ report: b.set!.find((s) => s.key === w.keys.report12)!.value as Phase5Report }));
}

const storedWithPrefix = (prefix: string) => [...w.stored().keys()].filter((k) => k.startsWith(prefix)).sort();
const replacedKeys = () => storedWithPrefix(`phase5:report:${w.inst.cloudId}:AUTO_12H:REPLACED:`);
const manualKeys = () => storedWithPrefix(`phase5:report:${w.inst.cloudId}:MANUAL:`);

/** The DONE key and its report exist together or not at all. */
function expectDoneWithReport(): void {
  const s = w.stored();
  expect({ done: s.has(w.keys.done12), report: s.has(w.keys.report12) }).toEqual({
    done: s.has(w.keys.report12),
    report: s.has(w.keys.done12),
  });
}

/** Scheduled runs every five minutes until AUTO_12H is stored or `max` runs have passed. */
async function runUntil12hStored(max = 4): Promise<void> {
  for (let i = 0; i < max && !w.stored().has(w.keys.done12); i++) {
    w.advance(5 * MINUTE);
    await w.run();
  }
}

/** Installed 12 h 31 min ago; AUTO_12H attempt #1 failed (Jira down) at 12 h 01 and its 30 min backoff is over. */
async function at12h31WithAttemptOneFailed(): Promise<void> {
  await w.installedHoursAgo(12 + 1 / 60);
  jiraDown = true;
  expect((await w.run()).body).toMatchObject({ reason: 'GENERATION_FAILED', attempt: 1 });
  jiraDown = false;
  w.advance(30 * MINUTE);
}

/** Installed 13 h ago; the scheduler has stored the 12 h report. */
async function twelveHourReportDone(): Promise<void> {
  await w.installedHoursAgo(13);
  expect((await w.run()).body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H' });
}

describe('admin actions racing the scheduler', () => {
  it('1. a Reset that read "no DONE key" while a generation committed never leaves a DONE key without its report', async () => {
    // Prepare: at 12h31 the Reset is held just before it reads the report.
    await at12h31WithAttemptOneFailed();
    const hold = holdAt((c) => isAdmin(c) && names(c, w.keys.report12) && kvsOp(c) !== 'transaction');
    const resetting = reset();
    await untilHeldOrDone(hold, resetting);

    // Act: the scheduler runs attempt #2 to its end meanwhile; then the Reset finishes; then the scheduler goes on.
    await w.run();
    hold.release();
    await resetting;
    await runUntil12hStored();

    // Assess: the 12 h report is stored, with its DONE key.
    expectDoneWithReport();
    expect(w.stored().has(w.keys.report12)).toBe(true);
  });

  it('2. a Reset between a claim and its commit never lets a second holder commit the same trigger', async () => {
    // Prepare: the Reset is held at its transaction; attempt #2's holder (A) is held at its commit.
    await at12h31WithAttemptOneFailed();
    const resetHold = holdAt((c) => isAdmin(c) && kvsOp(c) === 'transaction');
    const resetting = reset();
    await untilHeldOrDone(resetHold, resetting);
    let aFinished = false;
    const commitHold = holdAt((c) => !aFinished && isScheduler(c) && transactionKind(c.body) === 'commit');
    const a = w.run().finally(() => (aFinished = true));
    await untilHeldOrDone(commitHold, a);

    // Act: the Reset lands, a duplicate delivery (B) runs, then A's commit goes out.
    resetHold.release();
    await resetting;
    const b = await w.run();
    commitHold.release();
    await a;

    // Assess: one commit of AUTO_12H in all, and the DONE key with its report.
    expect(commitsOf12h()).toHaveLength(1);
    expect(b.body?.reason === 'GENERATED' || (await a).body?.reason === 'GENERATED').toBe(true);
    expectDoneWithReport();
  });

  it.each([1_000, 59_000])(
    '3. a Reset is refused while a generation runs, even when the scheduler host clock is %i ms ahead',
    async (skew) => {
      // Prepare: attempt #2's holder, on a host whose clock runs ahead, is held at its commit.
      await at12h31WithAttemptOneFailed();
      schedulerOffset = skew;
      const commitHold = holdAt((c) => isScheduler(c) && transactionKind(c.body) === 'commit');
      const a = w.run();
      await untilHeldOrDone(commitHold, a);
      const before = JSON.stringify([...w.stored()]);

      // Act
      const answer = await reset();
      const afterReset = JSON.stringify([...w.stored()]);
      commitHold.release();
      const run = await a;

      // Assess: refused, nothing touched, and the generation it protected is stored.
      expect(answer.error?.code).toBe('REFUSED');
      expect(afterReset).toBe(before);
      expect(run.body).toMatchObject({ reason: 'GENERATED', attempt: 2 });
      expectDoneWithReport();
    },
  );

  it('4. a commit whose reply was lost is never resent over a Reset that came in between', async () => {
    // Prepare: attempt #2's commit lands but is answered 500; the holder is held at its next call.
    await at12h31WithAttemptOneFailed();
    let lost = false;
    const hold = holdAt((c) => lost && isScheduler(c) && c.service === 'kvs');
    w.addFault(async (c) => {
      if (lost || !isScheduler(c) || transactionKind(c.body) !== 'commit') return;
      lost = true;
      await w.app.kvs.handle(c.invocation.installation.installationId, c.path, { method: 'POST', body: c.body });
      return new Response(JSON.stringify({ code: 'INTERNAL_SERVER_ERROR', message: 'lost' }), { status: 500 });
    });
    const a = w.run();
    await untilHeldOrDone(hold, a);

    // Act: the admin resets AUTO_12H; then the holder checks its commit.
    const answer = await reset();
    hold.release();
    await a;
    const committed = commitsOf12h().map((c) => JSON.stringify(c.report));
    await runUntil12hStored();

    // Assess: the reset stands: the report it set aside is not current again, and was committed once.
    expect(answer.ok).toBe(true);
    const aside = replacedKeys().map((k) => JSON.stringify(w.stored().get(k)));
    expect(aside).toHaveLength(1);
    expect(committed.filter((r) => r === aside[0])).toHaveLength(1);
    expect(JSON.stringify(w.stored().get(w.keys.report12))).not.toBe(aside[0]);
    expectDoneWithReport();
  });

  it('5a. two Resets one second apart: the report is set aside once, and every copy is listed', async () => {
    // Prepare: the first Reset is held at its transaction.
    await twelveHourReportDone();
    const hold = holdAt((c) => isAdmin(c) && kvsOp(c) === 'transaction');
    const first = reset();
    await untilHeldOrDone(hold, first);

    // Act
    w.advance(1_000);
    const second = await reset('AUTO_12H', OTHER_ADMIN);
    hold.release();
    const firstAnswer = await first;

    // Assess: one of them was applied; the set-aside copy is in the page's list.
    expect([firstAnswer.ok, second.ok].filter(Boolean)).toHaveLength(1);
    expect([firstAnswer, second].find((a) => !a.ok)?.error?.message).toBe(
      'AUTO_12H changed meanwhile (a generation, or another administrator); reload the page.',
    );
    const listed = (await page()).reports.filter((r) => r.kind === 'REPLACED').map((r) => r.key);
    expect(replacedKeys()).toHaveLength(1);
    expect(listed).toEqual(replacedKeys());
  });

  it('5c. two Resets on hosts a minute either side of true time (two minutes apart): only one is applied', async () => {
    // Prepare: the Reset on the slow host has taken its fence and is held at its transaction.
    await twelveHourReportDone();
    adminOffset = { [ADMIN]: -60_000, [OTHER_ADMIN]: 60_000 };
    const hold = holdAt((c) => isAdmin(c) && kvsOp(c) === 'transaction');
    const slow = reset();
    await untilHeldOrDone(hold, slow);

    // Act
    const fast = await reset('AUTO_12H', OTHER_ADMIN);
    hold.release();
    const slowAnswer = await slow;

    // Assess: whichever transaction landed first stands; the clocks decided nothing.
    expect([slowAnswer.ok, fast.ok].filter(Boolean)).toHaveLength(1);
    expect(replacedKeys()).toHaveLength(1);
    expect(w.stored().get(w.keys.state)).toMatchObject({ auto_12h_epoch: 1 });
  });

  it('5b. a stale Reset after another Reset and a regeneration never deletes the new report', async () => {
    // Prepare: one Reset is held at its transaction while another runs and the trigger is generated again.
    await twelveHourReportDone();
    const hold = holdAt((c) => isAdmin(c) && kvsOp(c) === 'transaction');
    const stale = reset();
    await untilHeldOrDone(hold, stale);
    await reset('AUTO_12H', OTHER_ADMIN);
    // At once: the stale Reset is held within the 25 s Forge gives a resolver.
    expect((await w.run()).body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H' });

    // Act
    hold.release();
    const staleAnswer = await stale;
    await runUntil12hStored();

    // Assess: the stale Reset was refused; every report ever committed is still stored, current or set aside, and listed.
    expect(staleAnswer.error?.code).toBe('REFUSED');
    const stored = [...w.stored().values()].map((v) => JSON.stringify(v));
    for (const { report } of commitsOf12h()) expect(stored).toContain(JSON.stringify(report));
    const listed = (await page()).reports.filter((r) => r.kind === 'REPLACED').map((r) => r.key);
    expect([...listed].sort()).toEqual(replacedKeys());
    expectDoneWithReport();
  });

  it('5d. a Reset that read the record before another Reset landed is refused as stale, and changes nothing', async () => {
    // Prepare: the late Reset has read the page and the record, and is held at its transaction.
    await twelveHourReportDone();
    const hold = holdAt((c) => isAdmin(c) && kvsOp(c) === 'transaction');
    const late = reset();
    await untilHeldOrDone(hold, late);

    // Act: another admin's Reset lands; then the late one goes on.
    const first = await reset('AUTO_12H', OTHER_ADMIN);
    const afterFirst = JSON.stringify([...w.stored()]);
    hold.release();
    const answer = await late;

    // Assess
    expect(first.ok).toBe(true);
    expect(answer.error).toMatchObject({
      code: 'REFUSED',
      message: 'AUTO_12H changed meanwhile (a generation, or another administrator); reload the page.',
      words: { key: 'error.reset.raced' },
    });
    expect(JSON.stringify([...w.stored()])).toBe(afterFirst);
  });

  it('5e. a Reset that read the record before a generation claimed it is refused, and the generation stands', async () => {
    // Prepare: at 12h31 the Reset has read the record (attempt #1 failed) and is held at its transaction.
    await at12h31WithAttemptOneFailed();
    const hold = holdAt((c) => isAdmin(c) && kvsOp(c) === 'transaction');
    const resetting = reset();
    await untilHeldOrDone(hold, resetting);

    // Act: the scheduler claims attempt #2 and stores the report meanwhile.
    const run = await w.run();
    hold.release();
    const answer = await resetting;

    // Assess
    expect(run.body).toMatchObject({ reason: 'GENERATED', attempt: 2 });
    expect(answer.error).toMatchObject({
      code: 'REFUSED',
      message: 'AUTO_12H changed meanwhile (a generation, or another administrator); reload the page.',
      words: { key: 'error.reset.raced' },
    });
    expect(w.stored().has(w.keys.report12)).toBe(true);
    expectDoneWithReport();
    expect(replacedKeys()).toEqual([]);
  });

  it.each([
    ['AUTO_12H', 0],
    ['AUTO_12H', 1],
    ['AUTO_24H', 1],
  ] as const)(
    '5f. while %s generates in epoch %i, the page shows it generating, with the attempt it holds',
    async (trigger, epoch) => {
      // Prepare: the trigger's attempt #1 (in its epoch) failed; attempt #2's holder is held at its commit.
      if (trigger === 'AUTO_12H' && epoch === 0) {
        await at12h31WithAttemptOneFailed();
      } else {
        await twelveHourReportDone();
        if (trigger === 'AUTO_24H') {
          w.advance(11 * HOUR);
          expect((await w.run()).body).toMatchObject({ reason: 'GENERATED', trigger });
        }
        expect((await reset(trigger)).ok).toBe(true);
        jiraDown = true;
        expect((await w.run()).body).toMatchObject({ reason: 'GENERATION_FAILED', trigger, attempt: 1 });
        jiraDown = false;
        w.advance(30 * MINUTE);
      }
      const commitHold = holdAt((c) => isScheduler(c) && transactionKind(c.body) === 'commit');
      const running = w.run();
      await untilHeldOrDone(commitHold, running);

      // Act
      const view = await page();
      commitHold.release();
      const run = await running;

      // Assess
      expect(run.body).toMatchObject({ reason: 'GENERATED', trigger, attempt: 2 });
      const t = view.triggers.find((x) => x.trigger === trigger)!;
      expect(t.status).toBe('generating');
      expect(t.liveClaim).toMatchObject({ attempt: 2 });
      expect(t.actions.reset.allowed).toBe(false);
    },
  );

  it('6. manual reports: two requests on hosts 61 s apart store one report, and nothing is orphaned', async () => {
    // Prepare: the first manual generation is held at its first Jira read.
    await w.installedHoursAgo(3);
    adminOffset = { [OTHER_ADMIN]: 61_000 };
    const hold = holdAt((c) => isAdmin(c) && c.service === 'jira' && !c.path.startsWith('/rest/api/3/mypermissions'));
    const first = manual();
    await untilHeldOrDone(hold, first);

    // Act
    const during = (await page()).manualReport;
    const second = await manual(OTHER_ADMIN);
    hold.release();
    const firstAnswer = await first;

    // Assess
    // By the second host's clock the first one's 60 s lease is over, so it takes the next number; the
    // first one's commit, conditional on its claim, is then refused. Either way one report is stored.
    expect(during).toMatchObject({ allowed: false, inProgressSince: '2026-11-02T09:00:00.000Z' });
    expect([firstAnswer.ok, second.ok].filter(Boolean)).toHaveLength(1);
    expect([firstAnswer, second].find((a) => !a.ok)?.error?.code).toBe('REFUSED');
    const listed = (await page()).reports.filter((r) => r.kind === 'MANUAL').map((r) => r.key);
    expect([...listed].sort()).toEqual(manualKeys());
    expect(manualKeys()).toHaveLength(1);
  });
});

describe('replies that look like success', () => {
  it('7. a 2xx batch reply whose DONE item has no value is not "absent": no second report', async () => {
    // Prepare: AUTO_12H is stored; an hour later the batch read answers its DONE item without a value.
    await twelveHourReportDone();
    w.advance(HOUR);
    w.addFault(async (c) => {
      if (!isScheduler(c) || kvsOp(c) !== 'batch/get') return;
      const served = await w.app.kvs.handle(c.invocation.installation.installationId, c.path, {
        method: 'POST',
        body: c.body,
      });
      const body = (await served.json()) as { successfulKeys: Array<Record<string, unknown>> };
      for (const item of body.successfulKeys) if (item.key === w.keys.done12) delete item.value;
      return new Response(JSON.stringify(body), { status: 200 });
    });

    // Act
    const run = await w.run();

    // Assess
    expect(run.body?.reason).not.toBe('GENERATED');
    expect(commitsOf12h()).toHaveLength(1);
    expect(w.stored().get(w.keys.state)).toMatchObject({ auto_12h_generated_at: expect.any(String) });
  });

  it.each([
    ['204 without a body', () => new Response(null, { status: 204 })],
    ['200 null', () => new Response('null', { status: 200 })],
    ['200 []', () => new Response('[]', { status: 200 })],
    ['200 {}', () => new Response('{}', { status: 200 })],
  ])('8. a claim create answered %s is not a won claim: no second holder generates', async (_, reply) => {
    // Prepare: the first holder (A) is held at its first Jira read, its claim live. The second
    // invocation's claim create is answered with an empty 2xx and never reaches KVS.
    await w.installedHoursAgo(12);
    const seen: string[] = [];
    w.addFault((c) => {
      if (!isScheduler(c)) return;
      if (!seen.includes(c.invocation.id)) seen.push(c.invocation.id);
      const claimCreate = kvsOp(c) === 'set' && c.body?.includes('"FAIL_IF_EXISTS"');
      if (claimCreate && c.invocation.id === seen[1]) return reply();
    });
    const hold = holdAt((c) => isScheduler(c) && c.service === 'jira');
    const a = w.run();
    await untilHeldOrDone(hold, a);

    // Act
    const b = await w.run();
    hold.release();
    await a;

    // Assess
    expect(b.body?.reason).not.toBe('GENERATED');
    expect(commitsOf12h()).toHaveLength(1);
    expectDoneWithReport();
  });
});

describe('stored values that parse but cannot be true', () => {
  const validState = {
    schema_version: 1,
    last_run_at: null,
    auto_12h_generated_at: null,
    auto_24h_generated_at: null,
    last_error: null,
    last_backoff_until: null,
    auto_12h_attempt_count: 0,
    auto_24h_attempt_count: 0,
  };

  it('9a. an attempt count of MAX_SAFE_INTEGER neither wedges the scheduler nor the admin page', async () => {
    await w.installedHoursAgo(12);
    await w.app.put(w.inst, w.keys.state, { ...validState, auto_12h_attempt_count: Number.MAX_SAFE_INTEGER });

    const first = await w.run();
    await runUntil12hStored(1);
    const view = await call('getAdminPage', {});

    expect(first.body?.reason).not.toBe('SCHEDULER_ERROR');
    expect(w.stored().has(w.keys.report12)).toBe(true);
    expect(view.ok).toBe(true);
  });

  it('9b. a DONE marker naming attempt 130,000,000 is not believed by the admin page', async () => {
    await twelveHourReportDone();
    const marker = w.stored().get(w.keys.done12) as Record<string, unknown>;
    await w.app.put(w.inst, w.keys.done12, { ...marker, attempt: 1.3e8 });

    const view = await page();

    const t = view.triggers.find((x) => x.trigger === 'AUTO_12H')!;
    expect(t.status).toBe('done');
    expect(t.attemptCount).toBe(1);
    expect(t.failedAttempts).toBe(0);
  });

  it('9c. a failure dated in year 9999, with a backoff one ladder step after it, holds nothing back', async () => {
    await w.installedHoursAgo(12);
    await w.app.put(w.inst, w.keys.state, {
      ...validState,
      auto_12h_attempt_count: 1,
      auto_12h_last_error: { timestamp: '9999-01-01T00:00:00.000Z', message: 'x', attempt_count: 1 },
      auto_12h_backoff_until: '9999-01-01T00:30:00.000Z',
      auto_24h_backoff_until: null,
    });

    const first = await w.run();
    await runUntil12hStored(1);

    expect(first.body?.reason).not.toBe('BACKOFF_ACTIVE');
    expect(w.stored().has(w.keys.report12)).toBe(true);
  });

  it('9d. a state in the guide’s shape cannot impose a 24 h backoff after a first failure', async () => {
    // Prepare: at 12h01 the guide-shaped state records failure #1 with a 24 h backoff.
    await w.installedHoursAgo(12 + 1 / 60);
    const now = w.app.clock.now();
    await w.app.put(w.inst, w.keys.state, {
      last_run_at: new Date(now).toISOString(),
      auto_12h_generated_at: null,
      auto_24h_generated_at: null,
      last_error: {
        timestamp: new Date(now).toISOString(),
        message: 'API timeout',
        trigger: 'AUTO_12H',
        attempt_count: 1,
      },
      last_backoff_until: new Date(now + 24 * HOUR).toISOString(),
      auto_12h_attempt_count: 1,
      auto_24h_attempt_count: 0,
    });

    // Act: scheduled runs through the next hour.
    await runUntil12hStored(12);

    // Assess: the 12 h report is stored within the hour, not missed.
    expect(w.stored().has(w.keys.report12)).toBe(true);
  });
});

describe('the 24 h report’s comparison', () => {
  /**
   * The 24 h run reads the 12 h report in the batch with its DONE key and records; the batch answers
   * that item failed, and the single reads that follow fail `failures` times.
   */
  function twelveHourReadsFailing(failures: number): void {
    let failed = 0;
    w.addFault(async (c) => {
      if (!isScheduler(c) || c.service !== 'kvs' || !names(c, w.keys.report12)) return;
      if (kvsOp(c) === 'batch/get') {
        const served = await w.app.kvs.handle(w.inst.installationId, c.path, { method: 'POST', body: c.body });
        const answer = JSON.parse(await served.text()) as {
          successfulKeys: Array<{ key: string }>;
          failedKeys: unknown[];
        };
        const item = { key: w.keys.report12, error: { code: 'INTERNAL_SERVER_ERROR', message: 'injected' } };
        return Response.json({
          successfulKeys: answer.successfulKeys.filter((i) => i.key !== w.keys.report12),
          failedKeys: [...answer.failedKeys, item],
        });
      }
      if (kvsOp(c) !== 'get' || failed >= failures) return;
      failed++;
      return new Response(JSON.stringify({ code: 'INTERNAL_SERVER_ERROR', message: 'injected' }), { status: 500 });
    });
  }

  it('10a. a failed read of the 12 h report is read again on its own, and the comparison is made', async () => {
    await twelveHourReportDone();
    w.advance(11 * HOUR);
    twelveHourReadsFailing(0);

    expect((await w.run()).body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_24H' });
    const r24 = w.stored().get(w.keys.report24) as Phase5Report;
    expect(r24.change_since_12h).toMatchObject({ twelve_hour_generated_at: expect.any(String) });
  });

  it('10b. when the 12 h report cannot be read, the 24 h report waits: never stored as having "no 12 h report"', async () => {
    await twelveHourReportDone();
    w.advance(11 * HOUR);
    // The storage module reads a refused key again after each of its pauses; the read stays
    // unanswered only when every one of those tries is refused.
    twelveHourReadsFailing(RETRY.pausesMs.length + 1);

    const unread = await w.run();
    const afterUnread = w.stored().has(w.keys.report24);
    w.advance(5 * MINUTE);
    const next = await w.run();

    expect(unread.body).toMatchObject({ reason: 'STORAGE_UNAVAILABLE' });
    expect(afterUnread).toBe(false);
    expect(next.body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_24H', attempt: 1 });
    const r24 = w.stored().get(w.keys.report24) as Phase5Report;
    expect(r24.change_since_12h).toMatchObject({ twelve_hour_generated_at: expect.any(String) });
  });
});
