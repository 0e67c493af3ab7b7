import { CONFIRMATIONS } from '../../src/admin/contract';
import { legacyFence } from '../../src/scheduled/scheduler_state';
import { keys } from '../../src/storage/keys';
import { HOUR, MINUTE, SchedulerWorld } from '../support/scheduler_world';

/**
 * Keeping the report history short deletes the oldest entries with the reports they
 * name. An entry is stored data: a corrupt or foreign one may name any key at all, and
 * pruning must never delete a key the app did not derive for that entry itself, least of
 * all a DONE key or an automatic report (issue 23, item 7). Driven through the admin
 * page's resolver and the manifest's scheduler.
 */

const ADMIN = '5b10a2844c20165700ede21g';
const PAGE = 'phase5-admin-page';

type Answer = { ok: boolean; error?: { code: string; message: string }; [k: string]: unknown };

let w: SchedulerWorld;
beforeEach(() => {
  w = new SchedulerWorld({ jiraAdmins: [ADMIN] });
});
afterEach(() => w.dispose());

async function call(functionKey: string, payload: unknown): Promise<Answer> {
  const run = await w.app.invoker.resolver<Answer>(w.inst, PAGE, functionKey, payload, ADMIN);
  if (run.killed) throw new Error(`${functionKey} was killed`);
  return run.result;
}

const generate = () => call('generateManualReport', { confirmation: CONFIRMATIONS.generateManualReport() });

/** Manual report #1 is on record, its entry naming `named` instead of its own report. */
async function manualEntryNaming(named: string): Promise<void> {
  const cloud = w.inst.cloudId;
  const at = w.app.clock.now() - HOUR;
  await w.app.put(w.inst, keys.manualReportEntry(cloud, 1), {
    key: named,
    sequence: 1,
    generated_at: new Date(at).toISOString(),
    requested_by: ADMIN,
  });
  // Its claim, as the version before the ledger stored it (released).
  await w.app.put(w.inst, keys.legacyClaim(cloud, 'MANUAL', 1), {
    ...legacyFence(1, at, 'earlier'),
    kind: 'attempt',
    outcome: 'generated',
  });
}

/** Enough manual reports that the oldest entry (#1) falls out of the ten kept. */
async function tenManualReports(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    expect((await generate()).ok).toBe(true);
    w.advance(MINUTE);
  }
}

describe('pruning the manual report history', () => {
  it('never deletes a DONE key an entry names: the scheduler does not make the 12-hour report again', async () => {
    await w.installedHoursAgo(13);
    expect((await w.run()).body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H' });
    const report = w.stored().get(w.keys.report12);
    await manualEntryNaming(w.keys.done12);

    await tenManualReports();
    const doneKept = w.stored().has(w.keys.done12);
    w.advance(HOUR);
    const next = await w.run();

    expect(next.body?.reason).toBe('NO_TRIGGER_DUE');
    expect(doneKept).toBe(true);
    expect(w.stored().get(w.keys.report12)).toEqual(report);
  });

  it('never deletes an automatic report an entry names: the 12-hour report stays stored beside its DONE key', async () => {
    await w.installedHoursAgo(13);
    expect((await w.run()).body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H' });
    await manualEntryNaming(w.keys.report12);

    await tenManualReports();
    const report = await call('getReport', { reportKey: w.keys.report12 });

    expect(w.stored().has(w.keys.report12)).toBe(true);
    expect(report.ok).toBe(true);
  });

  it('still deletes the oldest manual report with its entry when both are what the app wrote', async () => {
    await w.installedHoursAgo(13);
    const first = await generate();
    w.advance(MINUTE);

    await tenManualReports();

    expect(w.stored().has(first.reportKey as string)).toBe(false);
    expect(w.stored().has(keys.manualReportEntry(w.inst.cloudId, 1))).toBe(false);
  });
});

describe('pruning the set-aside report history on a Reset', () => {
  it('never deletes a report an entry names that is not a set-aside report of that entry', async () => {
    const cloud = w.inst.cloudId;
    await w.installedHoursAgo(13);
    expect((await w.run()).body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H' });
    w.advance(12 * HOUR);
    expect((await w.run()).body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_24H' });
    // Five set-aside entries on record; the oldest names the stored 12-hour report.
    const entry = (epoch: number, key: string, hoursAgo: number) => ({
      key,
      trigger: 'AUTO_12H',
      epoch,
      generated_at: null,
      attempt: null,
      replaced_at: new Date(w.app.clock.now() - hoursAgo * HOUR).toISOString(),
      replaced_by: ADMIN,
    });
    await w.app.put(w.inst, keys.replacedReportEntry(cloud, 'AUTO_12H', 1), entry(1, w.keys.report12, 10));
    for (let epoch = 2; epoch <= 5; epoch++) {
      const at = w.app.clock.now() - (10 - epoch) * HOUR;
      const key = keys.replacedReport(cloud, 'AUTO_12H', at, epoch);
      await w.app.put(w.inst, key, { trigger: 'AUTO_12H', schema_version: 2 });
      await w.app.put(w.inst, keys.replacedReportEntry(cloud, 'AUTO_12H', epoch), entry(epoch, key, 10 - epoch));
    }

    const reset = await call('resetTrigger', {
      trigger: 'AUTO_24H',
      confirmation: CONFIRMATIONS.resetTrigger('AUTO_24H'),
    });

    expect(reset.ok).toBe(true);
    expect(w.stored().has(w.keys.report12)).toBe(true);
    expect(w.stored().has(w.keys.done12)).toBe(true);
  });
});
