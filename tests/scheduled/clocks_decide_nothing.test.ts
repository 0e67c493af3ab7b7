import type { Invocation, SeamCall } from '../../local/runtime/forge_runtime';
import { CONFIRMATIONS } from '../../src/admin/contract';
import type { SchedulerOutcome } from '../../src/scheduled/phase5_scheduler';
import { HOUR, MINUTE, SchedulerWorld } from '../support/scheduler_world';

/**
 * Issue 24's measured failures, kept as regressions: whoever wins a claim must not
 * depend on what any host's clock says, nor on a holder being dead once its lease
 * has run out. Each case runs the deployed scheduler and admin resolver through
 * the local Forge runtime, each invocation on a host whose clock is off true time
 * by a chosen amount, one of them frozen mid-generation at the seam.
 */

const ADMIN = '5b10a2844c20165700ede21g';
const PAGE = 'phase5-admin-page';
type Answer = { ok: boolean; error?: { code: string; message: string }; [k: string]: any };

let w: SchedulerWorld;
let jiraDown = false;
/** The host clock offset the next invocation to start gets (each keeps the one it started with). */
let nextOffset = 0;
const offsets = new WeakMap<Invocation, number>();
const offsetOf = (inv: Invocation): number => {
  if (!offsets.has(inv)) offsets.set(inv, nextOffset);
  return offsets.get(inv)!;
};

beforeEach(() => {
  jiraDown = false;
  nextOffset = 0;
  w = new SchedulerWorld({ jiraAdmins: [ADMIN] });
  w.app.runtime.hostClockOffset = offsetOf;
  w.addFault((call: SeamCall) => {
    offsetOf(call.invocation);
    if (call.service !== 'jira' || call.path.startsWith('/rest/api/3/mypermissions')) return;
    if (jiraDown) return new Response(JSON.stringify({ errorMessages: ['Service unavailable'] }), { status: 503 });
  });
});
afterEach(() => w.dispose());

interface Hold {
  reached: Promise<void>;
  release(): void;
}

/** Hold the first call matching `match` at the seam until released. */
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

/** A scheduled tick on a host `offsetMs` off true time; `timeoutMs` as long as a tunnel allows (it enforces none). */
function tick(offsetMs: number, timeoutMs = 120_000): Promise<SchedulerOutcome> {
  nextOffset = offsetMs;
  const request = { context: { cloudId: w.inst.cloudId, moduleKey: 'phase5-scheduler' }, contextToken: 'local' };
  const context = { principal: undefined, installContext: w.inst.siteAri };
  return w.runWith(request, context, timeoutMs).then((r) => r.body);
}

function reset(offsetMs: number): Promise<Answer> {
  nextOffset = offsetMs;
  const payload = { trigger: 'AUTO_12H', confirmation: CONFIRMATIONS.resetTrigger('AUTO_12H') };
  return w.app.invoker.resolver<Answer>(w.inst, PAGE, 'resetTrigger', payload, ADMIN).then((run) => {
    if (run.killed) throw new Error('resetTrigger was killed');
    return run.result;
  });
}

const isScheduler = (c: SeamCall) => c.invocation.moduleKey === 'phase5-scheduler';
const isAdmin = (c: SeamCall) => c.invocation.moduleKey === PAGE;
const report12 = () => JSON.stringify(w.stored().get(w.keys.report12) ?? null);

/** Installed 12 h 33 min ago; AUTO_12H attempt #1 failed (Jira down) at 12 h 01 and its 30 min backoff is over by every host's clock. */
async function attemptOneFailedAndBackedOff(): Promise<void> {
  await w.installedHoursAgo(12 + 1 / 60);
  jiraDown = true;
  expect(await tick(0)).toMatchObject({ reason: 'GENERATION_FAILED', attempt: 1 });
  jiraDown = false;
  w.advance(32 * MINUTE);
}

describe('a holder that outlives its lease never commits after another holder', () => {
  it('the first delivery, frozen mid-generation while deliveries on hosts 20 and 52 minutes ahead run, stores nothing more', async () => {
    // Prepare: the 12 h report is due; the first delivery is frozen at its first Jira request.
    await w.installedHoursAgo(12 + 1 / 60);
    const frozen = holdAt((c) => isScheduler(c) && c.service === 'jira');
    const first = tick(0, 10 * HOUR);
    await Promise.race([frozen.reached, first]);

    // Act: two more deliveries of the same tick, on hosts whose clocks run 20 and 52 minutes ahead; then the first thaws.
    const second = await tick(20 * MINUTE);
    const third = await tick(52 * MINUTE);
    const storedBeforeThaw = report12();
    frozen.release();
    const firstAnswer = await first;

    // Assess: one delivery stored the report, and the thawed one did not store another over it.
    const generated = [firstAnswer, second, third].filter((a) => a.reason === 'GENERATED');
    expect(generated).toHaveLength(1);
    expect(report12()).not.toBe('null');
    if (storedBeforeThaw !== 'null') expect(report12()).toBe(storedBeforeThaw);
  });

  it('a delivery frozen (as under forge tunnel) for 52 minutes of true time stores nothing over the one that ran meanwhile', async () => {
    // Prepare
    await w.installedHoursAgo(12 + 1 / 60);
    const frozen = holdAt((c) => isScheduler(c) && c.service === 'jira');
    const first = tick(0, 10 * HOUR);
    await Promise.race([frozen.reached, first]);

    // Act: true time passes; deliveries 20 and 52 minutes later run; then the first thaws.
    w.advance(20 * MINUTE);
    const second = await tick(0);
    w.advance(32 * MINUTE);
    const third = await tick(0);
    const storedBeforeThaw = report12();
    frozen.release();
    const firstAnswer = await first;

    // Assess
    expect([firstAnswer, second, third].filter((a) => a.reason === 'GENERATED')).toHaveLength(1);
    expect(report12()).toBe(storedBeforeThaw);
  });
});

describe('hosts whose clocks are 61 s off true time in opposite directions', () => {
  it('a Reset on a slow host while a fast host generates: never both the Reset and that generation', async () => {
    // Prepare: attempt #2 runs on a host 61 s ahead and is frozen at its first Jira request.
    await attemptOneFailedAndBackedOff();
    const frozen = holdAt((c) => isScheduler(c) && c.service === 'jira');
    const generating = tick(61_000);
    await Promise.race([frozen.reached, generating]);

    // Act: an administrator on a host 61 s behind resets AUTO_12H; then the generation thaws.
    const answer = await reset(-61_000);
    frozen.release();
    const generated = await generating;

    // Assess: if the Reset was accepted, the generation it overtook did not store its report after it.
    expect(answer.ok && generated.reason === 'GENERATED').toBe(false);
    if (answer.ok) expect(w.stored().has(w.keys.done12)).toBe(false);
  });

  it("a Reset's fence taken on a fast host is not walked past by a scheduler on a slow host", async () => {
    // Prepare: a Reset on a host 61 s ahead is held at its final transaction.
    await attemptOneFailedAndBackedOff();
    const held = holdAt((c) => isAdmin(c) && c.service === 'kvs' && c.path === '/api/v1/transaction');
    const resetting = reset(61_000);
    await Promise.race([held.reached, resetting]);

    // Act: a scheduled run on a host 61 s behind; then the Reset goes on.
    const run = await tick(-61_000);
    held.release();
    const answer = await resetting;

    // Assess: an accepted Reset leaves the trigger not done, to be generated again; never done from before it.
    if (answer.ok) expect(w.stored().has(w.keys.done12)).toBe(false);
    expect(answer.ok && run.reason === 'GENERATED').toBe(false);
  });
});
