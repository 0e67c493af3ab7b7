import type { SeamCall } from '../../local/runtime/forge_runtime';
import { CONFIRMATIONS } from '../../src/admin/contract';
import { SCHEDULER } from '../../src/scheduled/config';
import { HOUR, MINUTE, SchedulerWorld } from '../support/scheduler_world';

/**
 * A report is stored while its window is open (issue 25 items 1 and 5), through the
 * manifest's handlers on the local runtime: hourly ticks at the installation's own
 * offset, the wake-ups they push delivered by the async events emulator.
 */

const SECOND = 1000;
let w: SchedulerWorld;
afterEach(() => w.dispose());

const jsonError = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** Jira answers the report's reads with 503 in [from, to). */
function jiraDownBetween(world: SchedulerWorld, from: number, to: number): void {
  world.addFault((call) => {
    const now = world.app.clock.now();
    if (call.service !== 'jira' || call.path.startsWith('/rest/api/3/mypermissions')) return undefined;
    if (now < from || now >= to) return undefined;
    return jsonError(503, { errorMessages: ['Service unavailable'], errors: {} });
  });
}

/** KVS refuses every ledger record create (entity set) while `on()` says so. */
function refuseRecordCreates(world: SchedulerWorld, on: () => boolean): void {
  world.addFault((call: SeamCall) =>
    on() && call.service === 'kvs' && call.path === '/api/v1/entity/set'
      ? jsonError(500, { code: 'INTERNAL_SERVER_ERROR', message: 'injected' })
      : undefined,
  );
}

function storedState(world: SchedulerWorld): Record<string, unknown> {
  return world.stored().get(world.keys.state) as Record<string, unknown>;
}

function generatedAt(world: SchedulerWorld, key: string): number | null {
  const report = world.stored().get(key) as { generated_at?: string } | undefined;
  return report?.generated_at ? Date.parse(report.generated_at) : null;
}

describe('a new installation whose first invocations meet storage faults', () => {
  it("backs off 30 min after its first real failure: the upgrade's retried fences are not attempts", async () => {
    w = new SchedulerWorld();
    let faulty = true;
    refuseRecordCreates(w, () => faulty);
    const installedAt = await w.installedHoursAgo(0);
    w.advance(17 * MINUTE + 23 * SECOND);
    // The installed event and the first five ticks each try to create the records and fail.
    await w.live(installedAt + 4 * HOUR + 30 * MINUTE, SCHEDULER.intervalMs);
    faulty = false;
    const fences = [...w.stored().keys()].filter((k) => k.includes(':AUTO_12H:CLAIM:'));
    expect(fences.length).toBeGreaterThanOrEqual(4); // the retries the fault cost, each fencing anew

    jiraDownBetween(w, installedAt + 12 * HOUR, installedAt + 12 * HOUR + 20 * MINUTE);
    const seen = await w.live(installedAt + 13 * HOUR, SCHEDULER.intervalMs);

    const failedAt = seen.filter((s) => s.reason === 'GENERATION_FAILED').map((s) => s.at);
    expect(failedAt).toHaveLength(1);
    // Stored at the 30-minute retry, as attempt #2 (the first real failure was #1).
    const stored12 = generatedAt(w, w.keys.report12)!;
    expect(stored12 - (failedAt[0] + 30 * MINUTE)).toBeGreaterThanOrEqual(0);
    expect(stored12 - (failedAt[0] + 30 * MINUTE)).toBeLessThan(SECOND);
    expect(storedState(w).auto_12h_attempt_count).toBe(2);
    expect((w.stored().get(w.keys.report12) as { attempt: number }).attempt).toBe(2);
  });
});

describe('a failure recorded after the last chance, with the last hour healthy', () => {
  it('is retried before the close: a holder that crashed at 22h50, found failed after 23 h, does not cost the 12 h report', async () => {
    const ADMIN = '5b10a2844c20165700ede21g';
    w = new SchedulerWorld({ jiraAdmins: [ADMIN] });
    const installedAt = await w.installedHoursAgo(0);
    // Jira down from 11h30 to 22h: failures at 12h50, 13h20 and 15h20; the next attempt waits for 23 h.
    jiraDownBetween(w, installedAt + 11.5 * HOUR, installedAt + 22 * HOUR);
    w.advance(50 * MINUTE);
    await w.live(installedAt + 22 * HOUR + 45 * MINUTE, SCHEDULER.intervalMs);
    expect(storedState(w).auto_12h_attempt_count).toBe(3);

    // An administrator presses Retry; the 22h50 tick claims, starts generating, and is stopped mid-way.
    w.app.clock.set(installedAt + 22 * HOUR + 46 * MINUTE);
    const retry = { trigger: 'AUTO_12H', confirmation: CONFIRMATIONS.retryTrigger('AUTO_12H') };
    const retried = await w.app.invoker.resolver<{ ok: boolean }>(
      w.inst,
      'phase5-admin-page',
      'retryTrigger',
      retry,
      ADMIN,
    );
    expect(!retried.killed && retried.result.ok).toBe(true);
    let crashes = 0;
    w.addFault((call) => {
      if (call.service === 'jira' && crashes === 0 && w.app.clock.now() >= installedAt + 22 * HOUR + 50 * MINUTE) {
        crashes++;
        call.invocation.kill();
      }
    });
    w.app.clock.set(installedAt + 22 * HOUR + 50 * MINUTE);

    // From 23 h to the close Jira and storage are healthy and nothing crashes.
    await w.live(installedAt + 25 * HOUR, SCHEDULER.intervalMs);

    expect(crashes).toBe(1);
    const stored12 = generatedAt(w, w.keys.report12);
    expect(stored12).not.toBeNull();
    expect(stored12!).toBeGreaterThan(installedAt + 23 * HOUR);
    expect(stored12!).toBeLessThan(installedAt + 24 * HOUR);
    expect((w.stored().get(w.keys.report12) as { attempt: number }).attempt).toBe(5);
    expect(w.reports().sort()).toEqual([w.keys.report12, w.keys.report24].sort());
  });
});
