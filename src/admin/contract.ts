/**
 * What the admin page and its resolver say to each other: the resolver's
 * function keys, their payloads and answers, and the page's view model. The
 * frontend imports this file too, so it holds types and plain constants only
 * (nothing that reaches Forge APIs or Node).
 */

import type { AutoTrigger } from '../storage/keys';

export type AutoTriggerName = AutoTrigger;

/** The resolver's function keys, as `invoke(key, payload)` names them. */
export const ADMIN_FUNCTIONS = {
  getAdminPage: 'getAdminPage',
  getReport: 'getReport',
  generateManualReport: 'generateManualReport',
  retryTrigger: 'retryTrigger',
  resetTrigger: 'resetTrigger',
  recordInstallation: 'recordInstallation',
  runPlatformCheck: 'runPlatformCheck',
} as const;

/**
 * Every action carries the phrase the admin confirmed in the page. A call that
 * does not (a stale page, a hand-made invoke) changes nothing.
 */
export const CONFIRMATIONS = {
  generateManualReport: () => 'GENERATE MANUAL REPORT',
  retryTrigger: (trigger: AutoTriggerName) => `RETRY ${trigger}`,
  resetTrigger: (trigger: AutoTriggerName) => `RESET ${trigger}`,
  recordInstallation: () => 'RECORD INSTALLATION TIME',
  runPlatformCheck: () => 'RUN PLATFORM CHECK',
} as const;

export interface GenerateManualReportPayload {
  confirmation: string;
}
export interface TriggerActionPayload {
  trigger: AutoTriggerName;
  confirmation: string;
}
export interface RecordInstallationPayload {
  confirmation: string;
}
export interface GetReportPayload {
  reportKey: string;
}

export type AdminErrorCode =
  /** The caller is not a Jira administrator. */
  | 'NOT_ADMIN'
  /** The call carries no user (anonymous, or a context without an accountId). */
  | 'NO_USER'
  /** Jira could not say whether the caller is an administrator; refused rather than guessed. */
  | 'PERMISSION_CHECK_FAILED'
  | 'TENANT_CONTEXT_UNAVAILABLE'
  | 'INVALID_INPUT'
  /** The action does not apply to the current state (e.g. retry of a trigger that is not backing off). */
  | 'REFUSED'
  | 'NOT_FOUND'
  | 'GENERATION_FAILED'
  | 'STORAGE_UNAVAILABLE'
  | 'INTERNAL_ERROR';

export interface AdminError {
  code: AdminErrorCode;
  message: string;
}

export type AdminResult<T extends object = object> = ({ ok: true } & T) | { ok: false; error: AdminError };

/** What an action tells the admin when it is done. */
export interface ActionDone {
  message: string;
  /** Keys the action wrote or deleted, for the audit log and for anyone looking in storage. */
  changedKeys: string[];
  /** Set when the change was made but its audit entry could not be stored. */
  warning?: string;
}

// ---------------------------------------------------------------------------
// The view model.

export type TriggerStatus = 'unscheduled' | 'waiting' | 'due' | 'generating' | 'backing_off' | 'done' | 'missed';

export interface ActionAvailability {
  allowed: boolean;
  /** Why not, or what it would do. */
  reason: string;
}

export interface TriggerView {
  trigger: AutoTriggerName;
  status: TriggerStatus;
  /** The status in one sentence, times in UTC. */
  summary: string;
  /** When it becomes due: 12 h or 24 h after installation. */
  dueAt: string | null;
  /** AUTO_12H only: after this its window is closed and it is missed. */
  windowClosesAt: string | null;
  /** The next instant the scheduler will attempt it; null when it will not (done, missed, generating, no attempt left). */
  nextEligibleAt: string | null;
  /**
   * AUTO_12H waiting to retry (a failed attempt behind it, its window still open): the
   * latest instant an attempt is still made before its window closes. Null otherwise,
   * and when no attempt is left before the close.
   */
  lastChanceAt: string | null;
  attemptCount: number;
  failedAttempts: number;
  /** Failed attempts that were followed by a wait of 2 h or more. */
  longBackoffs: number;
  backoffUntil: string | null;
  lastError: { at: string; message: string; attempt: number } | null;
  generatedAt: string | null;
  missedAt: string | null;
  liveClaim: { attempt: number; claimedAt: string; leaseExpiresAt: string } | null;
  reportKey: string | null;
  /** The guide's alert: it backed off for 2 h or more more than once and is still not done. */
  repeatedLongBackoff: boolean;
  actions: { retry: ActionAvailability; reset: ActionAvailability };
}

export type InstallationSource = 'event' | 'admin' | 'other';

export interface InstallationView {
  status: 'recorded' | 'missing' | 'invalid' | 'in_future';
  installedAt: string | null;
  source: InstallationSource | null;
  recordedBy: string | null;
  recordedAt: string | null;
  ageHours: number | null;
}

export type ReportKind = 'AUTO_12H' | 'AUTO_24H' | 'MANUAL' | 'REPLACED';

export interface ReportSummary {
  key: string;
  kind: ReportKind;
  /** The trigger it was generated for (for a replaced report: the automatic trigger it was). */
  trigger: AutoTriggerName | 'MANUAL';
  generatedAt: string | null;
  attempt: number | null;
  /** MANUAL: who asked for it. REPLACED: who reset its trigger. */
  by: string | null;
  replacedAt: string | null;
}

export type AuditAction =
  'GENERATE_MANUAL_REPORT' | 'RETRY_TRIGGER' | 'RESET_TRIGGER' | 'RECORD_INSTALLATION' | 'RUN_PLATFORM_CHECK';

export interface AuditEntryView {
  key: string;
  at: string;
  action: AuditAction;
  accountId: string;
  trigger: AutoTriggerName | null;
  outcome: 'done' | 'failed';
  detail: string;
  changedKeys: string[];
}

export interface Alert {
  level: 'error' | 'warning' | 'information';
  title: string;
  body: string;
}

export interface AdminPageView {
  /** The resolver's clock when the view was made; every relative time on the page counts from it. */
  now: string;
  cloudId: string;
  installation: InstallationView;
  /** Set when the scheduler state does not parse (the scheduler rebuilds it from DONE keys). */
  stateProblem: string | null;
  triggers: TriggerView[];
  alerts: Alert[];
  reports: ReportSummary[];
  manualReport: ActionAvailability & { inProgressSince: string | null };
  recordInstallation: ActionAvailability;
  audit: AuditEntryView[];
  limits: { manualReportsKept: number; replacedReportsKept: number };
  /** The scheduled trigger's interval (manifest.yml, as configured in src/scheduled/config.ts). */
  schedule: { interval: string; intervalMinutes: number; every: string; wakeUps: boolean };
}

/** A person as Jira shows them to the calling admin. Only for display: the account id stays the reference. */
export interface Person {
  displayName: string;
  /** Jira's 48×48 avatar, or null when Jira gave none. */
  avatarUrl: string | null;
}

export interface AdminPageResponse {
  view: AdminPageView;
  /** The caller, as the resolver saw them (an administrator, or this call would have been refused). */
  accountId: string;
  /**
   * Names for the account ids on the page (the caller, report requesters, audit entries, the admin who
   * recorded the installation), looked up in Jira as the caller. An id Jira did not name is absent,
   * and the page shows the id itself.
   */
  people: Record<string, Person>;
}

export interface ReportResponse {
  key: string;
  /** The stored report as it is (schema_version 2); untrusted, so the page renders it defensively. */
  report: unknown;
}

// ---------------------------------------------------------------------------
// The platform check (src/platform_check/): its report, as the page shows and downloads it.

export type { PlatformCheckReport, ProbeResult, ProbeVerdict } from '../platform_check/check_report';

export interface RunPlatformCheckPayload {
  confirmation: string;
}
