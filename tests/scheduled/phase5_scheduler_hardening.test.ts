import * as generator from '../../src/phase5/handle_auto_trigger';
import { SCHEDULER } from '../../src/scheduled/config';
import { parseState } from '../../src/scheduled/scheduler_state';
import { HOUR, MINUTE, SchedulerWorld, transactionKind } from '../support/scheduler_world';

/**
 * The integration guide's seven properties, each against the deployed handler
 * (resolved from manifest.yml), the real @forge/kvs SDK and the local KVS
 * emulator, on a simulated clock.
 */

let w: SchedulerWorld;
beforeEach(() => {
  w = new SchedulerWorld();
});
afterEach(() => w.dispose());

const CLOUD = '3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c';

describe('1. Tenant identity fails closed', () => {
  const site = (id: string) => ({ installContext: `ari:cloud:jira::site/${id}`, principal: undefined });
  const cases: Array<[string, unknown, unknown, string]> = [
    ['no arguments', undefined, undefined, 'TENANT_CONTEXT_UNAVAILABLE'],
    ['no cloudId', { context: { moduleKey: 'phase5-scheduler' } }, site(CLOUD), 'TENANT_CONTEXT_UNAVAILABLE'],
    ['blank cloudId', { context: { cloudId: '   ' } }, undefined, 'TENANT_CONTEXT_UNAVAILABLE'],
    ['non-string cloudId', { context: { cloudId: 42 } }, undefined, 'TENANT_CONTEXT_UNAVAILABLE'],
    ['cloudId that is not a UUID', { context: { cloudId: 'abc/../def' } }, undefined, 'TENANT_CONTEXT_UNAVAILABLE'],
    ['cloudId only in installContext (no fallback)', { context: {} }, site(CLOUD), 'TENANT_CONTEXT_UNAVAILABLE'],
    [
      'installContext naming another site',
      { context: { cloudId: CLOUD } },
      site('0a0b0c0d-0000-4000-8000-000000000000'),
      'TENANT_CONTEXT_MISMATCH',
    ],
    [
      'installContext that is not a site ARI',
      { context: { cloudId: CLOUD } },
      { installContext: 42 },
      'TENANT_CONTEXT_MISMATCH',
    ],
  ];

  it.each(cases)('%s: 400, no storage touched', async (_name, request, context, code) => {
    await w.installedHoursAgo(13);
    const before = w.stored();

    const { response, body, invocation } = await w.runWith(request, context);

    expect(response.statusCode).toBe(400);
    expect(body.error_code).toBe(code);
    expect(invocation.stats.kvsRequests).toBe(0);
    expect(w.stored()).toEqual(before);
    expect(invocation.logs.map((l) => l.line)).toContainEqual(
      expect.stringContaining('[Phase5Scheduler] FAIL_CLOSED: Tenant identity unavailable'),
    );
  });

  it('accepts the cloudId Forge passes when installContext agrees', async () => {
    const { response, body } = await w.runWith({ context: { cloudId: CLOUD } }, site(CLOUD));
    expect(response.statusCode).toBe(200);
    expect(body.cloud_id).toBe(CLOUD);
  });
});

describe('2. Installation timestamp comes only from Phase-4 evidence', () => {
  it('missing evidence: 200 "not available", nothing generated or written, even with a state that says 13 h', async () => {
    await w.app.put(w.inst, w.keys.state, { auto_12h_attempt_count: 0, last_run_at: '2026-11-01T00:00:00Z' });

    const run = await w.run();

    expect(run.statusCode).toBe(200);
    expect(run.body?.message).toBe('Installation timestamp not available');
    expect(run.invocation.stats.kvsWriteRequests).toBe(0);
    expect(w.reports()).toEqual([]);
    expect(run.invocation.logs.map((l) => l.line)).toContainEqual(
      expect.stringContaining('FAIL_CLOSED: Installation timestamp not found'),
    );
  });

  it.each([
    ['a bare string', '2026-11-01T00:00:00Z'],
    ['a number', { installation_timestamp: 1700000000000 }],
    ['words', { installation_timestamp: 'yesterday' }],
    ['an impossible date', { installation_timestamp: '2026-02-31T00:00:00Z' }],
    ['no zone', { installation_timestamp: '2026-11-01T00:00:00' }],
  ])('garbled evidence (%s): skipped without generating', async (_name, evidence) => {
    await w.app.put(w.inst, w.keys.evidence, evidence);

    const run = await w.run();

    expect(run.statusCode).toBe(200);
    expect(run.body?.reason).toBe('INSTALLATION_TIMESTAMP_UNAVAILABLE');
    expect(run.body?.error_code).toBe('INSTALLATION_TIMESTAMP_INVALID');
    expect(run.invocation.stats.kvsWriteRequests).toBe(0);
  });

  it('a timestamp in the future beyond the clock-skew allowance is not believed', async () => {
    await w.installedHoursAgo(-10 / 60);
    const run = await w.run();
    expect(run.body?.error_code).toBe('INSTALLATION_TIMESTAMP_IN_FUTURE');
    expect(run.invocation.stats.kvsWriteRequests).toBe(0);
  });

  it('a timestamp slightly ahead (clock skew) is accepted; age is measured from it', async () => {
    await w.installedHoursAgo(-2 / 60);
    const run = await w.run();
    expect(run.body?.reason).toBe('NO_TRIGGER_DUE');
    expect(run.body?.next_eligible_at).toBe(new Date(w.app.clock.now() + 2 * MINUTE + 12 * HOUR).toISOString());
  });

  it('the report records the evidence timestamp and the observation window measured from it', async () => {
    const installedAt = await w.installedHoursAgo(12.5);
    await w.run();
    const report = w.stored().get(w.keys.report12) as Record<string, unknown>;
    expect(report.installation_timestamp).toBe(new Date(installedAt).toISOString());
    expect(report.observation_window_hours).toBe(12.5);
  });
});

describe('3. DONE keys are authoritative', () => {
  it('a DONE key the state does not know about stops generation, and the state is brought in line once', async () => {
    await w.installedHoursAgo(13);
    await w.app.put(w.inst, w.keys.done12, { status: 'done', generated_at: '2026-11-02T08:00:00.000Z', attempt: 2 });

    const first = await w.run();
    const second = await w.run();

    expect(first.body?.reason).toBe('DONE_KEY_EXISTS');
    expect(w.reports()).toEqual([]);
    const state = parseState(w.stored().get(w.keys.state), w.app.clock.now());
    expect(state.ok && state.value.triggers.AUTO_12H.generatedAt).toBe(Date.parse('2026-11-02T08:00:00.000Z'));
    expect(second.body?.reason).toBe('NO_TRIGGER_DUE');
    expect(second.invocation.stats.kvsWriteRequests).toBe(0);
  });

  it('a DONE key holding just "done" (the guide allows it) also counts', async () => {
    await w.installedHoursAgo(30);
    await w.app.put(w.inst, w.keys.done24, 'done');
    const run = await w.run();
    expect(run.body?.reason).toBe('DONE_KEY_EXISTS');
    expect(w.stored().has(w.keys.report24)).toBe(false);
  });

  it('a failed read of the DONE keys is not "absent": no claim, no generation, no write', async () => {
    await w.installedHoursAgo(13);
    w.failKvs('batch/get', 500);

    const run = await w.run();

    // The state said AUTO_12H is due; the read of its DONE key (with the records) failed, and
    // each of the store's three tries again (a read changes nothing) failed too: nothing more.
    expect(run.statusCode).toBe(503);
    expect(run.body?.reason).toBe('STORAGE_UNAVAILABLE');
    expect(run.invocation.stats).toMatchObject({
      kvsRequests: 5,
      kvsWriteRequests: 0,
      kvsByOperation: { get: 1, 'batch/get': 4 },
    });
    expect(w.reports()).toEqual([]);
  });

  it('a per-key failure inside the batch read (other than KEY_NOT_FOUND) is read again on its own, never "absent"', async () => {
    // Prepare: the 12 h report is stored and the state lost, so the DONE key and the record say it
    // is done; the next batch read fails every key per item.
    await w.installedHoursAgo(12);
    expect((await w.run()).body?.reason).toBe('GENERATED');
    await w.app.kvs.handle(w.inst.installationId, '/api/v1/delete', { body: JSON.stringify({ key: w.keys.state }) });
    w.addFault((call) => {
      if (call.path !== '/api/v1/batch/get') return;
      const keys = (JSON.parse(call.body!) as Array<{ key: string }>).map((i) => i.key);
      return Response.json({
        successfulKeys: [],
        failedKeys: keys.map((key) => ({
          key,
          error: { code: 'INTERNAL_SERVER_ERROR', message: 'x' },
        })),
      });
    });

    // Act
    const run = await w.run();

    // Assess: each of the batch's keys (evidence, two DONE keys, two records, the 12 h report) was read
    // on its own after the state, the 12 h DONE key was found, nothing was generated.
    expect(run.body?.reason).toBe('DONE_KEY_EXISTS');
    expect(run.invocation.stats.kvsByOperation).toMatchObject({ 'batch/get': 1, get: 5, 'entity/get': 2 });
    expect(w.commitsSent()).toHaveLength(1);
    expect(w.reports()).toEqual([w.keys.report12]);
  });

  it('when the single re-read of a failed batch item fails too, the read failed: 503, nothing generated', async () => {
    await w.installedHoursAgo(13);
    w.addFault((call) => {
      if (call.path !== '/api/v1/batch/get') return;
      const keys = (JSON.parse(call.body!) as Array<{ key: string }>).map((i) => i.key);
      return Response.json({
        successfulKeys: [],
        failedKeys: keys.map((key) => ({
          key,
          error: { code: key.endsWith(':DONE') ? 'INTERNAL_SERVER_ERROR' : 'KEY_NOT_FOUND', message: 'x' },
        })),
      });
    });
    w.failKvs('get', 500);

    const run = await w.run();

    expect(run.body?.reason).toBe('STORAGE_UNAVAILABLE');
    expect(run.invocation.stats.kvsWriteRequests).toBe(0);
    expect(w.reports()).toEqual([]);
  });

  it('once both reports exist, later invocations neither generate nor write', async () => {
    await w.installedHoursAgo(12);
    await w.run();
    w.advance(12 * HOUR);
    await w.run();
    const storedBefore = w.stored();

    const runs = [];
    for (let i = 0; i < 5; i++) {
      w.advance(5 * MINUTE);
      runs.push(await w.run());
    }

    expect(runs.map((r) => r.body?.reason)).toEqual(Array(5).fill('NO_TRIGGER_DUE'));
    expect(runs.map((r) => r.invocation.stats.kvsRequests)).toEqual([1, 1, 1, 1, 1]);
    expect(runs.every((r) => r.invocation.stats.kvsWriteRequests === 0)).toBe(true);
    expect(w.stored()).toEqual(storedBefore);
  });
});

describe('4. Backoff is per trigger and bounded: 30 min, 2 h, 24 h', () => {
  /**
   * Run at every tick of the manifest's interval until `until`, delivering the wake-ups
   * pushed in between; returns the instants at which a generation was attempted.
   */
  async function attemptsUntil(until: number): Promise<number[]> {
    const attempts: number[] = [];
    const attempted = (inv: { stats: { jiraRequests: number } }) => inv.stats.jiraRequests > 0;
    while (w.app.clock.now() <= until) {
      const at = w.app.clock.now();
      const tick = await w.run();
      if (attempted(tick.invocation)) attempts.push(at);
      for (const d of await w.deliver(Math.min(at + SCHEDULER.intervalMs - 1, until))) {
        if (attempted(d.invocation)) attempts.push(d.delivery.at);
      }
      w.app.clock.set(at + SCHEDULER.intervalMs);
    }
    return attempts;
  }

  it('a failing AUTO_24H is retried after 30 min, then 2 h, then 24 h (never longer)', async () => {
    const installedAt = await w.installedHoursAgo(0);
    w.advance(24 * HOUR);
    w.failJira();

    const attempts = await attemptsUntil(installedAt + 51 * HOUR);

    const gaps = attempts.slice(1).map((t, i) => (t - attempts[i]) / MINUTE);
    expect(gaps).toEqual([30, 120, 1440]);
    const state = parseState(w.stored().get(w.keys.state), w.app.clock.now());
    if (!state.ok) throw new Error(state.reason);
    expect(state.value.triggers.AUTO_24H.attemptCount).toBe(4);
    expect(state.value.triggers.AUTO_24H.backoffUntil).toBe(attempts[3] + 24 * HOUR);
  });

  it('a failing AUTO_12H is retried after 30 min, then 2 h; the 24 h step would pass its window, so the next attempt comes an hour before it closes, and each failure from then on is retried 15 min later', async () => {
    const installedAt = await w.installedHoursAgo(0);
    w.advance(12 * HOUR);
    w.failJira();

    const attempts = await attemptsUntil(installedAt + 24 * HOUR - 1);

    expect(attempts.map((t) => (t - installedAt) / HOUR)).toEqual([12, 12.5, 14.5, 23, 23.25, 23.5, 23.75]);
    const state = parseState(w.stored().get(w.keys.state), w.app.clock.now());
    if (!state.ok) throw new Error(state.reason);
    expect(state.value.triggers.AUTO_12H.attemptCount).toBe(7);
    // The last retry failed too: 15 min on is the close, so the wait ends where the window does, never past it.
    expect(state.value.triggers.AUTO_12H.backoffUntil).toBe(installedAt + 24 * HOUR);
  });

  it("logs the guide's backoff line with the wait and the next eligible time", async () => {
    await w.installedHoursAgo(12);
    w.failJira();
    const run = await w.run();
    const next = new Date(w.app.clock.now() + 30 * MINUTE).toISOString();
    expect(run.statusCode).toBe(502);
    expect(run.invocation.logs.map((l) => l.line)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\[Phase5Scheduler\] Attempting AUTO_12H generation for .* \(attempt #1\)/),
        expect.stringMatching(/\[Phase5Scheduler\] AUTO_12H generation failed \(attempt #1\): /),
        `[Phase5Scheduler] Backoff 1800000ms (30 minute(s)) applied; next eligible at ${next}`,
      ]),
    );
  });

  it('a 12 h report still backing off never delays the 24 h one, and is recorded as missed', async () => {
    const installedAt = await w.installedHoursAgo(0);
    w.advance(23 * HOUR + 55 * MINUTE);
    const restore = w.failJira();
    await w.run(); // AUTO_12H fails; 30 min backoff runs past the 24 h mark
    restore();

    w.advance(5 * MINUTE);
    const at24 = await w.run();

    expect(w.app.clock.now()).toBe(installedAt + 24 * HOUR);
    expect(at24.body?.reason).toBe('GENERATED');
    expect(at24.body?.trigger).toBe('AUTO_24H');
    expect(at24.invocation.logs.map((l) => l.line)).toContainEqual(
      expect.stringContaining('AUTO_12H window closed without a report'),
    );
    const state = parseState(w.stored().get(w.keys.state), w.app.clock.now());
    expect(state.ok && state.value.triggers.AUTO_12H.missedAt).toBe(installedAt + 24 * HOUR);
    expect(w.reports()).toEqual([w.keys.report24]);
  });

  it("a failure after recovery starts counting again from the trigger's own attempt number", async () => {
    await w.installedHoursAgo(12);
    const restore = w.failJira();
    await w.run();
    restore();
    w.advance(30 * MINUTE);
    const ok = await w.run();
    expect(ok.body).toMatchObject({ reason: 'GENERATED', attempt: 2 });
    const report = w.stored().get(w.keys.report12) as Record<string, unknown>;
    expect(report.attempt).toBe(2);
  });
});

describe('5. The handler never throws', () => {
  const cases: Array<[string, string]> = [
    ['the state read', 'get'],
    ['the read of the DONE key and the records', 'batch/get'],
    ['every transaction (claim, commit, failure)', 'transaction'],
  ];
  it.each(cases)('a storage error on %s becomes a response', async (_name, op) => {
    await w.installedHoursAgo(13);
    w.failKvs(op, 500);
    const run = await w.run();
    expect(run.killed).toBe(false);
    expect([502, 503]).toContain(run.statusCode);
    expect(w.reports()).toEqual([]);
  });

  it('a 429 from KVS on the claim is a 503 with nothing generated, and the next tick proceeds', async () => {
    await w.installedHoursAgo(13);
    const restore = w.failTransactions('claim', 429, 'TOO_MANY_REQUESTS');
    const limited = await w.run();
    restore();
    const commitsWhileLimited = w.commitsSent().length;
    w.advance(5 * MINUTE);
    const next = await w.run();
    expect(limited.statusCode).toBe(503);
    // A 429 refused the whole transaction, so the store sent it again itself (four tries); each
    // time the ledger read the record back, found it as read, and sent the claim again (four sends).
    expect(limited.invocation.stats.kvsByOperation).toEqual({
      get: 1,
      'batch/get': 1,
      transaction: SCHEDULER.transitionTries * 4,
      'entity/get': SCHEDULER.transitionTries,
    });
    expect(commitsWhileLimited).toBe(0);
    expect(next.body?.reason).toBe('GENERATED');
    expect(w.reports()).toEqual([w.keys.report12]);
  });

  it('a malformed (non-JSON) 2xx answer from KVS is a 503, not a throw', async () => {
    await w.installedHoursAgo(13);
    w.addFault((call) =>
      call.path === '/api/v1/batch/get' ? new Response('<html>oops</html>', { status: 200 }) : undefined,
    );
    const run = await w.run();
    expect(run.statusCode).toBe(503);
  });

  it('when both the commit and the release it then records fail, it still answers, and the next tick waits', async () => {
    await w.installedHoursAgo(13);
    const restoreCommit = w.failTransactions('commit', 500);
    const restoreRelease = w.failTransactions('release', 500);

    const run = await w.run();
    restoreCommit();
    restoreRelease();
    w.advance(5 * MINUTE);
    const next = await w.run();

    // Storage, not generation, failed: a 503, which the storage retry rules look at again within minutes.
    expect(run.statusCode).toBe(503);
    expect(run.body?.message).toMatch(/Report commit refused by storage/);
    // No backoff was stored, and claim #1 is held by the failed invocation until its lease ends.
    expect(next.body).toMatchObject({ reason: 'CLAIM_HELD', attempt: 1 });
    expect(w.reports()).toEqual([]);
  });

  it('a corrupt state is logged and rebuilt without losing what the DONE keys say', async () => {
    await w.installedHoursAgo(30);
    await w.app.put(w.inst, w.keys.state, { auto_12h_attempt_count: 'many', last_backoff_until: 'soon' });
    await w.app.put(w.inst, w.keys.done12, { status: 'done', generated_at: '2026-11-01T22:00:00.000Z', attempt: 1 });

    const run = await w.run();

    expect(run.body?.reason).toBe('GENERATED');
    expect(run.body?.trigger).toBe('AUTO_24H');
    expect(run.invocation.logs.map((l) => l.line)).toContainEqual(expect.stringContaining('is invalid'));
    const state = parseState(w.stored().get(w.keys.state), w.app.clock.now());
    if (!state.ok) throw new Error(state.reason);
    expect(state.value.triggers.AUTO_12H.generatedAt).toBe(Date.parse('2026-11-01T22:00:00.000Z'));
    expect(state.value.triggers.AUTO_12H.missedAt).toBeNull();
  });
});

describe('6. One generation path: handleAutoTrigger', () => {
  it('both triggers are generated by handleAutoTrigger and stored as it built them', async () => {
    const spy = jest.spyOn(generator, 'handleAutoTrigger');
    try {
      await w.installedHoursAgo(12);
      await w.run();
      w.advance(12 * HOUR);
      await w.run();

      expect(spy.mock.calls.map((c) => c[0])).toEqual(['AUTO_12H', 'AUTO_24H']);
      const built = await Promise.all(spy.mock.results.map((r) => r.value));
      expect(w.stored().get(w.keys.report12)).toEqual(built[0].report);
      expect(w.stored().get(w.keys.report24)).toEqual(built[1].report);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('7. Concurrent invocations converge on one report', () => {
  /** Hold every invocation at its second KVS call (the records' read) until all `n` have reached it, so they all read before anyone claims. */
  function barrier(n: number) {
    let waiting: Array<() => void> = [];
    w.addFault(async (call) => {
      if (call.index !== 1 || call.invocation.moduleKey !== 'phase5-scheduler') return;
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === n) {
          waiting.forEach((r) => r());
          waiting = [];
        }
      });
    });
  }

  it.each([2, 10])('%i simultaneous invocations: one generates, the rest stand down, one report', async (n) => {
    await w.installedHoursAgo(12);
    barrier(n);

    const runs = await Promise.all(Array.from({ length: n }, () => w.run()));

    const reasons = runs.map((r) => r.body?.reason).sort();
    expect(reasons.filter((r) => r === 'GENERATED')).toHaveLength(1);
    expect(reasons.filter((r) => r === 'CLAIM_HELD')).toHaveLength(n - 1);
    expect(w.commitsSent()).toHaveLength(1);
    expect(runs.reduce((jira, r) => jira + r.invocation.stats.jiraRequests, 0)).toBe(
      runs.find((r) => r.body?.reason === 'GENERATED')!.invocation.stats.jiraRequests,
    );
    expect(w.reports()).toEqual([w.keys.report12]);
    expect(runs.every((r) => r.statusCode === 200)).toBe(true);
  });

  it('a holder that dies after claiming blocks others only until its lease ends; the attempt counts as failed', async () => {
    await w.installedHoursAgo(12);
    w.addFault((call) => {
      if (transactionKind(call.body) === 'commit' && w.commitsSent().length === 1) call.invocation.kill();
    });
    const crashed = await w.run();
    expect(crashed.killed).toBe(true);

    w.advance(5 * MINUTE);
    const whileLeased = await w.run();
    w.advance(15 * MINUTE); // lease (16 min) now over
    const afterLease = await w.run();
    w.advance(30 * MINUTE - 4 * MINUTE); // 30 min backoff measured from the lease's end
    const retried = await w.run();

    expect(whileLeased.body?.reason).toBe('CLAIM_HELD');
    expect(afterLease.body).toMatchObject({ reason: 'BACKOFF_ACTIVE', attempt: 1 });
    expect(retried.body).toMatchObject({ reason: 'GENERATED', attempt: 2 });
    expect(w.reports()).toEqual([w.keys.report12]);
  });
});

describe('Cost: what an invocation asks of KVS', () => {
  const installedAt = async () =>
    Date.parse((w.stored().get(w.keys.evidence) as { installation_timestamp: string }).installation_timestamp);

  it.each([
    ['before the 12 h report', 1],
    ['between the reports', 13],
    ['after both', 25],
  ])('idle %s: one read request, of the state alone, under 1 KB, nothing written', async (_when, hours) => {
    await w.installedHoursAgo(0);
    for (const at of [12, 24].filter((h) => h < hours)) {
      w.app.clock.set((await installedAt()) + at * HOUR);
      expect((await w.run()).body?.reason).toBe('GENERATED');
    }
    w.app.clock.set((await installedAt()) + hours * HOUR + 5 * MINUTE);
    const run = await w.run();
    expect(run.body?.reason).toBe('NO_TRIGGER_DUE');
    expect(run.invocation.stats).toMatchObject({ kvsRequests: 1, kvsWriteRequests: 0, kvsByOperation: { get: 1 } });
    expect(run.invocation.stats.kvsBytesRead).toBeLessThan(1024);
  });

  it.each([
    ['AUTO_12H', 12],
    ['AUTO_24H', 24],
  ])('generating %s: state, DONE key with the records, claim, commit: four requests', async (trigger, hours) => {
    await w.installedHoursAgo(0);
    w.advance(12 * HOUR);
    if (trigger === 'AUTO_24H') {
      expect((await w.run()).body?.reason).toBe('GENERATED');
      w.advance(12 * HOUR);
    }
    expect(hours).toBe(trigger === 'AUTO_24H' ? 24 : 12);
    const run = await w.run();
    expect(run.body).toMatchObject({ reason: 'GENERATED', trigger });
    // Transactions: the claim (which says generation starts), the commit.
    expect(run.invocation.stats.kvsByOperation).toEqual({ get: 1, 'batch/get': 1, transaction: 2 });
  });
});
