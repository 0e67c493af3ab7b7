import type { ReportTrigger } from '../storage/keys';

/**
 * The stored Phase-5 report. It is read by Jira admins (through the admin page)
 * and by tooling, so it is versioned and self-describing: it names its trigger,
 * the installation time it was measured from and the window it covers.
 */
export const REPORT_SCHEMA_VERSION = 1;

/** Reports must fit one KVS value (240 KiB) with room to spare; larger ones fail generation rather than truncate. */
export const REPORT_MAX_BYTES = 200 * 1024;

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
}

export type GenerationResult =
  | { success: true; report: Phase5Report; sizeBytes: number }
  | { success: false; error: string };
