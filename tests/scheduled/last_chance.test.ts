import type { AdminPageView } from '../../src/admin/contract';
import { SCHEDULER } from '../../src/scheduled/config';
import { HOUR, MINUTE, SchedulerWorld } from '../support/scheduler_world';

/**
 * The 12-hour report's window bounds its backoff, through the manifest's handlers on the
 * local runtime: hourly ticks at the installation's own offset, the wake-ups they push
 * delivered by the async events emulator, and Jira answering 503 for a stretch of time.
 * The case: Jira down from 11h30 to 20h00. Attempts at 12 h, 12h30 and 14h30
 * fail; the ladder's next step (24 h) would carry the next one to 38h30, past the
 * window. The last attempt comes at the last chance, 23 h, and stores the report.
 */

const SECOND = 1000;
const ADMIN = '5b10a2844c20165700ede21g';
let w: SchedulerWorld;
afterEach(() => w.dispose());

/** Jira answers the report's reads with 503 in [from, to); the admin page's permission check still answers. */
function jiraDownBetween(world: SchedulerWorld, from: number, to: number): void {
  world.addFault((call) => {
    const now = world.app.clock.now();
    if (call.service !== 'jira' || call.path.startsWith('/rest/api/3/mypermissions')) return undefined;
    if (now < from || now >= to) return undefined;
    const body = { errorMessages: ['Service unavailable'], errors: {} };
    return new Response(JSON.stringify(body), { status: 503, headers: { 'content-type': 'application/json' } });
  });
}

function generatedAt(world: SchedulerWorld, key: string): number | null {
  const report = world.stored().get(key) as { generated_at?: string } | undefined;
  return report?.generated_at ? Date.parse(report.generated_at) : null;
}

describe('Jira down from 11h30 to 20h00', () => {
  it('stores the 12 h report at its last chance, 23 h after install, once; the 24 h report follows on time', async () => {
    w = new SchedulerWorld();
    const installedAt = await w.installedHoursAgo(0);
    jiraDownBetween(w, installedAt + 11.5 * HOUR, installedAt + 20 * HOUR);
    w.advance(17 * MINUTE + 23 * SECOND); // the installation's tick offset, not aligned with any due instant

    const seen = await w.live(installedAt + 25 * HOUR, SCHEDULER.intervalMs);

    const failedAt = seen.filter((s) => s.reason === 'GENERATION_FAILED').map((s) => (s.at - installedAt) / HOUR);
    expect(failedAt).toEqual([12, 12.5, 14.5]);
    const stored12 = generatedAt(w, w.keys.report12)!;
    expect(stored12 - (installedAt + 23 * HOUR)).toBeGreaterThanOrEqual(0);
    expect(stored12 - (installedAt + 23 * HOUR)).toBeLessThan(SECOND);
    expect(generatedAt(w, w.keys.report24)! - (installedAt + 24 * HOUR)).toBeLessThan(SECOND);
    expect(w.reports().sort()).toEqual([w.keys.report12, w.keys.report24].sort());
    expect(seen.filter((s) => s.reason === 'GENERATED')).toHaveLength(2);
  });

  it('stores it before 24 h even when every wake-up is lost: the last chance is a tick interval before the close', async () => {
    w = new SchedulerWorld({ eventFaults: { lossRate: 1 } });
    const installedAt = await w.installedHoursAgo(0);
    jiraDownBetween(w, installedAt + 11.5 * HOUR, installedAt + 20 * HOUR);
    // The worst offset for the last chance: the tick comes just before 23 h, so the next is 59 min after it.
    w.advance(59 * MINUTE);

    await w.live(installedAt + 25 * HOUR, SCHEDULER.intervalMs);

    const stored12 = generatedAt(w, w.keys.report12);
    expect(stored12).not.toBeNull();
    expect(stored12!).toBeGreaterThanOrEqual(installedAt + 23 * HOUR);
    expect(stored12!).toBeLessThan(installedAt + 24 * HOUR);
    expect(w.app.events.stats.eventsLost).toBeGreaterThan(0);
  });

  it('shows the administrator, while the report waits to retry, that its last chance is at 23 h', async () => {
    w = new SchedulerWorld({ jiraAdmins: [ADMIN] });
    const installedAt = await w.installedHoursAgo(0);
    jiraDownBetween(w, installedAt + 11.5 * HOUR, installedAt + 20 * HOUR);
    w.advance(17 * MINUTE);
    await w.live(installedAt + 15 * HOUR, SCHEDULER.intervalMs);

    const run = await w.app.invoker.resolver<{ view: AdminPageView }>(
      w.inst,
      'phase5-admin-page',
      'getAdminPage',
      {},
      ADMIN,
    );
    const page = run.killed ? null : run.result.view;
    if (!page) throw new Error('the admin page did not answer');

    const card = page.triggers.find((t) => t.trigger === 'AUTO_12H')!;
    expect(card).toMatchObject({
      status: 'backing_off',
      failedAttempts: 3,
      nextEligibleAt: new Date(installedAt + 23 * HOUR).toISOString(),
      lastChanceAt: new Date(installedAt + 23 * HOUR).toISOString(),
      windowClosesAt: new Date(installedAt + 24 * HOUR).toISOString(),
    });
    expect(page.triggers.find((t) => t.trigger === 'AUTO_24H')!.lastChanceAt).toBeNull();
  });
});

describe('Jira down past the last chance', () => {
  it('records the 12 h report missed at the close, after its last attempt, and stores the 24 h one on time', async () => {
    w = new SchedulerWorld();
    const installedAt = await w.installedHoursAgo(0);
    jiraDownBetween(w, installedAt + 11.5 * HOUR, installedAt + 24 * HOUR);
    w.advance(17 * MINUTE);

    const seen = await w.live(installedAt + 25 * HOUR, SCHEDULER.intervalMs);

    const failedAt = seen.filter((s) => s.reason === 'GENERATION_FAILED').map((s) => (s.at - installedAt) / HOUR);
    // 12 h, 12h30, 14h30, the last chance at 23 h, then every 15 minutes (SCHEDULER.lateRetryMs) while that
    // comes before the close; after 23h45's failure the wait ends at the close.
    expect(failedAt).toEqual([12, 12.5, 14.5, 23, 23.25, 23.5, 23.75]);
    expect(w.reports()).toEqual([w.keys.report24]);
    const state = w.stored().get(w.keys.state) as Record<string, unknown>;
    expect(state.auto_12h_missed_at).toBe(new Date(installedAt + 24 * HOUR).toISOString());
  });
});
