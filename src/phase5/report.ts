import type { ReportTrigger } from '../storage/keys';
import type { UnavailableReason } from './jira_reader';

/**
 * The stored Phase-5 report. Jira admins read it (through the admin page) and
 * tools may too, so it is versioned and self-describing: it names its trigger,
 * the installation time it was measured from, the window it covers, and, for
 * every dataset, whether the numbers are there and why not. A number that could
 * not be read is `null` with a coverage row saying why, never a guess.
 */
export const REPORT_SCHEMA_VERSION = 2;

/** Reports must fit one KVS value (240 KiB) with room to spare; larger ones fail generation rather than truncate. */
export const REPORT_MAX_BYTES = 200 * 1024;

export type DatasetName = 'projects' | 'issues' | 'custom_fields' | 'issue_types' | 'statuses';

export interface CoverageRow {
  dataset: DatasetName;
  status: 'available' | 'partial' | 'unavailable';
  /** Why some or all of it is missing. */
  reason?: UnavailableReason;
  detail?: string;
  /** The Jira endpoints it was read from. */
  sources: string[];
}

export interface SiteFigures {
  /** Projects the app can browse, by project type. */
  projects: { total: number | null; by_type: Record<string, number | null> };
  /** From approximate counts (Jira's own figures may lag recent changes slightly). */
  issues: { total: number | null; created_since_install: number | null; updated_since_install: number | null };
  custom_fields: { total: number | null };
  issue_types: { total: number | null };
  statuses: { total: number | null; by_category: Record<string, number> | null };
}

/** AUTO_24H only: how the site moved between the 12 h report and this one. */
export interface ChangeSince12h {
  twelve_hour_generated_at: string;
  projects_total: number | null;
  issues_total: number | null;
  issues_created_since_install: number | null;
  issues_updated_since_install: number | null;
  custom_fields_total: number | null;
}

/** AUTO_24H only: the 12 h report exists or may exist, but could not be read within the generation budget. */
export interface ComparisonUnavailable {
  status: 'unavailable';
  reason: 'READ_FAILED';
  detail: string;
}

export interface Phase5Report {
  schema_version: number;
  trigger: ReportTrigger;
  cloud_id: string;
  generated_at: string;
  installation_timestamp: string;
  /** Hours from installation to generation, to one decimal. */
  observation_window_hours: number;
  app_version: string | null;
  /** Which attempt produced it (1 for a first-time success). */
  attempt: number;
  site: SiteFigures;
  coverage: CoverageRow[];
  /**
   * Present on AUTO_24H reports. `null` only when KVS said there is no 12 h report;
   * when the 12 h report could not be read, the comparison says so and why.
   */
  change_since_12h?: ChangeSince12h | ComparisonUnavailable | null;
  generation: { duration_ms: number; jira_requests: number };
}

export type GenerationResult =
  { success: true; report: Phase5Report; sizeBytes: number } | { success: false; error: string };
