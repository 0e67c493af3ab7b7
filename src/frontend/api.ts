import { invoke } from '@forge/bridge';
import { ADMIN_FUNCTIONS } from '../admin/contract';
import type {
  ActionDone,
  AdminPageResponse,
  AdminResult,
  AutoTriggerName,
  GetReportPayload,
  RecordInstallationPayload,
  ReportResponse,
} from '../admin/contract';
import { CONFIRMATIONS } from '../admin/contract';

/**
 * The page's calls to its resolver. The resolver answers refusals as values;
 * a rejected invoke (the host could not run the resolver, or it was stopped
 * before answering) is turned into the same shape, as UNREACHABLE: whatever
 * was asked may or may not have been done, and the page says so.
 */
async function call<T extends object>(functionKey: string, payload?: object): Promise<AdminResult<T>> {
  try {
    return (await invoke(functionKey, payload as Record<string, unknown> | undefined)) as AdminResult<T>;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: { code: 'UNREACHABLE', message: `The app could not be reached: ${message}` } };
  }
}

export const adminApi = {
  page: () => call<AdminPageResponse>(ADMIN_FUNCTIONS.getAdminPage),
  report: (reportKey: string) =>
    call<ReportResponse>(ADMIN_FUNCTIONS.getReport, { reportKey } satisfies GetReportPayload),
  generateManualReport: () =>
    call<ActionDone & { reportKey: string }>(ADMIN_FUNCTIONS.generateManualReport, {
      confirmation: CONFIRMATIONS.generateManualReport(),
    }),
  retry: (trigger: AutoTriggerName) =>
    call<ActionDone>(ADMIN_FUNCTIONS.retryTrigger, { trigger, confirmation: CONFIRMATIONS.retryTrigger(trigger) }),
  reset: (trigger: AutoTriggerName) =>
    call<ActionDone>(ADMIN_FUNCTIONS.resetTrigger, { trigger, confirmation: CONFIRMATIONS.resetTrigger(trigger) }),
  recordInstallation: (installedAt: string) =>
    call<ActionDone>(ADMIN_FUNCTIONS.recordInstallation, {
      confirmation: CONFIRMATIONS.recordInstallation(),
      installedAt,
    } satisfies RecordInstallationPayload),
};
