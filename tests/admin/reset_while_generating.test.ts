import type { SeamCall } from '../../local/runtime/forge_runtime';
import { CONFIRMATIONS } from '../../src/admin/contract';
import { HOUR, MINUTE, SchedulerWorld } from '../support/scheduler_world';

/**
 * Reset must never pull a trigger out from under a generation that is still
 * running: the generation would go on to commit its report after the reset, and
 * the scheduler, its counts restarted, could generate the trigger a second time.
 *
 * The page only sees the claim of the attempt after the stored count. A scheduler
 * run that finds that claim abandoned records the failure and goes straight on to
 * claim the next attempt, saving its state only when it finishes; while it runs,
 * the stored count is one behind, and the live claim is the one the page does not
 * look at. Reset itself has to find it.
 */

const ADMIN = '5b10a2844c20165700ede21g';
const PAGE = 'phase5-admin-page';
type Answer = { ok: boolean; error?: { code: string; message: string }; [k: string]: any };

let w: SchedulerWorld;
let jiraDown = false;
/** Kill the scheduler invocation that reaches its commit, as Forge kills one at its timeout. */
let killAtCommit = false;

beforeEach(() => {
  jiraDown = false;
  killAtCommit = false;
  w = new SchedulerWorld({ jiraAdmins: [ADMIN] });
  w.addFault((call: SeamCall) => {
    if (call.service === 'jira' && jiraDown && !call.path.startsWith('/rest/api/3/mypermissions')) {
      return new Response(JSON.stringify({ errorMessages: ['Service unavailable'] }), { status: 503 });
    }
    if (killAtCommit && call.service === 'kvs' && call.path === '/api/v1/transaction') call.invocation.kill();
  });
});
afterEach(() => w.dispose());

async function call(functionKey: string, payload: unknown): Promise<Answer> {
  const run = await w.app.invoker.resolver<Answer>(w.inst, PAGE, functionKey, payload, ADMIN);
  if (run.killed) throw new Error(`${functionKey} was killed`);
  return run.result;
}

const reset12 = { trigger: 'AUTO_12H', confirmation: CONFIRMATIONS.resetTrigger('AUTO_12H') };
const snapshot = () => JSON.stringify([...w.stored()].sort(([a], [b]) => a.localeCompare(b)));
const claims12 = () =>
  [...w.stored().keys()].filter((k) => k.startsWith(`phase5:scheduler:${w.inst.cloudId}:AUTO_12H:CLAIM:`)).sort();

/**
 * Attempt #1 failed and was recorded; attempt #2's holder died before recording
 * anything; a later run recorded #2 as abandoned, walked on and is generating #3
 * (it dies at its commit here, which storage cannot tell from one still running).
 */
async function generatingPastAnAbandonedClaim(): Promise<void> {
  await w.installedHoursAgo(12);
  jiraDown = true;
  expect((await w.run()).body).toMatchObject({ reason: 'GENERATION_FAILED', attempt: 1 });
  jiraDown = false;

  w.advance(30 * MINUTE);
  killAtCommit = true;
  expect((await w.run()).killed).toBe(true);

  w.advance(16 * MINUTE + 2 * HOUR);
  expect((await w.run()).killed).toBe(true);
  killAtCommit = false;
}

describe('reset while a generation the page cannot see is running', () => {
  it('is refused, naming the attempt and how long its claim holds, and nothing changes', async () => {
    await generatingPastAnAbandonedClaim();
    const claimedAt = w.app.clock.now();
    expect(claims12()).toEqual([w.keys.claim('AUTO_12H', 1), w.keys.claim('AUTO_12H', 2), w.keys.claim('AUTO_12H', 3)]);
    expect((await call('getAdminPage', {})).view.triggers[0].actions.reset.allowed).toBe(true);
    const before = snapshot();

    const answer = await call('resetTrigger', reset12);

    expect(answer.ok).toBe(false);
    expect(answer.error?.code).toBe('REFUSED');
    expect(answer.error?.message).toBe(
      `AUTO_12H attempt #3 holds a live claim until ${formatUtc(claimedAt + 16 * MINUTE)}.`,
    );
    expect(snapshot()).toEqual(before);
  });

  it('goes ahead once that claim has run out, and the scheduler then starts over at attempt #1', async () => {
    await generatingPastAnAbandonedClaim();
    // Its lease, and the two minutes by which two hosts' clocks may disagree.
    w.advance(16 * MINUTE + 2 * MINUTE);

    const answer = await call('resetTrigger', reset12);
    const regenerated = await w.run();

    expect(answer.ok).toBe(true);
    expect(regenerated.body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H', attempt: 1 });
    expect(w.reports()).toEqual([w.keys.report12]);
  });
});

/** `2 Nov 2026, 21:16 UTC`, as the admin page writes instants. */
function formatUtc(ms: number): string {
  const d = new Date(ms);
  const month = d.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${d.getUTCDate()} ${month} ${d.getUTCFullYear()}, ${hh}:${mm} UTC`;
}
