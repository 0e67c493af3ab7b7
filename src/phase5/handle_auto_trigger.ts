import { describeError, ReportTooLargeError } from '../errors';
import { appVersion } from '../platform';
import { keys, store } from '../storage';
import type { ReportTrigger } from '../storage/keys';
import { toIso } from '../time';
import { JiraReader } from './jira_reader';
import { compareWith12h } from './comparison';
import { inventoryOf, readIssueCounts } from './configuration';
import {
  ComparisonUnavailable,
  GenerationResult,
  Phase5Report,
  REPORT_MAX_BYTES,
  REPORT_SCHEMA_VERSION,
} from './report';
import { sinceInstallWindow, SURVEY_LIMITS, surveySite, worthStoring } from './site_datasets';

export interface GenerationRequest {
  cloudId: string;
  /** Null only for a MANUAL report on a site whose installation time is not recorded. */
  installedAt: number | null;
  attempt: number;
  /** The clock; generation reads it for `generated_at` and to respect its deadline. */
  now: () => number;
  /** Generation must hand back a report by this instant (a partial one if need be). */
  deadlineAt: number;
  /**
   * For AUTO_24H: the 12 h report as the caller already read it (`value` undefined when
   * KVS said it is absent), in the same request as the rest of its snapshot. Without it,
   * the comparison reads the report itself.
   */
  twelveHourReport?: { value: unknown };
}

/** Reads of the 12 h report one comparison may make; each is one KVS request. */
const COMPARISON_READS = 3;

type EarlierReport = { found: Partial<Phase5Report> | undefined } | { failed: ComparisonUnavailable };

/**
 * The 24 h report compares itself with the 12 h one, when there is one to read.
 * "There is none" (null) is recorded only when KVS says the key is absent. A read
 * that fails is tried again while the generation deadline allows; if it never
 * succeeds the comparison is marked unavailable with the reason, because a stored
 * report is permanent and a failed read is not an absence. It is read before the
 * survey, whose activity ranking uses the issue counts the 12 h report kept.
 */
async function read12h(req: GenerationRequest): Promise<EarlierReport> {
  if (req.twelveHourReport) return { found: req.twelveHourReport.value as Partial<Phase5Report> | undefined };
  let failure: unknown = null;
  for (let i = 0; i < COMPARISON_READS && (i === 0 || req.now() < req.deadlineAt); i++) {
    try {
      return { found: await store.read<Partial<Phase5Report>>(keys.report(req.cloudId, 'AUTO_12H')) };
    } catch (err) {
      failure = err;
    }
  }
  return { failed: { status: 'unavailable', reason: 'READ_FAILED', detail: describeError(failure) } };
}

/**
 * The one generation path, for AUTO_12H, AUTO_24H and MANUAL alike. It surveys
 * the site as the app, builds the report and checks that it fits; storing it is
 * the caller's commit, so that the report, its DONE key and the scheduler state
 * land in one transaction. Never throws: failures come back as `{ success: false }`.
 */
export async function handleAutoTrigger(trigger: ReportTrigger, req: GenerationRequest): Promise<GenerationResult> {
  try {
    const startedAt = req.now();
    const earlier = trigger === 'AUTO_24H' ? await read12h(req) : null;
    const jira = new JiraReader({ deadlineAt: req.deadlineAt, now: req.now, maxRequests: SURVEY_LIMITS.jiraRequests });
    const { installedAt } = req;
    const survey = await surveySite(jira, {
      installedAt,
      window: installedAt === null ? null : sinceInstallWindow((startedAt - installedAt) / 60_000),
      earlierIssueCounts: earlier && 'found' in earlier ? readIssueCounts(earlier.found?.configuration) : null,
    });
    if (!worthStoring(survey.coverage)) {
      // Each reason with what Jira answered (`SERVER_ERROR: 503 from Jira`): the admin page explains it from this.
      const reasons = [...new Set(survey.coverage.map((c) => (c.detail ? `${c.reason}: ${c.detail}` : c.reason)))];
      return { success: false, error: `No site data could be read (${reasons.join(', ')})` };
    }
    const generatedAt = req.now();
    const report: Phase5Report = {
      schema_version: REPORT_SCHEMA_VERSION,
      trigger,
      cloud_id: req.cloudId,
      generated_at: toIso(generatedAt),
      installation_timestamp: installedAt === null ? null : toIso(installedAt),
      observation_window_hours: installedAt === null ? null : Math.round((generatedAt - installedAt) / 360_000) / 10,
      app_version: appVersion(),
      attempt: req.attempt,
      site: survey.site,
      activity: survey.activity,
      // Only the 12 h report is ever compared with, so only it carries the inventory.
      ...(trigger === 'AUTO_12H' ? { configuration: inventoryOf(survey.catalogues, survey.issueCounts) } : {}),
      coverage: survey.coverage,
      // The scheduler always knows the installation time; only a manual report may not, and it is never compared.
      ...(earlier && installedAt !== null
        ? {
            change_since_12h:
              'failed' in earlier
                ? earlier.failed
                : compareWith12h(earlier.found, {
                    generatedAt,
                    installedAt,
                    site: survey.site,
                    catalogues: survey.catalogues,
                  }),
          }
        : {}),
      generation: { duration_ms: req.now() - startedAt, jira_requests: jira.requests },
    };
    const sizeBytes = Buffer.byteLength(JSON.stringify(report), 'utf8');
    if (sizeBytes > REPORT_MAX_BYTES) throw new ReportTooLargeError(sizeBytes, REPORT_MAX_BYTES);
    return { success: true, report, sizeBytes };
  } catch (err) {
    return { success: false, error: describeError(err) };
  }
}
