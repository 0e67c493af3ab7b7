import type { SeamCall } from '../../local/runtime/forge_runtime';
import * as generator from '../../src/phase5/handle_auto_trigger';
import type { SchedulerResponse } from '../../src/scheduled/phase5_scheduler';
import {
  abandoned,
  claimNext,
  committed,
  emptyState,
  failed,
  LedgerRecord,
  recordFailure,
  recordSuccess,
  stateFromRecords,
} from '../../src/scheduled/decisions';
import { parseRecord, parseState, serializeRecord, serializeState } from '../../src/scheduled/scheduler_state';
import { HOUR, MINUTE, SchedulerWorld, transactionKind } from '../support/scheduler_world';

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

/** A trigger's ledger record as stored. */
function storedRecord(trigger: 'AUTO_12H' | 'AUTO_24H'): LedgerRecord {
  const entry = w.app.kvs
    .entityEntries(w.inst.installationId, 'claim')
    .find((e) => e.key === `phase5:claim:${w.inst.cloudId}:${trigger}`);
  const r = parseRecord(entry?.value, trigger);
  if (!r) throw new Error(`no ${trigger} record`);
  return r;
}

/** Store a trigger's record as another invocation left it (a transition computed from the stored one). */
async function putRecord(make: (current: LedgerRecord, state: ReturnType<typeof stateFromRecords>) => LedgerRecord) {
  const records = { AUTO_12H: storedRecord('AUTO_12H'), AUTO_24H: storedRecord('AUTO_24H') };
  const record = make(records.AUTO_12H, stateFromRecords(records, now() - 12 * HOUR, null));
  const res = await w.app.kvs.handle(w.inst.installationId, '/api/v1/entity/set', {
    method: 'POST',
    body: JSON.stringify({
      entityName: 'claim',
      key: `phase5:claim:${w.inst.cloudId}:AUTO_12H`,
      value: serializeRecord(w.inst.cloudId, record),
    }),
  });
  if (!res.ok) throw new Error(`storing the record failed: ${res.status}`);
}

/**
 * Attempt #1 of AUTO_12H claimed by another invocation `ago` ms before now, with the full
 * lease: the claim itself says that its holder started generating.
 */
const heldBy = (holder: string, ago: number) => (r: LedgerRecord, state: ReturnType<typeof stateFromRecords>) =>
  claimNext(state, r, holder, now() - ago, 16 * MINUTE).record;

/** The short lease the earlier version gave a claim until its holder recorded, in a second transaction, that it started. */
const EARLIER_START_LEASE_MS = 3 * MINUTE;

/**
 * Attempt #1 of AUTO_12H as the earlier version claimed it `ago` ms before now, its holder
 * never having recorded that it started generating (the claim's answer was lost): no
 * `generation_started_at`, and the earlier version's 3-minute lease. This version never
 * writes such a claim; it still finds them in installations the earlier version ran on.
 */
const earlierVersionClaimBy =
  (holder: string, ago: number) => (r: LedgerRecord, state: ReturnType<typeof stateFromRecords>) => {
    const { record } = claimNext(state, r, holder, now() - ago, 16 * MINUTE);
    const claimedAt = now() - ago;
    return {
      ...record,
      claim: { claimedAt, leaseExpiresAt: claimedAt + EARLIER_START_LEASE_MS, generationStartedAt: null },
    };
  };

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

    // The state (an earlier version's, missing the 12 h commit) did not know; the DONE keys stop both.
    expect(answer(run).body).toMatchObject({ reason: 'DONE_KEY_EXISTS', trigger: 'AUTO_24H' });
    expect(logs(run).map((l) => l.line)).toContain(`${TAG} AUTO_24H DONE key exists for ${c}; not generating`);
    expect(storedState().triggers).toMatchObject({
      AUTO_12H: { generatedAt: at, status: 'done' },
      AUTO_24H: { generatedAt: installedAt + 24 * HOUR, status: 'done' },
    });
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
  it('is written into the ledger and the state, from when it was learnt if it does not say when', async () => {
    const installedAt = await w.installedHoursAgo(25);
    const generated12 = installedAt + 12 * HOUR + 5 * MINUTE;
    // A state saved before the 24 h commit, and a 12 h DONE key of the kind that does not say when.
    await w.app.put(w.inst, w.keys.state, serializeState(recordSuccess(emptyState(), 'AUTO_12H', 1, generated12)));
    await w.app.put(w.inst, w.keys.done12, 'done');
    await w.app.put(w.inst, w.keys.done24, { status: 'done', generated_at: iso(installedAt + 24 * HOUR), attempt: 2 });

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'DONE_KEY_EXISTS', trigger: 'AUTO_24H' });
    expect(generated12).toBeLessThan(now());
    expect(storedState().triggers).toMatchObject({
      AUTO_12H: { generatedAt: now(), attemptCount: 1, status: 'done' },
      AUTO_24H: { generatedAt: installedAt + 24 * HOUR, attemptCount: 2, status: 'done' },
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
    expect(logs(run)).toContainEqual({
      level: 'warn',
      line: `${TAG} FAIL_CLOSED: Installation timestamp ${why} for ${c}`,
    });
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
    // The claim (which says generation starts), then one transaction stores the failure and
    // releases the claim: nobody waits for its lease.
    expect(run.invocation.stats.kvsByOperation).toEqual({ get: 1, 'batch/get': 1, transaction: 2 });
    expect(storedRecord('AUTO_12H')).toMatchObject({ status: 'idle', released: { at, outcome: 'failed' } });
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
      if (call.path !== '/api/v1/transaction' || transactionKind(call.body) !== 'commit' || refused >= times) return;
      refused++;
      return Response.json({ code: 'INTERNAL_SERVER_ERROR', message: 'injected' }, { status: 500 });
    });
  }

  it('once, and its first read back refused too: the read is sent again (a read changes nothing), and the report stored', async () => {
    await w.installedHoursAgo(12);
    refuseCommit(1);
    let readsRefused = 0;
    w.addFault((call) => {
      if (call.path !== '/api/v1/entity/get' || readsRefused >= 2) return;
      readsRefused++;
      return Response.json({ code: 'INTERNAL_SERVER_ERROR', message: 'injected' }, { status: 500 });
    });

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H', attempt: 1 });
    expect(readsRefused).toBe(2);
    expect(w.reports()).toEqual([w.keys.report12]);
  });

  it('once: the record read back is still its claim, so the commit is sent again, and stored', async () => {
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
    // state, records, claim, commit, its record read back (a 500 refused nothing, so the other
    // record is taken as read), commit again. A transaction answered 500 may have landed, so
    // the store never resends it itself: only the ledger does, after the read back.
    expect(run.invocation.stats.kvsByOperation).toEqual({ get: 1, 'batch/get': 1, 'entity/get': 1, transaction: 3 });
    expect(w.reports()).toEqual([w.keys.report12]);
  });

  it('every time: sent six times, as its budget of twelve requests allows, then 503, the claim released uncounted and retried within minutes', async () => {
    await w.installedHoursAgo(12);
    const c = w.inst.cloudId;
    const at = now();
    refuseCommit(6);

    const run = await w.run();

    const body = answer(run).body as { message: string };
    // Storage, not generation, failed: no step of the backoff ladder, a 503 like any storage refusal.
    expect(answer(run)).toMatchObject({
      statusCode: 503,
      body: { reason: 'STORAGE_UNAVAILABLE', cloud_id: c },
    });
    // What KVS said, for the log.
    expect(body.message).toMatch(/Report commit refused by storage.*injected/);
    expect(w.commitsSent()).toHaveLength(6);
    // A commit is sent while fewer than twelve of its requests are spent, each send with the read
    // back of its record (it may have landed): six sends, six reads. Then the claim and its release.
    expect(run.invocation.stats.kvsByOperation).toEqual({ get: 1, 'batch/get': 1, 'entity/get': 6, transaction: 8 });
    expect(storedRecord('AUTO_12H')).toMatchObject({ status: 'idle', released: { outcome: 'uncommitted' } });
    // The attempt number goes back (no stored report carries it) and nothing backs off.
    expect(storedState().triggers.AUTO_12H).toMatchObject({ attemptCount: 0, backoffUntil: null });
    expect(w.reports()).toEqual([]);
    // A tick refused by storage pushes its storage wake-up, 15 minutes on ...
    const delays = w.calls
      .filter((call) => call.service === 'events')
      .flatMap((call) => (JSON.parse(call.body!) as { payload: Array<{ delayInSeconds: number }> }).payload)
      .map((e) => e.delayInSeconds);
    expect(delays).toEqual([900]);
    // ... which, with storage taking commits again, stores the report as attempt 1 then.
    await w.deliver(at + 15 * MINUTE);
    expect(w.reports()).toEqual([w.keys.report12]);
    expect(w.stored().get(w.keys.report12)).toMatchObject({ attempt: 1 });
    expect(Date.parse((w.stored().get(w.keys.report12) as { generated_at: string }).generated_at)).toBe(
      at + 15 * MINUTE,
    );
  });

  it('then unreadable: never resent blind; 503, the claim left to its lease', async () => {
    await w.installedHoursAgo(12);
    refuseCommit();
    w.addFault((call) => {
      if (call.path !== '/api/v1/entity/get' || w.commitsSent().length === 0) return undefined;
      return Response.json({ code: 'INTERNAL_SERVER_ERROR', message: 'read refused' }, { status: 500 });
    });

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'STORAGE_UNAVAILABLE' });
    expect(w.commitsSent()).toHaveLength(1);
    expect(storedRecord('AUTO_12H')).toMatchObject({ status: 'held' });
  });

  it('and then found moved on by its commit: the commit landed, GENERATED, not sent twice', async () => {
    await w.installedHoursAgo(12);
    let lost = false;
    w.addFault(async (call) => {
      if (transactionKind(call.body) !== 'commit' || lost) return undefined;
      lost = true;
      // The transaction lands; its answer is lost on the way back.
      await w.app.kvs.handle(w.inst.installationId, '/api/v1/transaction', { body: call.body! });
      return Response.json({ code: 'INTERNAL_SERVER_ERROR', message: 'injected' }, { status: 500 });
    });

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'GENERATED', attempt: 1 });
    expect(w.commitsSent()).toHaveLength(1);
    expect(w.reports()).toEqual([w.keys.report12]);
  });

  it('and then found taken over by another invocation: never sent again; CLAIM_HELD saying so, nothing recorded by it', async () => {
    await w.installedHoursAgo(12);
    let taken = false;
    w.addFault(async (call) => {
      if (transactionKind(call.body) !== 'commit' || taken) return undefined;
      taken = true;
      // Meanwhile another invocation recorded this attempt as abandoned and took the next one.
      await putRecord((r, state) => ({
        ...abandoned(state, r, 'someone-else', now() + 17 * MINUTE, state.installedAt!).record,
      }));
      return undefined;
    });

    const run = await w.run();

    const body = answer(run).body as { message: string };
    expect(body).toMatchObject({ reason: 'CLAIM_HELD', attempt: 1 });
    expect(body.message).toMatch(/claim was moved on before its commit/);
    expect(w.commitsSent()).toHaveLength(1);
    expect(storedRecord('AUTO_12H')).toMatchObject({ holder: 'someone-else' });
    expect(w.reports()).toEqual([]);
  });
});

describe('the claim, its transaction failed and its record unreadable', () => {
  /**
   * The claim transaction is answered 500, after it landed (`lands`) or without landing; and
   * every read of the AUTO_12H record is refused from then until a commit is sent, so whether
   * the claim landed cannot be learnt. Returns how many reads were refused.
   */
  function claimUnsure(lands: boolean): () => number {
    let claimSent = false;
    let readsRefused = 0;
    const recordKey = `phase5:claim:${w.inst.cloudId}:AUTO_12H`;
    w.addFault(async (call) => {
      if (call.service !== 'kvs') return undefined;
      if (call.path === '/api/v1/transaction' && transactionKind(call.body) === 'claim' && !claimSent) {
        claimSent = true;
        if (lands) await w.app.kvs.handle(w.inst.installationId, '/api/v1/transaction', { body: call.body! });
        return Response.json({ code: 'INTERNAL_SERVER_ERROR', message: 'injected' }, { status: 500 });
      }
      const readsRecord = call.path === '/api/v1/entity/get' && (call.body ?? '').includes(recordKey);
      if (!claimSent || !readsRecord || w.commitsSent().length > 0) return undefined;
      readsRefused++;
      return Response.json({ code: 'INTERNAL_SERVER_ERROR', message: 'read refused' }, { status: 500 });
    });
    return () => readsRefused;
  }

  it('had landed: generates anyway, says so, and its report is stored exactly once', async () => {
    await w.installedHoursAgo(12);
    const c = w.inst.cloudId;
    const readsRefused = claimUnsure(true);
    const sentBefore = w.transactions().length;

    const run = await w.run();

    expect(answer(run).body).toEqual({
      reason: 'GENERATED',
      message: 'AUTO_12H report stored',
      cloud_id: c,
      trigger: 'AUTO_12H',
      attempt: 1,
    });
    // The read back was tried, and every try refused (the store's four, for each of the ledger's three).
    expect(readsRefused()).toBe(12);
    expect(logs(run).map((l) => l.line)).toContainEqual(
      expect.stringMatching(
        /^\[Phase5Scheduler\] AUTO_12H claim for .* may not have landed \(.*\); generating anyway: the commit lands only if the claim did$/,
      ),
    );
    // One claim, one commit: the report, its DONE key and the claim moved to done, once.
    expect(
      w
        .transactions()
        .slice(sentBefore)
        .map((t) => transactionKind(t.body)),
    ).toEqual(['claim', 'commit']);
    expect(w.reports()).toEqual([w.keys.report12]);
    expect(w.stored().has(w.keys.done12)).toBe(true);
    expect(storedRecord('AUTO_12H')).toMatchObject({ status: 'done', progress: { attemptCount: 1 } });
    expect(storedState().triggers.AUTO_12H).toMatchObject({ status: 'done', attemptCount: 1, lastError: null });
  });

  it('had not landed: generates anyway, but its commit, conditional on that claim, stores nothing', async () => {
    await w.installedHoursAgo(12);
    const readsRefused = claimUnsure(false);
    const before = storedRecord('AUTO_12H');

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'CLAIM_HELD', trigger: 'AUTO_12H', attempt: 1 });
    expect(readsRefused()).toBe(12);
    expect(logs(run).map((l) => l.line)).toContainEqual(expect.stringContaining('generating anyway'));
    // The commit was sent once and refused by its condition; it is never sent again.
    expect(w.commitsSent()).toHaveLength(1);
    expect(w.reports()).toEqual([]);
    expect(w.stored().has(w.keys.done12)).toBe(false);
    // The record is as the installation left it: no claim, no attempt counted.
    expect(storedRecord('AUTO_12H')).toEqual(before);
    expect(before).toMatchObject({ status: 'idle', claim: null });
    expect(storedState().triggers.AUTO_12H).toMatchObject({ attemptCount: 0, generatedAt: null, lastError: null });
  });
});

describe('a claim found taken', () => {
  it('by a live holder: 200 CLAIM_HELD, nothing written', async () => {
    await w.installedHoursAgo(12);
    const c = w.inst.cloudId;
    await putRecord(heldBy('holder', MINUTE));

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
    // The stored state did not know of that claim: brought in line (one write), nothing else.
    expect(run.invocation.stats.kvsWriteRequests).toBe(1);
    expect(storedState().triggers.AUTO_12H).toMatchObject({ status: 'held', attemptCount: 1 });
  });

  it('by a holder that has just committed: DONE_KEY_EXISTS, nothing recorded against the trigger', async () => {
    await w.installedHoursAgo(12);
    await putRecord((r, state) => {
      const held = claimNext(state, r, 'holder', now() - MINUTE, 16 * MINUTE);
      return committed(held.state, held.record, now(), now()).record;
    });

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'DONE_KEY_EXISTS', trigger: 'AUTO_12H' });
    expect(storedState().triggers.AUTO_12H).toMatchObject({ status: 'done', lastError: null });
  });

  it('by a holder whose lease ran out: the attempt failed at the lease end, backing off from there', async () => {
    await w.installedHoursAgo(12);
    const c = w.inst.cloudId;
    const claimedAt = now() - 20 * MINUTE;
    await putRecord(heldBy('dead', 20 * MINUTE));
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
    expect(storedRecord('AUTO_12H')).toMatchObject({ status: 'idle', released: { outcome: 'abandoned' } });
  });

  it('by a holder whose lease and backoff both ran out: recorded failed and the next attempt taken, in one transition', async () => {
    await w.installedHoursAgo(13);
    await putRecord(heldBy('dead', 50 * MINUTE));

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H', attempt: 2 });
    expect(storedState().triggers.AUTO_12H).toMatchObject({ attemptCount: 2, generatedAt: now() });
    // Two transactions: attempt #1 recorded failed together with attempt #2's claim, then the commit.
    expect(run.invocation.stats.kvsByOperation).toEqual({ get: 1, 'batch/get': 1, transaction: 2 });
  });

  it("by an earlier version's holder that never started generating, its short lease run out: taken over at once, no attempt counted, no backoff", async () => {
    await w.installedHoursAgo(12);
    await putRecord(earlierVersionClaimBy('lost-reply', EARLIER_START_LEASE_MS + MINUTE));

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H', attempt: 1 });
    expect(storedState().triggers.AUTO_12H).toMatchObject({ attemptCount: 1, generatedAt: now(), lastError: null });
    expect(logs(run).map((l) => l.line)).toContain(
      `${TAG} AUTO_12H claim whose holder never started generating taken over; no attempt counted`,
    );
  });

  it("by an earlier version's holder that never started generating, its short lease running: CLAIM_HELD, and a wake-up for its end", async () => {
    await w.installedHoursAgo(12);
    const claimedAt = now() - MINUTE;
    await putRecord(earlierVersionClaimBy('lost-reply', MINUTE));

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'CLAIM_HELD', trigger: 'AUTO_12H' });
    const leaseEnd = claimedAt + EARLIER_START_LEASE_MS;
    expect(w.app.events.waiting().map((e) => e.event.body)).toEqual([
      { cloud_id: w.inst.cloudId, wake_at: iso(leaseEnd + 1000) },
    ]);
  });

  it('released with a failure, its backoff still running: backing off until one ladder step after it', async () => {
    await w.installedHoursAgo(12);
    const failedAt = now() - 10 * MINUTE;
    await putRecord((r, state) => {
      const held = claimNext(state, r, 'earlier', failedAt - MINUTE, 16 * MINUTE);
      return failed(held.state, held.record, failedAt, 'Jira 503', state.installedAt!).record;
    });

    const run = await w.run();

    expect(answer(run).body).toMatchObject({
      reason: 'BACKOFF_ACTIVE',
      attempt: 1,
      next_eligible_at: iso(failedAt + 30 * MINUTE),
    });
    expect(storedState().triggers.AUTO_12H.lastError).toEqual({ at: failedAt, attempt: 1, message: 'Jira 503' });
  });
});

describe('a stored state that does not parse', () => {
  it('is logged with the reason and rebuilt from the ledger and the DONE keys', async () => {
    await w.installedHoursAgo(13);
    const c = w.inst.cloudId;
    await w.app.put(w.inst, w.keys.state, { auto_12h_attempt_count: 'many' });
    await w.app.put(w.inst, w.keys.done12, { status: 'done', generated_at: iso(now() - HOUR), attempt: 1 });

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'DONE_KEY_EXISTS', trigger: 'AUTO_12H' });
    expect(logs(run)[1]).toEqual({
      level: 'warn',
      line: `${TAG} Scheduler state for ${c} is invalid (auto_12h_attempt_count is not a count); rebuilding it from the ledger`,
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
    expect(body.message).toBe('Scheduler error: KVS batch read of 4 key(s) failed: injected (HTTP 500)');
    expect(logs(run)[1]).toEqual({ level: 'error', line: `${TAG} ${body.message}` });
  });

  it('storage, refusing the claim: 503, nothing counted, and a wake-up 15 minutes on (not the next tick, an hour on)', async () => {
    await w.installedHoursAgo(12);
    w.failTransactions('claim', 500);

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'STORAGE_UNAVAILABLE' });
    expect(w.app.events.waiting().map((e) => e.event.body)).toEqual([
      { cloud_id: w.inst.cloudId, wake_at: iso(now() + 15 * MINUTE), storage_retry: true },
    ]);
    expect(storedState().triggers.AUTO_12H).toMatchObject({ attemptCount: 0, backoffUntil: null, lastError: null });
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
      // The 12 h window's close was recorded before generation began, in a transition of its own.
      expect(storedState().triggers.AUTO_12H.missedAt).toBe(installedAt + 24 * HOUR);
    } finally {
      spy.mockRestore();
    }
  });

  it('when the 12 h window closes and storage refuses to record it: 503, an answer all the same', async () => {
    await w.installedHoursAgo(24);
    w.failKvs('transaction', 500);

    const run = await w.run();

    expect(answer(run).body).toMatchObject({ reason: 'STORAGE_UNAVAILABLE' });
    expect(logs(run).filter((l) => l.level === 'error')).toHaveLength(1);
    expect(storedState().triggers.AUTO_12H.missedAt).toBeNull();
  });
});
