import type { AdminPageView } from '../../src/admin/contract';
import { CONFIRMATIONS } from '../../src/admin/contract';
import { SCHEDULER } from '../../src/scheduled/config';
import { keys } from '../../src/storage/keys';
import { HOUR, MINUTE, SchedulerWorld, transactionKind } from '../support/scheduler_world';
import fixture from './pre_ledger_shapes.json';

/**
 * Upgrade in place (issue 24, item 5). Each installation of the fixture holds exactly
 * what the version before the ledger stored (tests/upgrade/capture_pre_ledger_shapes.ts
 * captured it through that version's handlers): claims as plain keys with leases, EPOCH
 * keys, DONE keys, the state, evidence, manual and set-aside reports. This version is
 * deployed over it, and the manifest's scheduler, wake-up consumer and admin page run
 * from the instant the fixture was captured. Every report owed is stored exactly once,
 * when it is owed; nothing stored before is generated again or lost; a claim the earlier
 * version still holds is waited out; the earlier version's claims are fenced.
 */

type Name = keyof typeof fixture.installations;
const CAPTURED_AT = Date.parse(fixture.capturedAt);
const ADMIN = '5b10a2844c20165700ede21g';
const PAGE = 'phase5-admin-page';

let w: SchedulerWorld;
afterEach(() => w?.dispose());

/** A world holding exactly what installation `name` stored, at the instant it was captured. */
async function upgraded(name: Name): Promise<SchedulerWorld> {
  const fx = fixture.installations[name];
  w = new SchedulerWorld({ cloudId: fx.cloudId, jiraAdmins: [ADMIN] });
  w.app.clock.set(CAPTURED_AT);
  for (const e of fx.entries) await w.app.put(w.inst, e.key, e.value);
  return w;
}

const installedAt = (name: Name) => Date.parse(fixture.installations[name].installedAt);
const stored = (name: Name, key: string) => fixture.installations[name].entries.find((e) => e.key === key)?.value;

/** Every commit sent (landed or not) that would store `trigger`'s report, with when it was sent. */
function commitsOf(trigger: 'AUTO_12H' | 'AUTO_24H'): number[] {
  const key = trigger === 'AUTO_12H' ? w.keys.report12 : w.keys.report24;
  return w
    .commitsSent()
    .filter((c) => c.body?.includes(`"${key}"`))
    .map((c) => w.calledAt(c));
}

function report(trigger: 'AUTO_12H' | 'AUTO_24H'): { generated_at: string; attempt: number } | undefined {
  return w.stored().get(trigger === 'AUTO_12H' ? w.keys.report12 : w.keys.report24) as
    { generated_at: string; attempt: number } | undefined;
}

async function page(): Promise<AdminPageView> {
  const run = await w.app.invoker.resolver<{ view: AdminPageView }>(w.inst, PAGE, 'getAdminPage', {}, ADMIN);
  if (run.killed) throw new Error('getAdminPage was killed');
  return run.result.view;
}

/** The scheduler's ticks and the wake-ups they push, until `hours` after the capture. */
const runFor = (hours: number) => w.live(CAPTURED_AT + hours * HOUR, SCHEDULER.intervalMs);

describe('every installation of the fixture, upgraded in place, gets each report exactly once and when it is owed', () => {
  it('fresh (installed 2 h ago): the 12-hour report at 12 h, the 24-hour report at 24 h, attempt #1 each', async () => {
    await upgraded('fresh');

    await runFor(30);

    const at12 = installedAt('fresh') + 12 * HOUR;
    expect(commitsOf('AUTO_12H')).toHaveLength(1);
    expect(commitsOf('AUTO_24H')).toHaveLength(1);
    expect(commitsOf('AUTO_12H')[0] - at12).toBeLessThan(SCHEDULER.intervalMs);
    expect(commitsOf('AUTO_24H')[0] - (at12 + 12 * HOUR)).toBeLessThan(SCHEDULER.intervalMs);
    expect([report('AUTO_12H')?.attempt, report('AUTO_24H')?.attempt]).toEqual([1, 1]);
  });

  it('failed-once: the 30-minute backoff the earlier version recorded holds, then attempt #2 stores it', async () => {
    await upgraded('failed-once');
    const state = stored('failed-once', w.keys.state) as { auto_12h_backoff_until: string };

    await runFor(30);

    expect(commitsOf('AUTO_12H')).toHaveLength(1);
    expect(commitsOf('AUTO_12H')[0]).toBeGreaterThanOrEqual(Date.parse(state.auto_12h_backoff_until));
    expect(report('AUTO_12H')?.attempt).toBe(2);
    expect(commitsOf('AUTO_24H')).toHaveLength(1);
  });

  it('done-12h: the stored 12-hour report is neither made again nor touched; the 24-hour report follows at 24 h', async () => {
    await upgraded('done-12h');
    const before = stored('done-12h', w.keys.report12);

    await runFor(30);

    expect(commitsOf('AUTO_12H')).toEqual([]);
    expect(w.stored().get(w.keys.report12)).toEqual(before);
    expect(commitsOf('AUTO_24H')).toHaveLength(1);
    expect(commitsOf('AUTO_24H')[0]).toBeGreaterThanOrEqual(installedAt('done-12h') + 24 * HOUR);
  });

  it('reset-24h-and-manual: the reset 24-hour report is made once more, in epoch 1; its set-aside report stays listed', async () => {
    await upgraded('reset-24h-and-manual');
    const report12 = stored('reset-24h-and-manual', w.keys.report12);

    await runFor(2);
    const view = await page();

    expect(commitsOf('AUTO_12H')).toEqual([]);
    expect(w.stored().get(w.keys.report12)).toEqual(report12);
    expect(commitsOf('AUTO_24H')).toHaveLength(1);
    expect(report('AUTO_24H')?.attempt).toBe(1);
    expect(
      w.app.kvs.entityEntries(w.inst.installationId, 'claim').find((e) => e.key.endsWith(':AUTO_24H'))?.value,
    ).toMatchObject({ epoch: 1, status: 'done' });
    expect(view.reports.map((r) => r.kind).sort()).toEqual(['AUTO_12H', 'AUTO_24H', 'MANUAL', 'MANUAL', 'REPLACED']);
  });

  it('reset-24h-and-manual: the next manual report is number 3, after the two the earlier version gave', async () => {
    await upgraded('reset-24h-and-manual');

    const run = await w.app.invoker.resolver<{ ok: boolean; reportKey?: string }>(
      w.inst,
      PAGE,
      'generateManualReport',
      { confirmation: CONFIRMATIONS.generateManualReport() },
      ADMIN,
    );

    if (run.killed) throw new Error('generateManualReport was killed');
    expect(run.result).toMatchObject({ ok: true });
    expect(run.result.reportKey).toMatch(/:MANUAL:\d{8}T\d{6}\.\d{3}Z-3$/);
    expect(w.stored().get(keys.manualSequence(w.inst.cloudId))).toMatchObject({ last_sequence: 3 });
  });

  it('both-done: nothing is made again, and once upgraded an idle run reads one key', async () => {
    await upgraded('both-done');
    const before = [stored('both-done', w.keys.report12), stored('both-done', w.keys.report24)];

    await runFor(3);
    const idle = await w.run();

    expect(w.commitsSent()).toEqual([]);
    expect([w.stored().get(w.keys.report12), w.stored().get(w.keys.report24)]).toEqual(before);
    expect(idle.body).toMatchObject({ reason: 'NO_TRIGGER_DUE' });
    expect(idle.invocation.stats.kvsByOperation).toEqual({ get: 1 });
  });
});

describe('a claim the earlier version still holds', () => {
  const claim1 = () => stored('generating', w.keys.claim('AUTO_12H', 1)) as { lease_expires_at: string };

  it('is waited out until its lease has certainly ended: then attempt #2, and one report', async () => {
    await upgraded('generating');
    const leaseEnd = Date.parse(claim1().lease_expires_at);

    const seen = await runFor(30);

    const beforeEnd = seen.filter((s) => s.at < leaseEnd + SCHEDULER.maxClockDisagreementMs);
    expect(beforeEnd.map((s) => s.reason)).not.toContain('GENERATED');
    expect(w.calledAt(w.transactions().filter((c) => transactionKind(c.body) === 'claim')[0])).toBeGreaterThanOrEqual(
      leaseEnd + SCHEDULER.maxClockDisagreementMs,
    );
    expect(commitsOf('AUTO_12H')).toHaveLength(1);
    expect(report('AUTO_12H')?.attempt).toBe(2);
  });

  it('and which commits meanwhile, as the earlier version does (report, DONE key, state, unconditionally): its report is the one kept', async () => {
    await upgraded('generating');
    const first = await w.run();
    w.advance(5 * MINUTE);
    // The earlier version's holder commits, as its code did: one unconditional transaction.
    const generatedAt = new Date(w.app.clock.now()).toISOString();
    const oldReport = { trigger: 'AUTO_12H', generated_at: generatedAt, attempt: 1, by: 'the earlier version' };
    await w.app.kvs.handle(w.inst.installationId, '/api/v1/transaction', {
      method: 'POST',
      body: JSON.stringify({
        set: [
          { key: w.keys.report12, value: oldReport },
          { key: w.keys.done12, value: { status: 'done', generated_at: generatedAt, attempt: 1 } },
          { key: w.keys.claim('AUTO_12H', 1), value: { ...claim1(), released_at: generatedAt, outcome: 'generated' } },
        ],
      }),
    });

    await runFor(30);

    expect(first.body?.reason).toBe('CLAIM_HELD');
    expect(commitsOf('AUTO_12H')).toEqual([]);
    expect(w.stored().get(w.keys.report12)).toEqual(oldReport);
    expect(commitsOf('AUTO_24H')).toHaveLength(1);
  });
});

describe('a claim the earlier version releases with its commit while this version upgrades', () => {
  it('after the DONE keys were read and before its claim is walked: the record is made done, nothing is generated again', async () => {
    await upgraded('generating');
    const claim = stored('generating', w.keys.claim('AUTO_12H', 1)) as Record<string, unknown>;
    w.advance(5 * MINUTE);
    const generatedAt = new Date(w.app.clock.now()).toISOString();
    const oldReport = { trigger: 'AUTO_12H', generated_at: generatedAt, attempt: 1, by: 'the earlier version' };
    let committed = false;
    w.addFault(async (call) => {
      // The first read of the earlier version's claims: its holder's commit lands just before it.
      if (committed || call.service !== 'kvs' || !call.body?.includes(`"${w.keys.claim('AUTO_12H', 1)}"`)) return;
      committed = true;
      await w.app.kvs.handle(w.inst.installationId, '/api/v1/transaction', {
        method: 'POST',
        body: JSON.stringify({
          set: [
            { key: w.keys.report12, value: oldReport },
            { key: w.keys.done12, value: { status: 'done', generated_at: generatedAt, attempt: 1 } },
            { key: w.keys.claim('AUTO_12H', 1), value: { ...claim, released_at: generatedAt, outcome: 'generated' } },
          ],
        }),
      });
    });

    const first = await w.run();
    await runFor(30);

    expect(committed).toBe(true);
    expect(first.body?.reason).not.toBe('GENERATED');
    expect(commitsOf('AUTO_12H')).toEqual([]);
    expect(w.stored().get(w.keys.report12)).toEqual(oldReport);
    expect(
      w.app.kvs.entityEntries(w.inst.installationId, 'claim').find((e) => e.key.endsWith(':AUTO_12H'))?.value,
    ).toMatchObject({ status: 'done', epoch: 0 });
  });
});

describe('a Reset of the earlier version that lands while this version upgrades', () => {
  it("after the EPOCH key was read and before it is retired: the record starts in the Reset's epoch, which is fenced too", async () => {
    await upgraded('done-12h');
    const c = w.inst.cloudId;
    const at = new Date(w.app.clock.now()).toISOString();
    let reset = false;
    w.addFault(async (call) => {
      // This version's retirement of the EPOCH keys is about to go out: the earlier version's Reset lands first.
      if (reset || call.service !== 'kvs' || call.path !== '/api/v1/transaction') return;
      if (!call.body?.includes('retired_at')) return;
      reset = true;
      await w.app.kvs.handle(w.inst.installationId, '/api/v1/transaction', {
        method: 'POST',
        body: JSON.stringify({
          set: [
            { key: keys.legacyEpoch(c, 'AUTO_12H'), value: { schema_version: 1, epoch: 1, reset_at: at } },
            {
              key: w.keys.claim('AUTO_12H', 3),
              value: {
                attempt: 3,
                claimed_at: at,
                lease_expires_at: new Date(w.app.clock.now() + 60_000).toISOString(),
                invocation_id: 'earlier-version-reset',
                kind: 'reset',
                released_at: at,
                outcome: 'reset',
              },
            },
          ],
          delete: [{ key: w.keys.done12 }, { key: w.keys.report12 }],
        }),
      });
    });

    await runFor(3);

    expect(reset).toBe(true);
    expect(
      w.app.kvs.entityEntries(w.inst.installationId, 'claim').find((e) => e.key.endsWith(':AUTO_12H'))?.value,
    ).toMatchObject({ epoch: 1, status: 'done', attempt: 1 });
    // An earlier-version scheduler that read EPOCH = 1 meanwhile meets this fence at epoch 1's first claim.
    expect(w.stored().get(keys.legacyClaim(c, 'AUTO_12H', 1, 1))).toMatchObject({ kind: 'reset', outcome: 'reset' });
    expect(commitsOf('AUTO_12H')).toHaveLength(1);
  });
});

describe("the earlier version's keys, once upgraded", () => {
  it.each(Object.keys(fixture.installations) as Name[])(
    '%s: each EPOCH key holds no epoch the earlier version could claim under, and its next claim number is fenced',
    async (name) => {
      await upgraded(name);
      const epochsBefore = ['AUTO_12H', 'AUTO_24H'].map(
        (t) =>
          (stored(name, keys.legacyEpoch(w.inst.cloudId, t as 'AUTO_12H')) as { epoch?: number } | undefined)?.epoch ??
          0,
      );

      await w.run();
      w.advance(20 * MINUTE);
      await w.run();

      const epochKeys = (['AUTO_12H', 'AUTO_24H'] as const).map((t) =>
        w.stored().get(keys.legacyEpoch(w.inst.cloudId, t)),
      );
      for (const [i, t] of (['AUTO_12H', 'AUTO_24H'] as const).entries()) {
        expect(epochKeys[i]).toMatchObject({ schema_version: 2, epoch_before_ledger: epochsBefore[i] });
        expect(epochKeys[i]).not.toHaveProperty('epoch');
        // The first number past every old claim of the epoch holds a Reset's fence, released: the
        // earlier version's scheduler stops there, and its Reset cannot take it.
        const claims = [...w.stored().keys()].filter((k) =>
          k.startsWith(keys.legacyClaimPrefix(w.inst.cloudId, t, epochsBefore[i])),
        );
        const fence = w.stored().get(keys.legacyClaim(w.inst.cloudId, t, claims.length, epochsBefore[i]));
        expect(fence).toMatchObject({ kind: 'reset', outcome: 'reset', attempt: claims.length });
        expect((fence as { invocation_id: string }).invocation_id).toMatch(/^ledger-upgrade:/);
      }
    },
  );
});
