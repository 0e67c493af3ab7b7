import type { AdminPageView } from '../../src/admin/contract';
import { CONFIRMATIONS } from '../../src/admin/contract';
import { keys } from '../../src/storage/keys';
import { HOUR, MINUTE, SchedulerWorld } from '../support/scheduler_world';

/**
 * Manual reports are numbered, and the number names the report's key, its history entry
 * and its audit lines. Manual claims expire after 30 days and history entries never do,
 * so the number cannot come from the claims alone: a number must never be given twice,
 * and no report may drop out of the history while it is still stored (issue 23, item 4).
 * Driven through the admin page's resolver.
 */

const ADMIN = '5b10a2844c20165700ede21g';
const PAGE = 'phase5-admin-page';
const DAY = 24 * HOUR;

type Answer = { ok: boolean; reportKey?: string; view?: AdminPageView; error?: { code: string; message: string } };

let w: SchedulerWorld;
let jiraDown = false;
beforeEach(() => {
  jiraDown = false;
  w = new SchedulerWorld({ jiraAdmins: [ADMIN] });
  w.addFault((call) =>
    call.service === 'jira' && jiraDown && !call.path.startsWith('/rest/api/3/mypermissions')
      ? new Response(JSON.stringify({ errorMessages: ['Service unavailable'] }), { status: 503 })
      : undefined,
  );
});
afterEach(() => w.dispose());

async function call(functionKey: string, payload: unknown): Promise<Answer> {
  const run = await w.app.invoker.resolver<Answer>(w.inst, PAGE, functionKey, payload, ADMIN);
  if (run.killed) throw new Error(`${functionKey} was killed`);
  return run.result;
}

const generate = () => call('generateManualReport', { confirmation: CONFIRMATIONS.generateManualReport() });
const view = async () => (await call('getAdminPage', {})).view!;
const storedManualReports = () =>
  [...w.stored().keys()].filter((k) => k.startsWith(`phase5:report:${w.inst.cloudId}:MANUAL:`)).sort();
const listedManualReports = async () =>
  (await view()).reports
    .filter((r) => r.kind === 'MANUAL')
    .map((r) => r.key)
    .sort();
const numberOf = (reportKey: string | undefined) => Number(/-(\d+)$/.exec(reportKey ?? '')?.[1]);

describe('manual report numbers', () => {
  it('are not given again once the claims behind them have expired: the report of 31 days later is #2', async () => {
    await w.installedHoursAgo(13);
    const first = await generate();

    w.advance(31 * DAY);
    const second = await generate();
    const audit = (await view()).audit.filter((a) => a.action === 'GENERATE_MANUAL_REPORT');

    expect([numberOf(first.reportKey), numberOf(second.reportKey)]).toEqual([1, 2]);
    expect(audit.map((a) => a.detail.replace(/ \(.*$/, ''))).toEqual([
      'Manual report #2 stored',
      'Manual report #1 stored',
    ]);
  });

  it('leave no report unlisted: every manual report stored is in the history, and the oldest is pruned with it', async () => {
    await w.installedHoursAgo(13);
    const made: string[] = [];
    // Twelve reports a month apart: each one's claim has expired by the next, its entry has not.
    for (let i = 0; i < 12; i++) {
      const answer = await generate();
      expect(answer.ok).toBe(true);
      made.push(answer.reportKey!);
      w.advance(31 * DAY);
    }

    expect(await listedManualReports()).toEqual(storedManualReports());
    expect(new Set(made.map(numberOf)).size).toBe(12);
    expect(storedManualReports()).toEqual(made.slice(2).sort());
  });

  it('are not given again after a failed report: the failure 31 days earlier was #1, the next report is #2', async () => {
    await w.installedHoursAgo(13);
    jiraDown = true;
    const failed = await generate();
    jiraDown = false;

    w.advance(31 * DAY);
    const next = await generate();
    const audit = (await view()).audit.filter((a) => a.action === 'GENERATE_MANUAL_REPORT');

    expect(failed.error?.code).toBe('GENERATION_FAILED');
    expect(numberOf(next.reportKey)).toBe(2);
    expect(audit.map((a) => a.detail.replace(/( \(|:).*$/, ''))).toEqual([
      'Manual report #2 stored',
      'Manual report #1 failed',
    ]);
  });

  it('go on from the history an installation already holds, when its claims are long gone', async () => {
    // As an earlier version left it: report #5 and its entry, its claim expired.
    await w.installedHoursAgo(13);
    const cloud = w.inst.cloudId;
    const at = w.app.clock.now() - 40 * DAY;
    const reportKey = keys.manualReport(cloud, at, 5);
    await w.app.put(w.inst, reportKey, { trigger: 'MANUAL', schema_version: 2 });
    await w.app.put(w.inst, keys.manualReportEntry(cloud, 5), {
      key: reportKey,
      sequence: 5,
      generated_at: new Date(at).toISOString(),
      requested_by: ADMIN,
    });

    const next = await generate();
    w.advance(MINUTE);

    expect(numberOf(next.reportKey)).toBe(6);
    expect(await listedManualReports()).toEqual([reportKey, next.reportKey].sort());
  });
});
