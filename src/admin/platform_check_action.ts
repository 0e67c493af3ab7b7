import { runPlatformCheck } from '../platform_check/run_platform_check';
import type { PlatformCheckReport } from '../platform_check/check_report';
import { appendAudit, auditRecord } from './audit_log';
import type { ActionDone, AdminResult } from './contract';
import type { AdminCaller } from './actions';

/**
 * The admin page's "Check the platform" action: runs the probe suite for this
 * installation and records who ran it and what it found in the audit log. The
 * check writes only its own scratch keys, which it deletes again, so the only
 * change it leaves is the audit entry itself.
 */
export async function runPlatformCheckNow(
  caller: AdminCaller,
): Promise<AdminResult<ActionDone & { report: PlatformCheckReport }>> {
  const report = await runPlatformCheck(caller.cloudId);
  const count = (v: string) => report.results.filter((r) => r.verdict === v).length;
  const differing = report.results.filter((r) => r.verdict === 'DIFFERS').map((r) => r.id);
  const summary =
    `${count('HOLDS')} hold, ${count('DIFFERS')} differ, ${count('COULD_NOT_CHECK')} could not be checked` +
    (differing.length > 0 ? ` (differ: ${differing.join(', ')})` : '') +
    `; ${report.used.kvsRequests} KVS and ${report.used.jiraRequests} Jira requests` +
    (report.leftBehind.length > 0 ? `; ${report.leftBehind.length} scratch key(s) left behind` : '');
  const audit = auditRecord(caller.cloudId, Date.now(), {
    action: 'RUN_PLATFORM_CHECK',
    accountId: caller.accountId,
    outcome: 'done',
    detail: summary.slice(0, 500),
    changedKeys: report.leftBehind,
  });
  let warning: string | undefined;
  try {
    await appendAudit(audit);
  } catch {
    warning = 'The check ran, but its audit entry could not be stored.';
  }
  return {
    ok: true,
    message: `Platform check ${report.runId}: ${summary}.`,
    changedKeys: [audit.key, ...report.leftBehind],
    ...(warning ? { warning } : {}),
    report,
  };
}
