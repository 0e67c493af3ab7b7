import { invoke } from '@forge/bridge';
import { ADMIN_FUNCTIONS } from '../admin/contract';
import type {
  ActionDone,
  AdminPageResponse,
  AdminResult,
  AutoTriggerName,
  GetReportPayload,
  ReportResponse,
} from '../admin/contract';
import { CONFIRMATIONS } from '../admin/contract';

/**
 * The page's calls to its resolver. The resolver answers refusals as values;
 * a rejected invoke (the host could not run the resolver at all) is turned into
 * the same shape so the page has one way to show every failure.
 */
async function call<T extends object>(functionKey: string, payload?: object): Promise<AdminResult<T>> {
  try {
    return (await invoke(functionKey, payload as Record<string, unknown> | undefined)) as AdminResult<T>;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: { code: 'INTERNAL_ERROR', message: `The app could not be reached: ${message}` } };
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
  recordInstallation: () =>
    call<ActionDone>(ADMIN_FUNCTIONS.recordInstallation, { confirmation: CONFIRMATIONS.recordInstallation() }),
};
