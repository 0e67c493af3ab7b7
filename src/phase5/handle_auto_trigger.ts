import { describeError, ReportTooLargeError } from '../errors';
import { appVersion } from '../platform';
import { keys, store } from '../storage';
import type { ReportTrigger } from '../storage/keys';
import { toIso } from '../time';
import { JiraReader } from './jira_reader';
import {
  ChangeSince12h,
  ComparisonUnavailable,
  GenerationResult,
  Phase5Report,
  REPORT_MAX_BYTES,
  REPORT_SCHEMA_VERSION,
  SiteFigures,
} from './report';
import { surveySite, worthStoring } from './site_datasets';

export interface GenerationRequest {
  cloudId: string;
  installedAt: number;
  attempt: number;
  /** The clock; generation reads it for `generated_at` and to respect its deadline. */
  now: () => number;
  /** Generation must hand back a report by this instant (a partial one if need be). */
  deadlineAt: number;
}

const delta = (now: number | null, then: number | null | undefined) =>
  now === null || then === null || then === undefined ? null : now - then;

/** Reads of the 12 h report one comparison may make; each is one KVS request. */
const COMPARISON_READS = 3;

/**
 * The 24 h report compares itself with the 12 h one, when there is one to read.
 * "There is none" (null) is recorded only when KVS says the key is absent. A read
 * that fails is tried again while the generation deadline allows; if it never
 * succeeds the comparison is marked unavailable with the reason, because a stored
 * report is permanent and a failed read is not an absence.
 */
async function changeSince12h(
  req: GenerationRequest,
  site: SiteFigures,
): Promise<ChangeSince12h | ComparisonUnavailable | null> {
  let earlier: Partial<Phase5Report> | undefined;
  let failure: unknown = null;
  for (let i = 0; i < COMPARISON_READS && (i === 0 || req.now() < req.deadlineAt); i++) {
    try {
      earlier = await store.read<Partial<Phase5Report>>(keys.report(req.cloudId, 'AUTO_12H'));
      failure = null;
      break;
    } catch (err) {
      failure = err;
    }
  }
  if (failure !== null) {
    return { status: 'unavailable', reason: 'READ_FAILED', detail: describeError(failure) };
  }
  if (!earlier?.site || typeof earlier.generated_at !== 'string') return null;
  const then = earlier.site;
  return {
    twelve_hour_generated_at: earlier.generated_at,
    projects_total: delta(site.projects.total, then.projects?.total),
    issues_total: delta(site.issues.total, then.issues?.total),
    issues_created_since_install: delta(site.issues.created_since_install, then.issues?.created_since_install),
    issues_updated_since_install: delta(site.issues.updated_since_install, then.issues?.updated_since_install),
    custom_fields_total: delta(site.custom_fields.total, then.custom_fields?.total),
  };
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
    const jira = new JiraReader({ deadlineAt: req.deadlineAt, now: req.now });
    const survey = await surveySite(jira, (startedAt - req.installedAt) / 60_000);
    if (!worthStoring(survey.coverage)) {
      const reasons = [...new Set(survey.coverage.map((c) => c.reason))].join(', ');
      return { success: false, error: `No site data could be read (${reasons})` };
    }
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
      site: survey.site,
      coverage: survey.coverage,
      ...(trigger === 'AUTO_24H' ? { change_since_12h: await changeSince12h(req, survey.site) } : {}),
      generation: { duration_ms: req.now() - startedAt, jira_requests: jira.requests },
    };
    const sizeBytes = Buffer.byteLength(JSON.stringify(report), 'utf8');
    if (sizeBytes > REPORT_MAX_BYTES) throw new ReportTooLargeError(sizeBytes, REPORT_MAX_BYTES);
    return { success: true, report, sizeBytes };
  } catch (err) {
    return { success: false, error: describeError(err) };
  }
}
