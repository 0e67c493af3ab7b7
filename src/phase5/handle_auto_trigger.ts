import { describeError, ReportTooLargeError } from '../errors';
import { appVersion } from '../platform';
import type { ReportTrigger } from '../storage/keys';
import { toIso } from '../time';
import { GenerationResult, Phase5Report, REPORT_MAX_BYTES, REPORT_SCHEMA_VERSION } from './report';

export interface GenerationRequest {
  cloudId: string;
  installedAt: number;
  attempt: number;
  /** The clock; generation reads it for `generated_at` and to respect its deadline. */
  now: () => number;
  /** Generation must hand back a report by this instant (a partial one if need be). */
  deadlineAt: number;
}

/**
 * The one generation path, for AUTO_12H, AUTO_24H and MANUAL alike. It builds
 * the report and checks that it fits; storing it is the caller's commit, so that
 * the report, its DONE key and the scheduler state land in one transaction.
 * Never throws: failures come back as `{ success: false }`.
 */
export async function handleAutoTrigger(trigger: ReportTrigger, req: GenerationRequest): Promise<GenerationResult> {
  try {
    const generatedAt = req.now();
    const report: Phase5Report = {
      schema_version: REPORT_SCHEMA_VERSION,
      trigger,
      cloud_id: req.cloudId,
      generated_at: toIso(generatedAt),
      installation_timestamp: toIso(req.installedAt),
      observation_window_hours: Math.round((generatedAt - req.installedAt) / 360_000) / 10,
      app_version: appVersion(),
      attempt: req.attempt,
    };
    const sizeBytes = Buffer.byteLength(JSON.stringify(report), 'utf8');
    if (sizeBytes > REPORT_MAX_BYTES) throw new ReportTooLargeError(sizeBytes, REPORT_MAX_BYTES);
    return { success: true, report, sizeBytes };
  } catch (err) {
    return { success: false, error: describeError(err) };
  }
}
