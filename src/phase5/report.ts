import type { ReportTrigger } from '../storage/keys';
import type { UnavailableReason } from './jira_reader';

/**
 * The stored Phase-5 report. Jira admins read it (through the admin page, and as
 * JSON or CSV downloads) and tools may too, so it is versioned and
 * self-describing: it names its trigger, the installation time it was measured
 * from, the window it covers, and, for every dataset, whether the numbers are
 * there and why not. A number that could not be read is `null` with a coverage
 * row saying why, never a guess; a number Jira only estimates, or one taken from
 * a sample, says so next to it (`accuracy`).
 *
 * Schema 3 adds project activity, the configuration inventory (AUTO_12H) and,
 * in AUTO_24H, the 12-hour figures beside its own with rates and the
 * configuration's changes. Every schema-2 field is still there with its meaning.
 */
export const REPORT_SCHEMA_VERSION = 3;

/** Reports must fit one KVS value (240 KiB) with room to spare; larger ones fail generation rather than truncate. */
export const REPORT_MAX_BYTES = 200 * 1024;

export type DatasetName = 'projects' | 'issues' | 'custom_fields' | 'issue_types' | 'statuses' | 'project_activity';

/**
 * How far a figure can be trusted as a count: `exact` is Jira's own total;
 * `approximate` comes from Jira's approximate-count endpoint, which may lag
 * recent changes and is documented as an estimate; `sampled` covers only part of
 * what it describes, chosen as the figure says.
 */
export type Accuracy = 'exact' | 'approximate' | 'sampled';

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
  projects: { total: number | null; by_type: Record<string, number | null>; accuracy?: Accuracy };
  /** From approximate counts (Jira's own figures may lag recent changes slightly). */
  issues: {
    total: number | null;
    created_since_install: number | null;
    updated_since_install: number | null;
    accuracy?: Accuracy;
  };
  custom_fields: { total: number | null };
  issue_types: { total: number | null };
  statuses: { total: number | null; by_category: Record<string, number> | null };
}

/** A project with issue activity since installation. */
export interface ActiveProject {
  id: string;
  key: string;
  name: string;
  /** Jira's project type (software, business, service_desk, product_discovery, …). */
  type: string;
  /** Approximate counts; null when Jira did not answer. */
  created_since_install: number | null;
  updated_since_install: number | null;
  /** Jira's project insight: when any issue in it last changed. */
  last_issue_update: string | null;
}

/**
 * The busiest projects since installation. Jira's project insight says when each
 * project's issues last changed, so every project with activity since
 * installation is known from the project listing alone; the issues created and
 * updated are then counted for at most a few of them (two requests each).
 */
export interface ProjectActivity {
  /** Projects whose issues changed at or after installation, among those listed. */
  active_projects: number | null;
  /** Projects whose insight was read, and how many the app can browse in all. */
  projects_read: number;
  projects_total: number | null;
  /**
   * `all_active`: every active project was counted, so `projects` is the true
   * top list. `sampled`: there were more active projects than the request budget
   * can count; those counted were picked as `picked_by` says.
   */
  selection: 'all_active' | 'sampled';
  /** How the counted projects were picked when sampled: by growth since the 12-hour report, or by most recent change. */
  picked_by: 'growth_since_12h' | 'last_update' | null;
  /** The counts are Jira's approximate counts. */
  accuracy: Accuracy;
  /** Most updated first (ties: most created). */
  projects: ActiveProject[];
}

/**
 * Sorted numeric ids, compressed: a number, an inclusive `[first, last]` run, or
 * (for an id that is not a plain number) the id itself. Jira allocates ids in
 * sequence, so a site's 3,000 project ids are usually a handful of runs.
 */
export type IdRuns = Array<number | [number, number] | string>;

/** A catalogue as a later report needs it to say what was added and removed. */
export interface InventoryList {
  /** Ids; custom fields without their `customfield_` prefix. */
  ids: IdRuns;
  /** In the order `ids` expand to: project keys, or names. Null when dropped to keep the report small. */
  labels: string[] | null;
}

/**
 * AUTO_12H only: the site's configuration as the 24-hour report will compare it.
 * A list is null when it could not be read completely (a partial list would show
 * everything it missed as removed).
 */
export interface ConfigurationInventory {
  projects: InventoryList | null;
  custom_fields: InventoryList | null;
  issue_types: InventoryList | null;
  statuses: InventoryList | null;
  /** Jira's issue count per project, in `projects` order: the 24-hour report ranks activity by growth from it. */
  project_issue_counts: number[] | null;
}

export type CatalogueName = 'projects' | 'custom_fields' | 'issue_types' | 'statuses';

export interface ChangedItem {
  id: string;
  /** The project key, or the name; null when the 12-hour report kept only ids. */
  label: string | null;
  /** A project's name, when known. */
  name?: string;
}

export interface CatalogueChanges {
  added_count: number;
  removed_count: number;
  /** At most CHANGES_LISTED of each, in id order. */
  added: ChangedItem[];
  removed: ChangedItem[];
}

export interface CatalogueNotCompared {
  status: 'not_compared';
  /** NOT_LISTED_12H: the 12-hour report holds no complete list; NOT_LISTED_NOW: this report could not read one. */
  reason: 'NOT_LISTED_12H' | 'NOT_LISTED_NOW';
}

export type ConfigurationChanges = Record<CatalogueName, CatalogueChanges | CatalogueNotCompared>;

/** AUTO_24H only: how the site moved between the 12 h report and this one. */
export interface ChangeSince12h {
  twelve_hour_generated_at: string;
  /** Differences, this report minus the 12-hour one. */
  projects_total: number | null;
  issues_total: number | null;
  issues_created_since_install: number | null;
  issues_updated_since_install: number | null;
  custom_fields_total: number | null;
  issue_types_total?: number | null;
  statuses_total?: number | null;
  /** The 12-hour report's own figures, so this report shows both side by side. */
  twelve_hour?: { observation_window_hours: number | null; site: SiteFigures };
  /** Hours from the 12-hour report to this one, to one decimal. */
  hours_between?: number | null;
  /**
   * Issues per hour, to one decimal: over the 12-hour report's window (since
   * installation), and between the two reports. Approximate, like the counts.
   */
  rates_per_hour?: {
    issues_created: { first_window: number | null; between_reports: number | null };
    issues_updated: { first_window: number | null; between_reports: number | null };
  };
  /** Projects, custom fields, issue types and statuses added or removed since the 12-hour report. */
  configuration?: ConfigurationChanges;
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
  /** Null only in a MANUAL report made while the installation time was not recorded. */
  installation_timestamp: string | null;
  /** Hours from installation to generation, to one decimal (null as above). */
  observation_window_hours: number | null;
  app_version: string | null;
  /** Which attempt produced it (1 for a first-time success). */
  attempt: number;
  site: SiteFigures;
  /** The most active projects since installation; null when the project listing could not be read. */
  activity?: ProjectActivity | null;
  /** AUTO_12H only: what the 24-hour report compares the configuration with. */
  configuration?: ConfigurationInventory;
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
