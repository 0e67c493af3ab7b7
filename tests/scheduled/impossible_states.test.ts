import type { AdminPageView } from '../../src/admin/contract';
import type { SchedulerOutcome } from '../../src/scheduled/phase5_scheduler';
import { HOUR, MINUTE, SchedulerWorld } from '../support/scheduler_world';

/**
 * The stored state is advisory and may be corrupt. A state whose fields are each within
 * their bounds but cannot all be true together (no scheduler of ours ever writes it) is
 * as untrustworthy as one that does not parse: the scheduler rebuilds it from the DONE
 * keys, and the admin page does not show what it says (issue 23, item 8). Here the state
 * is one an earlier version stored (schema 2) on an installation not yet moved to the
 * ledger, which is when the state's progress is read at all: once the ledger records
 * exist, they are what the scheduler and the page read. Driven through the manifest's
 * scheduler and the admin page's resolver.
 */

const ADMIN = '5b10a2844c20165700ede21g';
const PAGE = 'phase5-admin-page';

let w: SchedulerWorld;
beforeEach(() => {
  w = new SchedulerWorld({ jiraAdmins: [ADMIN] });
});
afterEach(() => w.dispose());

const iso = (ms: number) => new Date(ms).toISOString();
const now = () => w.app.clock.now();

async function tick(): Promise<SchedulerOutcome> {
  const run = await w.run();
  if (run.killed || !run.body) throw new Error('the scheduler gave no answer');
  return run.body;
}

async function page(): Promise<AdminPageView> {
  const run = await w.app.invoker.resolver<{ view: AdminPageView }>(w.inst, PAGE, 'getAdminPage', {}, ADMIN);
  if (run.killed) throw new Error('getAdminPage was killed');
  return run.result.view;
}
const statusOf = (view: AdminPageView, trigger: string) => view.triggers.find((t) => t.trigger === trigger)?.status;

/** A third failure of AUTO_12H a moment ago, as our scheduler stores it, with `patch` over it. */
async function storeThirdFailure(patch: Record<string, unknown> = {}): Promise<void> {
  const failedAt = now() - MINUTE;
  const error = { timestamp: iso(failedAt), message: 'Attempt #3 failed', attempt_count: 3 };
  await w.app.put(w.inst, w.keys.state, {
    schema_version: 2,
    last_run_at: iso(failedAt),
    last_error: { ...error, trigger: 'AUTO_12H' },
    last_backoff_until: iso(failedAt + 24 * HOUR),
    auto_12h_attempt_count: 3,
    auto_12h_backoff_until: iso(failedAt + 24 * HOUR),
    auto_12h_last_error: error,
    ...patch,
  });
}

describe('a state whose fields contradict each other is rebuilt, not believed', () => {
  it('the consistent third failure it is compared with backs off for 24 h', async () => {
    await w.evidenceOnly(12.5);
    await storeThirdFailure();

    expect(await tick()).toMatchObject({ reason: 'BACKOFF_ACTIVE', trigger: 'AUTO_12H', attempt: 3 });
  });

  it('0 attempts with a last error of attempt #3 and a 24-hour backoff: the 12-hour report is generated', async () => {
    await w.evidenceOnly(12.5);
    await storeThirdFailure({ auto_12h_attempt_count: 0 });

    const outcome = await tick();

    expect(outcome).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H', attempt: 1 });
    expect(w.reports()).toEqual([w.keys.report12]);
  });

  it('a report and a backoff for the same trigger at once: the report is generated when no DONE key says it is done', async () => {
    await w.evidenceOnly(12.5);
    await storeThirdFailure({ auto_12h_generated_at: iso(now() - 2 * MINUTE) });

    const outcome = await tick();

    expect(outcome).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H', attempt: 1 });
    expect(w.reports()).toEqual([w.keys.report12]);
  });

  it('the admin page does not show a 24 h backoff that 0 attempts cannot have caused', async () => {
    await w.evidenceOnly(12.5);
    await storeThirdFailure({ auto_12h_attempt_count: 0 });

    expect(statusOf(await page(), 'AUTO_12H')).toBe('due');
  });

  it('the 24-hour report missed, a window that never closes: the page shows it due, not missed', async () => {
    await w.evidenceOnly(25);
    await w.app.put(w.inst, w.keys.state, { schema_version: 2, auto_24h_missed_at: iso(now() - HOUR) });

    expect(statusOf(await page(), 'AUTO_24H')).toBe('due');
    expect(await tick()).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_24H' });
  });
});
