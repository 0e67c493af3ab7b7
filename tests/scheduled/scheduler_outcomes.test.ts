import type { SeamCall } from '../../local/runtime/forge_runtime';
import * as generator from '../../src/phase5/handle_auto_trigger';
import type { SchedulerResponse } from '../../src/scheduled/phase5_scheduler';
import { Claim, emptyState, newClaim, recordFailure, recordSuccess, released } from '../../src/scheduled/decisions';
import { parseClaim, parseState, serializeClaim, serializeState } from '../../src/scheduled/scheduler_state';
import { HOUR, MINUTE, SchedulerWorld } from '../support/scheduler_world';

/**
 * What each of the scheduler's outcomes answers and logs: the response Forge
 * records for the invocation (its status, and a body saying what happened, for
 * which site and trigger, and when to look again), and the lines a vendor reads
 * in the app's logs, the integration guide's "Log Patterns" among them. Against
 * the deployed handler, the real @forge/kvs SDK and the local KVS emulator, on a
 * simulated clock.
 */

let w: SchedulerWorld;
beforeEach(() => {
  w = new SchedulerWorld();
});
afterEach(() => w.dispose());

const TAG = '[Phase5Scheduler]';
const iso = (ms: number) => new Date(ms).toISOString();
const now = () => w.app.clock.now();
const json = { 'Content-Type': ['application/json'] };

type Run = Awaited<ReturnType<SchedulerWorld['run']>>;
/** The response as Forge records it, with its JSON body read. */
function answer(run: Run) {
  if (run.killed) throw new Error('killed');
  const result = run.result as SchedulerResponse;
  return { ...result, body: JSON.parse(result.body) as unknown };
}
/** The scheduler's own log lines. */
const logs = (run: Run) => run.invocation.logs.filter((l) => l.line.startsWith(TAG));

function storedState() {
  const parsed = parseState(w.stored().get(w.keys.state), now());
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

function storedClaim(trigger: string, n: number): Claim | null {
  return parseClaim(w.stored().get(w.keys.claim(trigger, n)));
}

async function putClaim(trigger: string, claim: Claim): Promise<void> {
  await w.app.put(w.inst, w.keys.claim(trigger, claim.attempt), serializeClaim(claim));
}

/** Answer every Jira request with a 503, so that generation fails. */
function jiraDown(): void {
  w.addFault((call: SeamCall) =>
    call.service === 'jira'
      ? new Response(JSON.stringify({ errorMessages: ['Service unavailable'] }), { status: 503 })
      : undefined,
  );
}

describe('nothing to do', () => {
  it("answers 200 NO_TRIGGER_DUE in the shape Forge documents, saying when the 12 h report falls due, with the guide's two lines", async () => {
    const installedAt = await w.installedHoursAgo(1);
    const c = w.inst.cloudId;

    const run = await w.run();

    expect(answer(run)).toEqual({
      statusCode: 200,
      statusText: 'NO_TRIGGER_DUE',
      headers: json,
      body: {
        reason: 'NO_TRIGGER_DUE',
        message: 'No trigger due',
        cloud_id: c,
        next_eligible_at: iso(installedAt + 12 * HOUR),
      },
    });
    expect(run.invocation.logs).toEqual([
      { level: 'info', line: `${TAG} Starting for cloudId: ${c} at ${iso(now())}` },
      { level: 'info', line: `${TAG} No trigger due for ${c}; auto_12h_done=false, auto_24h_done=false` },
    ]);
  });

  it('says which reports are done, and that nothing falls due once both are', async () => {
    const installedAt = await w.installedHoursAgo(12);
    const c = w.inst.cloudId;
    await w.run();
    w.advance(HOUR);
    const between = await w.run();
    w.advance(12 * HOUR);
    await w.run();
    w.advance(HOUR);
    const after = await w.run();

    expect(answer(between).body).toEqual({
      reason: 'NO_TRIGGER_DUE',
      message: 'No trigger due',
      cloud_id: c,
      next_eligible_at: iso(installedAt + 24 * HOUR),
    });
    expect(logs(between)[1].line).toBe(`${TAG} No trigger due for ${c}; auto_12h_done=true, auto_24h_done=false`);
    expect(answer(after).body).toEqual({
      reason: 'NO_TRIGGER_DUE',
      message: 'No trigger due',
      cloud_id: c,
      next_eligible_at: null,
    });
    expect(logs(after)[1].line).toBe(`${TAG} No trigger due for ${c}; auto_12h_done=true, auto_24h_done=true`);
  });

  it('counts a report done by its DONE key, even one the state never learnt of', async () => {
    // The 12 h commit landed at 23:55 though its answer was lost, so the state recorded a
    // failure; the 24 h report came next, and no run has looked at the 12 h trigger since.
    const installedAt = await w.installedHoursAgo(25);
    const c = w.inst.cloudId;
    const at = installedAt + 23 * HOUR + 55 * MINUTE;
    const failed = recordFailure(
      emptyState(),
      'AUTO_12H',
      { attempt: 1, at, message: 'lost answer' },
      at,
      installedAt,
    ).state;
    await w.app.put(
      w.inst,
      w.keys.state,
      serializeState(recordSuccess(failed, 'AUTO_24H', 1, installedAt + 24 * HOUR)),
    );
    await w.app.put(w.inst, w.keys.done12, { status: 'done', generated_at: iso(at), attempt: 1 });
    await w.app.put(w.inst, w.keys.done24, { status: 'done', generated_at: iso(installedAt + 24 * HOUR), attempt: 1 });

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'NO_TRIGGER_DUE', next_eligible_at: null });
    expect(logs(run)[1].line).toBe(`${TAG} No trigger due for ${c}; auto_12h_done=true, auto_24h_done=true`);
  });

  it('answers DONE_KEY_EXISTS, naming the trigger, when its DONE key is there', async () => {
    await w.installedHoursAgo(13);
    await w.app.put(w.inst, w.keys.done12, 'done');
    const c = w.inst.cloudId;

    const run = await w.run();

    expect(answer(run)).toMatchObject({
      statusCode: 200,
      body: { reason: 'DONE_KEY_EXISTS', message: 'AUTO_12H already done', cloud_id: c, trigger: 'AUTO_12H' },
    });
    expect(logs(run).map((l) => l.line)).toContain(`${TAG} AUTO_12H DONE key exists for ${c}; not generating`);
  });
});

describe('a DONE key the state did not know about', () => {
  it('is written into the state, and what the state knew of the other trigger stays as it was', async () => {
    const installedAt = await w.installedHoursAgo(25);
    const generated12 = installedAt + 12 * HOUR + 5 * MINUTE;
    // A state saved before the 24 h commit, and a 12 h DONE key of the kind that does not say when.
    await w.app.put(w.inst, w.keys.state, serializeState(recordSuccess(emptyState(), 'AUTO_12H', 1, generated12)));
    await w.app.put(w.inst, w.keys.done12, 'done');
    await w.app.put(w.inst, w.keys.done24, { status: 'done', generated_at: iso(installedAt + 24 * HOUR), attempt: 2 });

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'DONE_KEY_EXISTS', trigger: 'AUTO_24H' });
    expect(storedState().triggers).toMatchObject({
      AUTO_12H: { generatedAt: generated12, attemptCount: 1 },
      AUTO_24H: { generatedAt: installedAt + 24 * HOUR, attemptCount: 2 },
    });
  });
});

describe('the installation timestamp, failing closed', () => {
  it.each([
    ['missing', undefined, 'MISSING', 'not found'],
    ['garbled', { installation_timestamp: 'yesterday' }, 'INVALID', 'not a valid ISO-8601 instant'],
    ['in the future', 'future', 'IN_FUTURE', 'in the future'],
  ])('%s: 200 naming why, and a warning saying so', async (_what, evidence, code, why) => {
    if (evidence === 'future') await w.installedHoursAgo(-1);
    else if (evidence !== undefined) await w.app.put(w.inst, w.keys.evidence, evidence);
    const c = w.inst.cloudId;

    const run = await w.run();

    expect(answer(run)).toMatchObject({
      statusCode: 200,
      body: {
        reason: 'INSTALLATION_TIMESTAMP_UNAVAILABLE',
        message: 'Installation timestamp not available',
        error_code: `INSTALLATION_TIMESTAMP_${code}`,
        cloud_id: c,
      },
    });
    expect(logs(run)[1]).toEqual({ level: 'warn', line: `${TAG} FAIL_CLOSED: Installation timestamp ${why} for ${c}` });
  });
});

describe('tenant identity, failing closed', () => {
  it('answers 400 with the reason, and logs it as an error', async () => {
    const run = await w.runWith({ context: { cloudId: ' ' } }, undefined);

    expect(run.response).toMatchObject({ statusCode: 400, statusText: 'TENANT_CONTEXT_UNAVAILABLE', headers: json });
    expect(run.body).toEqual({
      reason: 'TENANT_CONTEXT_UNAVAILABLE',
      error_code: 'TENANT_CONTEXT_UNAVAILABLE',
      message: 'request.context.cloudId is missing or blank',
    });
    expect(run.invocation.logs).toEqual([
      {
        level: 'error',
        line: `${TAG} FAIL_CLOSED: Tenant identity unavailable (request.context.cloudId is missing or blank)`,
      },
    ]);
  });
});

describe('generating', () => {
  it("stored: 200 GENERATED naming the trigger and attempt, with the guide's two lines", async () => {
    await w.installedHoursAgo(12);
    const c = w.inst.cloudId;

    const run = await w.run();

    expect(answer(run)).toEqual({
      statusCode: 200,
      statusText: 'GENERATED',
      headers: json,
      body: { reason: 'GENERATED', message: 'AUTO_12H report stored', cloud_id: c, trigger: 'AUTO_12H', attempt: 1 },
    });
    expect(logs(run)).toEqual([
      { level: 'info', line: `${TAG} Starting for cloudId: ${c} at ${iso(now())}` },
      { level: 'info', line: `${TAG} Attempting AUTO_12H generation for ${c} (attempt #1)` },
      { level: 'info', line: `${TAG} AUTO_12H report generated successfully for ${c}` },
    ]);
  });

  it('stored late, within an interval of the 24 h instant: a wake-up is pushed for that instant', async () => {
    const installedAt = await w.installedHoursAgo(23.5);

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H' });
    expect(run.invocation.stats.eventPushes).toBe(1);
    expect(w.app.events.waiting().map((e) => e.event.body.wake_at)).toEqual([iso(installedAt + 24 * HOUR)]);
  });

  it('failed: 502 with the error and when to retry, the failure and its claim stored together, a wake-up for the retry', async () => {
    await w.installedHoursAgo(12);
    const c = w.inst.cloudId;
    const at = now();
    jiraDown();

    const run = await w.run();

    const body = answer(run).body as { message: string };
    expect(answer(run)).toEqual({
      statusCode: 502,
      statusText: 'GENERATION_FAILED',
      headers: json,
      body: {
        reason: 'GENERATION_FAILED',
        message: body.message,
        cloud_id: c,
        trigger: 'AUTO_12H',
        attempt: 1,
        next_eligible_at: iso(at + 30 * MINUTE),
      },
    });
    expect(body.message).toMatch(/^No site data could be read/);
    expect(logs(run)).toEqual([
      { level: 'info', line: `${TAG} Starting for cloudId: ${c} at ${iso(at)}` },
      { level: 'info', line: `${TAG} Attempting AUTO_12H generation for ${c} (attempt #1)` },
      { level: 'warn', line: `${TAG} AUTO_12H generation failed (attempt #1): ${body.message}` },
      {
        level: 'warn',
        line: `${TAG} Backoff 1800000ms (30 minute(s)) applied; next eligible at ${iso(at + 30 * MINUTE)}`,
      },
      { level: 'info', line: `${TAG} Wake-up pushed for ${c} in 900s (next action at ${iso(at + 30 * MINUTE)})` },
    ]);
    // One transaction stores the failure and releases the claim: nobody waits for its lease.
    expect(run.invocation.stats.kvsByOperation).toEqual({ 'batch/get': 1, set: 1, get: 1, transaction: 1 });
    expect(storedClaim('AUTO_12H', 1)?.released).toEqual({ at, outcome: 'failed' });
    expect(storedState().triggers.AUTO_12H).toMatchObject({
      attemptCount: 1,
      backoffUntil: at + 30 * MINUTE,
      lastError: { at, attempt: 1, message: body.message },
    });
  });

  it('in backoff: 200 BACKOFF_ACTIVE naming the attempt and when the backoff ends, nothing written', async () => {
    await w.installedHoursAgo(12);
    const c = w.inst.cloudId;
    const failedAt = now();
    jiraDown();
    await w.run();
    w.advance(10 * MINUTE);

    const run = await w.run();

    expect(answer(run)).toEqual({
      statusCode: 200,
      statusText: 'BACKOFF_ACTIVE',
      headers: json,
      body: {
        reason: 'BACKOFF_ACTIVE',
        message: 'AUTO_12H is backing off',
        cloud_id: c,
        trigger: 'AUTO_12H',
        attempt: 1,
        next_eligible_at: iso(failedAt + 30 * MINUTE),
      },
    });
    expect(logs(run)[1]).toEqual({
      level: 'info',
      line: `${TAG} AUTO_12H in backoff for ${c} until ${iso(failedAt + 30 * MINUTE)}`,
    });
    expect(run.invocation.stats.kvsWriteRequests).toBe(0);
  });
});

describe('the commit, refused', () => {
  /** Refuse the commit (the transaction that writes the DONE key) `times` times (every time when omitted). */
  function refuseCommit(times = Infinity): void {
    let refused = 0;
    w.addFault((call) => {
      if (call.path !== '/api/v1/transaction' || !call.body?.includes(':DONE"') || refused >= times) return undefined;
      refused++;
      return Response.json({ code: 'INTERNAL_SERVER_ERROR', message: 'injected' }, { status: 500 });
    });
  }

  it('once: sent again after reading that the claim is still ours unreleased, and stored', async () => {
    await w.installedHoursAgo(12);
    const c = w.inst.cloudId;
    refuseCommit(1);

    const run = await w.run();

    expect(answer(run).body).toEqual({
      reason: 'GENERATED',
      message: 'AUTO_12H report stored',
      cloud_id: c,
      trigger: 'AUTO_12H',
      attempt: 1,
    });
    expect(logs(run).filter((l) => l.level === 'warn')).toEqual([
      {
        level: 'warn',
        line: expect.stringMatching(
          /^\[Phase5Scheduler\] AUTO_12H Report commit failed: .+; checking whether it landed before sending it again$/,
        ),
      },
    ]);
    expect(run.invocation.stats.kvsByOperation).toEqual({ 'batch/get': 1, set: 1, get: 2, transaction: 2 });
    expect(w.reports()).toEqual([w.keys.report12]);
  });

  it('every time: resent within its budget of seven requests, then 502; the claim left to its lease, since a refusal may hide a commit', async () => {
    await w.installedHoursAgo(12);
    const c = w.inst.cloudId;
    const at = now();
    refuseCommit();

    const run = await w.run();

    const body = answer(run).body as { message: string };
    expect(answer(run)).toMatchObject({
      statusCode: 502,
      body: {
        reason: 'GENERATION_FAILED',
        cloud_id: c,
        trigger: 'AUTO_12H',
        attempt: 1,
        next_eligible_at: iso(at + 30 * MINUTE),
      },
    });
    // What KVS said, for the log and the admin page's last error.
    expect(body.message).toBe('Report commit failed: injected');
    // Four sends, a read of the claim between each two; the state saved on its own.
    expect(run.invocation.stats.kvsByOperation).toEqual({ 'batch/get': 1, set: 2, get: 4, transaction: 4 });
    expect(storedClaim('AUTO_12H', 1)?.released).toBeNull();
    expect(storedState().triggers.AUTO_12H).toMatchObject({ attemptCount: 1, lastError: { message: body.message } });
    expect(w.reports()).toEqual([]);
  });

  it('then unreadable: never resent blind; 502 naming the refused commit, the claim left to its lease', async () => {
    await w.installedHoursAgo(12);
    refuseCommit();
    let claimReads = 0;
    w.addFault((call) => {
      if (call.path !== '/api/v1/get' || w.transactions().length === 0) return undefined;
      claimReads++;
      return Response.json({ code: 'INTERNAL_SERVER_ERROR', message: 'read refused' }, { status: 500 });
    });

    const run = await w.run();

    const body = answer(run).body as { reason: string; message: string };
    expect(body.reason).toBe('GENERATION_FAILED');
    expect(body.message).toMatch(/^Report commit failed: /);
    expect(body.message).not.toContain('read refused');
    expect(w.transactions()).toHaveLength(1);
    expect(claimReads).toBe(6);
    expect(logs(run).filter((l) => l.line.includes('checking whether it landed'))).toHaveLength(1);
    expect(storedClaim('AUTO_12H', 1)?.released).toBeNull();
  });

  it('and then found released by its commit: the commit landed, GENERATED, not sent twice', async () => {
    await w.installedHoursAgo(12);
    let answered = false;
    w.addFault(async (call) => {
      if (call.path !== '/api/v1/transaction' || answered) return undefined;
      answered = true;
      // The transaction lands; its answer is lost on the way back.
      await w.app.kvs.handle(w.inst.installationId, '/api/v1/transaction', { body: call.body! });
      return Response.json({ code: 'INTERNAL_SERVER_ERROR', message: 'injected' }, { status: 500 });
    });

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'GENERATED', attempt: 1 });
    expect(w.transactions()).toHaveLength(1);
    expect(w.reports()).toEqual([w.keys.report12]);
  });

  it('and then found under another holder: never resent over it; 502 saying so, the state saved', async () => {
    await w.installedHoursAgo(12);
    const at = now();
    w.addFault(async (call) => {
      if (call.path !== '/api/v1/transaction') return undefined;
      await putClaim('AUTO_12H', newClaim(1, at, 'someone-else'));
      return undefined;
    });
    refuseCommit();

    const run = await w.run();

    const body = answer(run).body as { message: string };
    expect(body).toMatchObject({ reason: 'GENERATION_FAILED', attempt: 1 });
    expect(body.message).toMatch(/^Report commit failed: .+; attempt #1's claim no longer reads as ours$/);
    expect(w.transactions()).toHaveLength(1);
    expect(storedClaim('AUTO_12H', 1)).toMatchObject({ invocationId: 'someone-else', released: null });
    expect(storedState().triggers.AUTO_12H).toMatchObject({
      attemptCount: 1,
      backoffUntil: at + 30 * MINUTE,
      lastError: { message: body.message },
    });
  });

  it('until the lease no longer covers a resend (a timeout longer than the lease): the claim released with the failure', async () => {
    await w.installedHoursAgo(12);
    refuseCommit();
    w.addFault((call) => {
      // The read-back that follows the refused commit finds the lease almost over.
      if (call.path === '/api/v1/get' && w.transactions().length === 1) w.advance(15 * MINUTE + 1);
      return undefined;
    });

    const { body } = await w.runWith(
      { context: { cloudId: w.inst.cloudId } },
      { installContext: w.inst.siteAri },
      60 * MINUTE,
    );

    expect(body).toMatchObject({ reason: 'GENERATION_FAILED', attempt: 1 });
    expect(w.transactions()).toHaveLength(2);
    expect(storedClaim('AUTO_12H', 1)?.released).toEqual({ at: now(), outcome: 'failed' });
  });
});

describe('a claim found taken', () => {
  it('by a live holder: 200 CLAIM_HELD, nothing written', async () => {
    await w.installedHoursAgo(12);
    const c = w.inst.cloudId;
    await putClaim('AUTO_12H', newClaim(1, now() - MINUTE, 'holder'));

    const run = await w.run();

    expect(answer(run)).toEqual({
      statusCode: 200,
      statusText: 'CLAIM_HELD',
      headers: json,
      body: {
        reason: 'CLAIM_HELD',
        message: 'Another invocation holds the claim',
        cloud_id: c,
        trigger: 'AUTO_12H',
        attempt: 1,
      },
    });
    expect(logs(run)[1].line).toBe(`${TAG} AUTO_12H attempt #1 is being generated by another invocation for ${c}`);
    expect(run.invocation.stats.kvsWriteRequests).toBe(1);
  });

  it('by a holder that has just committed: CLAIM_HELD saying so, nothing recorded against the trigger', async () => {
    await w.installedHoursAgo(12);
    const c = w.inst.cloudId;
    await putClaim('AUTO_12H', released(newClaim(1, now() - MINUTE, 'holder'), now(), 'generated'));

    const run = await w.run();

    expect(answer(run).body).toEqual({
      reason: 'CLAIM_HELD',
      message: 'Attempt #1 has just committed its report',
      cloud_id: c,
      trigger: 'AUTO_12H',
      attempt: 1,
    });
    expect(logs(run)[1].line).toBe(`${TAG} AUTO_12H attempt #1 has just been committed for ${c}`);
    expect(w.stored().has(w.keys.state)).toBe(false);
  });

  it('by a holder whose lease ran out: the attempt failed at the lease end, backing off from there', async () => {
    await w.installedHoursAgo(12);
    const c = w.inst.cloudId;
    const claimedAt = now() - 20 * MINUTE;
    await putClaim('AUTO_12H', newClaim(1, claimedAt, 'dead'));
    const leaseEnd = claimedAt + 16 * MINUTE;

    const run = await w.run();

    expect(answer(run)).toEqual({
      statusCode: 200,
      statusText: 'BACKOFF_ACTIVE',
      headers: json,
      body: {
        reason: 'BACKOFF_ACTIVE',
        message: 'AUTO_12H attempt #1 was abandoned by its holder',
        cloud_id: c,
        trigger: 'AUTO_12H',
        attempt: 1,
        next_eligible_at: iso(leaseEnd + 30 * MINUTE),
      },
    });
    expect(logs(run).slice(1, 3)).toEqual([
      { level: 'warn', line: `${TAG} AUTO_12H generation failed (attempt #1): did not finish within its lease` },
      {
        level: 'warn',
        line: `${TAG} Backoff 1800000ms (30 minute(s)) applied; next eligible at ${iso(leaseEnd + 30 * MINUTE)}`,
      },
    ]);
    expect(storedState().triggers.AUTO_12H).toMatchObject({
      attemptCount: 1,
      backoffUntil: leaseEnd + 30 * MINUTE,
      lastError: { at: leaseEnd, attempt: 1, message: 'Attempt #1 did not finish within its lease' },
    });
  });

  it('holding something that is not a claim: counted as abandoned when found, backing off from then', async () => {
    await w.installedHoursAgo(12);
    const c = w.inst.cloudId;
    await w.app.put(w.inst, w.keys.claim('AUTO_12H', 1), 'claimed');

    const run = await w.run();

    expect(answer(run).body).toEqual({
      reason: 'BACKOFF_ACTIVE',
      message: 'AUTO_12H attempt #1 was abandoned by its holder',
      cloud_id: c,
      trigger: 'AUTO_12H',
      attempt: 1,
      next_eligible_at: iso(now() + 30 * MINUTE),
    });
    expect(storedState().triggers.AUTO_12H.lastError).toEqual({
      at: now(),
      attempt: 1,
      message: 'Attempt #1 did not finish within its lease',
    });
  });

  it('released with a failure the state lost: recorded as failed when it said, and the next attempt goes ahead once that backoff is over', async () => {
    await w.installedHoursAgo(13);
    const failedAt = now() - 40 * MINUTE;
    await putClaim('AUTO_12H', released(newClaim(1, failedAt - MINUTE, 'earlier'), failedAt, 'failed'));

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H', attempt: 2 });
    expect(storedState().triggers.AUTO_12H).toMatchObject({ attemptCount: 2, generatedAt: now() });
    expect(run.invocation.logs).toContainEqual({
      level: 'warn',
      line: `${TAG} Backoff 1800000ms (30 minute(s)) applied; next eligible at ${iso(failedAt + 30 * MINUTE)}`,
    });
  });

  it('released with a failure, its backoff still running: the failure recorded with its own time and words', async () => {
    await w.installedHoursAgo(12);
    const failedAt = now() - 10 * MINUTE;
    await putClaim('AUTO_12H', released(newClaim(1, failedAt - MINUTE, 'earlier'), failedAt, 'failed'));

    const run = await w.run();

    expect(answer(run).body).toMatchObject({
      reason: 'BACKOFF_ACTIVE',
      attempt: 1,
      next_eligible_at: iso(failedAt + 30 * MINUTE),
    });
    expect(storedState().triggers.AUTO_12H.lastError).toEqual({
      at: failedAt,
      attempt: 1,
      message: 'Attempt #1 failed',
    });
  });

  it('abandoned, but a later attempt was claimed after it: its backoff was over then, so the later one is looked at', async () => {
    await w.installedHoursAgo(12);
    await putClaim('AUTO_12H', newClaim(1, now() - 20 * MINUTE, 'dead'));
    await putClaim('AUTO_12H', newClaim(2, now() - MINUTE, 'live'));

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'CLAIM_HELD', attempt: 2 });
    // The walk recorded #1 as failed before finding #2 held.
    expect(storedState().triggers.AUTO_12H).toMatchObject({ attemptCount: 1 });
  });

  it('abandoned five times over: the walk stops at the fifth, to go on at the next run', async () => {
    await w.installedHoursAgo(12);
    const claimedAt = now() - 3 * 24 * HOUR;
    for (let n = 1; n <= 6; n++) await putClaim('AUTO_12H', newClaim(n, claimedAt, `dead-${n}`));

    const run = await w.run();

    expect(answer(run).body).toMatchObject({
      reason: 'BACKOFF_ACTIVE',
      message: 'AUTO_12H attempt #5 was abandoned by its holder',
      attempt: 5,
      next_eligible_at: iso(claimedAt + 16 * MINUTE + 24 * HOUR),
    });
    expect(storedState().triggers.AUTO_12H.attemptCount).toBe(5);
    expect(storedClaim('AUTO_12H', 7)).toBeNull();
  });
});

describe("a Reset's fence in the claims", () => {
  const fence = (n: number, at: number) => newClaim(n, at, `reset-${n}`, 60_000, 'reset');

  it.each([
    ['still being taken', (at: number) => fence(1, at)],
    ['released by its reset', (at: number) => released(fence(1, at - 10_000), at, 'reset')],
  ])('%s: 200 CLAIM_HELD saying an administrator reset the trigger, nothing written', async (_what, make) => {
    await w.installedHoursAgo(12);
    const c = w.inst.cloudId;
    await putClaim('AUTO_12H', make(now() - 10_000));

    const run = await w.run();

    expect(answer(run).body).toEqual({
      reason: 'CLAIM_HELD',
      message: 'An administrator reset this trigger; the next run starts its new epoch',
      cloud_id: c,
      trigger: 'AUTO_12H',
      attempt: 1,
    });
    expect(logs(run)[1].line).toBe(`${TAG} AUTO_12H is being reset for ${c}; not generating`);
    expect(w.stored().has(w.keys.state)).toBe(false);
  });

  it('left by a Reset that died: its number is used up, no attempt is counted, and the next number is claimed', async () => {
    await w.installedHoursAgo(12);
    await putClaim('AUTO_12H', fence(1, now() - 10 * MINUTE));

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'GENERATED', attempt: 2 });
    expect(storedState().triggers.AUTO_12H).toMatchObject({ attemptCount: 2, lastError: null });
  });

  it('left by five Resets that died: the walk stops at the fifth, its numbers counted as used', async () => {
    await w.installedHoursAgo(12);
    const c = w.inst.cloudId;
    for (let n = 1; n <= 6; n++) await putClaim('AUTO_12H', fence(n, now() - 10 * MINUTE));

    const run = await w.run();

    expect(answer(run).body).toEqual({
      reason: 'CLAIM_HELD',
      message: 'Abandoned claims walked; the next run goes on',
      cloud_id: c,
      trigger: 'AUTO_12H',
      attempt: 5,
    });
    expect(storedState().triggers.AUTO_12H).toMatchObject({ attemptCount: 5, lastError: null, backoffUntil: null });
  });
});

describe('an epoch key that does not hold an epoch', () => {
  it('fails closed: 500 EPOCH_UNREADABLE, an error line, no claim, and no wake-up on a state nobody may act on', async () => {
    await w.installedHoursAgo(12);
    const c = w.inst.cloudId;
    const failedAt = now();
    jiraDown();
    await w.run(); // attempt #1 fails: a retry is due in 30 minutes
    await w.app.put(w.inst, `phase5:scheduler:${c}:AUTO_12H:EPOCH`, 'garbled');
    w.advance(10 * MINUTE);

    const run = await w.run();

    expect(answer(run)).toEqual({
      statusCode: 500,
      statusText: 'SCHEDULER_ERROR',
      headers: json,
      body: {
        reason: 'SCHEDULER_ERROR',
        error_code: 'EPOCH_UNREADABLE',
        message: "AUTO_12H's epoch key does not hold an epoch",
        cloud_id: c,
        trigger: 'AUTO_12H',
      },
    });
    expect(logs(run)[1]).toEqual({
      level: 'error',
      line: `${TAG} AUTO_12H epoch key for ${c} is not an epoch; not generating`,
    });
    expect(run.invocation.stats).toMatchObject({ kvsWriteRequests: 0, eventPushes: 0 });
    expect(storedState().triggers.AUTO_12H.backoffUntil).toBe(failedAt + 30 * MINUTE);
  });

  it('still stores a window that closed without a report', async () => {
    const installedAt = await w.installedHoursAgo(24);
    await w.app.put(w.inst, `phase5:scheduler:${w.inst.cloudId}:AUTO_24H:EPOCH`, { epoch: 'two' });

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'SCHEDULER_ERROR', error_code: 'EPOCH_UNREADABLE' });
    expect(storedState().triggers.AUTO_12H.missedAt).toBe(installedAt + 24 * HOUR);
  });
});

describe('a stored state that does not parse', () => {
  it('is logged with the reason and rebuilt from the DONE keys', async () => {
    await w.installedHoursAgo(13);
    const c = w.inst.cloudId;
    await w.app.put(w.inst, w.keys.state, { auto_12h_attempt_count: 'many' });
    await w.app.put(w.inst, w.keys.done12, { status: 'done', generated_at: iso(now() - HOUR), attempt: 1 });

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'NO_TRIGGER_DUE' });
    expect(logs(run)[1]).toEqual({
      level: 'warn',
      line: `${TAG} Scheduler state for ${c} is invalid (auto_12h_attempt_count is not a count); rebuilding it from DONE keys`,
    });
    expect(storedState().triggers.AUTO_12H).toMatchObject({ generatedAt: now() - HOUR, attemptCount: 1 });
  });
});

describe('an unexpected error', () => {
  it("storage: 503 STORAGE_UNAVAILABLE naming the storage error and its cause, with the guide's error line", async () => {
    await w.installedHoursAgo(13);
    const c = w.inst.cloudId;
    w.failKvs('batch/get', 500);

    const run = await w.run();

    const body = answer(run).body as { message: string };
    expect(answer(run)).toEqual({
      statusCode: 503,
      statusText: 'STORAGE_UNAVAILABLE',
      headers: json,
      body: { reason: 'STORAGE_UNAVAILABLE', error_code: 'STORAGE_UNAVAILABLE', message: body.message, cloud_id: c },
    });
    // The storage error, and what KVS said about it.
    expect(body.message).toBe('Scheduler error: KVS batch read of 6 key(s) failed: injected');
    expect(logs(run)[1]).toEqual({ level: 'error', line: `${TAG} ${body.message}` });
  });

  it('storage, refusing to record a failure: 503, and no wake-up of its own (the retry or the next tick comes back)', async () => {
    await w.installedHoursAgo(12);
    jiraDown();
    w.failKvs('transaction', 500);

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'STORAGE_UNAVAILABLE' });
    expect(run.invocation.stats.eventPushes).toBe(0);
    expect(w.app.events.waiting()).toEqual([]);
  });

  it('anything else: 500 SCHEDULER_ERROR with its message, and the state decided so far still saved', async () => {
    const installedAt = await w.installedHoursAgo(24);
    const c = w.inst.cloudId;
    const spy = jest.spyOn(generator, 'handleAutoTrigger').mockRejectedValue(new Error('generator blew up'));
    try {
      const run = await w.run();

      expect(answer(run)).toEqual({
        statusCode: 500,
        statusText: 'SCHEDULER_ERROR',
        headers: json,
        body: {
          reason: 'SCHEDULER_ERROR',
          error_code: 'SCHEDULER_ERROR',
          message: 'Scheduler error: generator blew up',
          cloud_id: c,
        },
      });
      expect(logs(run)).toContainEqual({ level: 'error', line: `${TAG} Scheduler error: generator blew up` });
      expect(storedState().triggers.AUTO_12H.missedAt).toBe(installedAt + 24 * HOUR);
    } finally {
      spy.mockRestore();
    }
  });

  it('when the state cannot be saved either: both errors logged, still an answer', async () => {
    // The 12 h window has just closed unreported (a state change to save), and every write fails.
    await w.installedHoursAgo(24);
    w.failKvs('set', 500);

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'STORAGE_UNAVAILABLE' });
    const errors = logs(run).filter((l) => l.level === 'error');
    expect(errors).toHaveLength(2);
    expect(errors[1].line).toMatch(/^\[Phase5Scheduler\] Scheduler error: state not saved: ./);
    expect(w.stored().has(w.keys.state)).toBe(false);
  });
});
