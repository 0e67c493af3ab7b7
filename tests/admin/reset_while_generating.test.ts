import type { SeamCall } from '../../local/runtime/forge_runtime';
import { CONFIRMATIONS } from '../../src/admin/contract';
import { HOUR, MINUTE, SchedulerWorld, transactionKind } from '../support/scheduler_world';

/**
 * A Reset is not offered, and refused, while a generation's lease is running: it
 * would throw that generation's work away. (It could not let the trigger be stored
 * twice either way: the generation's commit is conditional on the claim it took,
 * which the Reset moves on.) Here the running generation is one that took over an
 * abandoned claim: the ledger record names it, so the page and the Reset both see it.
 */

const ADMIN = '5b10a2844c20165700ede21g';
const PAGE = 'phase5-admin-page';
type Answer = { ok: boolean; error?: { code: string; message: string; words?: unknown }; [k: string]: any };

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
    if (killAtCommit && transactionKind(call.body) === 'commit') call.invocation.kill();
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

describe('reset while a generation that took over an abandoned claim is running', () => {
  it('is refused, naming the attempt and how long its claim holds, and nothing changes', async () => {
    await generatingPastAnAbandonedClaim();
    const claimedAt = w.app.clock.now();
    // The ledger record is the claim: the page sees attempt #3's holder as the Reset does.
    const view = (await call('getAdminPage', {})).view;
    expect(view.triggers[0]).toMatchObject({ status: 'generating', liveClaim: { attempt: 3 } });
    expect(view.triggers[0].actions.reset.allowed).toBe(false);
    const before = snapshot();

    const answer = await call('resetTrigger', reset12);

    expect(answer.ok).toBe(false);
    expect(answer.error?.code).toBe('REFUSED');
    expect(answer.error?.message).toBe('AUTO_12H cannot be reset (generating)');
    expect(answer.error?.words).toEqual({
      key: 'action.reset.generating',
      params: { until: { at: new Date(claimedAt + 16 * MINUTE).toISOString() } },
    });
    expect(snapshot()).toEqual(before);
  });

  it('goes ahead once that claim has run out, and the scheduler then starts over at attempt #1', async () => {
    await generatingPastAnAbandonedClaim();
    // Its lease, by this clock: a Reset after it cannot be undone by the holder, whose commit is conditional.
    w.advance(16 * MINUTE);

    const answer = await call('resetTrigger', reset12);
    const regenerated = await w.run();

    expect(answer.ok).toBe(true);
    expect(regenerated.body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H', attempt: 1 });
    expect(w.reports()).toEqual([w.keys.report12]);
  });
});
