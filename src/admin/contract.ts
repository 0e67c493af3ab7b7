/**
 * What the admin page and its resolver say to each other: the resolver's
 * function keys, their payloads and answers, and the page's view model. The
 * frontend imports this file too, so it holds types and plain constants only
 * (nothing that reaches Forge APIs or Node).
 */

import type { AutoTrigger } from '../storage/keys';

export type AutoTriggerName = AutoTrigger;

// ---------------------------------------------------------------------------
// Words: what the resolver says, for the page to write in the viewer's language.

/** The keys of the app's translations (locales/en-US.json, shipped with the app; manifest.yml `translations`). */
type TranslationKey = keyof typeof import('../../locales/en-US.json');
/** A key written `x.one` / `x.other` in the translations is asked for as `x`, with a `count` parameter. */
type PluralKey<K> = K extends `${infer Base}.other` ? Base : never;
type PluralForm = `${string}.${'zero' | 'one' | 'two' | 'few' | 'many' | 'other'}`;

export type WordKey = Exclude<TranslationKey, PluralForm> | PluralKey<TranslationKey>;

/**
 * A parameter of {@link Words}. Instants travel as `{ at }` (ISO-8601, UTC) and
 * numbers as numbers, so the page writes both in the viewer's locale and time
 * zone; `relative` adds "in 3 hours" in the same words. `{ words }` nests a
 * phrase; a plain string is shown as it is (a name, a status code).
 */
export type WordParam = string | number | { at: string; relative?: boolean } | { words: Words };

/**
 * A sentence the page writes in the viewer's language: a translation key and
 * its parameters. The resolver sends these, never sentences, so the page has
 * nothing to parse and a German admin reads German.
 */
export interface Words {
  key: WordKey;
  params?: Record<string, WordParam>;
}

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
  /** When the app was installed, as the admin entered it (ISO-8601); not in the future, not before the first deployment. */
  installedAt: string;
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
  /** A change whose reply was lost, and whose read-back failed too: it may or may not have been applied. */
  | 'OUTCOME_UNKNOWN'
  | 'INTERNAL_ERROR'
  /** The page's own, never the resolver's: the call got no answer, so whether it was done is not known. */
  | 'UNREACHABLE';

export interface AdminError {
  code: AdminErrorCode;
  /** In English, for logs and for whoever reads the raw answer (support, a developer). */
  message: string;
  /** What the page tells the admin; absent where the code alone says it (the page has words for every code). */
  words?: Words;
}

export type AdminResult<T extends object = object> = ({ ok: true } & T) | { ok: false; error: AdminError };

/** What an action tells the admin when it is done. */
export interface ActionDone {
  words: Words;
  /** Keys the action wrote or deleted, for the audit log and for anyone looking in storage. */
  changedKeys: string[];
  /** Set when the change was made but its audit entry could not be stored. */
  warning?: Words;
}

// ---------------------------------------------------------------------------
// The view model.

export type TriggerStatus = 'unscheduled' | 'waiting' | 'due' | 'generating' | 'backing_off' | 'done' | 'missed';

export interface ActionAvailability {
  allowed: boolean;
  /** Why not, or what it would do. */
  reason: Words;
}

export interface TriggerView {
  trigger: AutoTriggerName;
  status: TriggerStatus;
  /** Where it stands, in one sentence. */
  summary: Words;
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
  /** `message` as the scheduler stored it (for support); `cause`, what it means, for the admin. */
  lastError: { at: string; message: string; attempt: number; cause: Words } | null;
  generatedAt: string | null;
  missedAt: string | null;
  liveClaim: { attempt: number; claimedAt: string; leaseExpiresAt: string } | null;
  /**
   * A live claim older than the scheduler function's time limit: Forge has stopped that attempt, or it runs
   * under a longer limit than this app sets; the app cannot tell which until the claim's lease has passed.
   */
  outcomeUnknown: boolean;
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
  /** The words stored with the entry, in English; entries written before `words` existed have only these. */
  detail: string;
  /** What happened, for the page to write in the viewer's language (entries written since). */
  words: Words | null;
  changedKeys: string[];
}

/** What the page offers to do about a situation, beside its words. */
export type SuggestedAction =
  | { kind: 'recordInstallation' }
  | { kind: 'retry'; trigger: AutoTriggerName }
  | { kind: 'generateManual' }
  | { kind: 'diagnostics' };

/**
 * Something an admin should know, in one message: what is wrong and why (`why`,
 * with its cause), and the one thing to do about it (`todo`), if any.
 * `action` needed: the app cannot do its job until someone acts.
 * `attention`: something went wrong or is unsure, and the app copes (or the loss is past).
 */
export interface Situation {
  level: 'action' | 'attention';
  /** Which situation, for the page and tests (one message per situation). */
  kind:
    | 'installation_missing'
    | 'installation_unusable'
    | 'report_closing'
    | 'report_last_chance'
    | 'report_failing'
    | 'report_retrying'
    | 'report_missed'
    | 'report_unaccounted'
    | 'state_unreadable'
    | 'history_unreadable'
    | 'report_blocked';
  trigger: AutoTriggerName | null;
  title: Words;
  why: Words;
  todo: Words | null;
  action: SuggestedAction | null;
}

export type HealthLevel = 'healthy' | 'attention' | 'action';

/** The page's first words: the app's health, one sentence why, and the one thing to do, if any. */
export interface Health {
  level: HealthLevel;
  /** The situation it speaks of; null when healthy. */
  kind: Situation['kind'] | null;
  trigger: AutoTriggerName | null;
  why: Words;
  todo: Words | null;
  action: SuggestedAction | null;
}

export interface AdminPageView {
  /** The resolver's clock when the view was made; every relative time on the page counts from it. */
  now: string;
  cloudId: string;
  installation: InstallationView;
  /** Set when the scheduler state does not parse (the scheduler rebuilds it from DONE keys); for support. */
  stateProblem: string | null;
  /** Records the page could not read (report history, epoch keys), in English, for support. */
  recordProblems: string[];
  triggers: TriggerView[];
  /** The worst situation, or why all is well. */
  health: Health;
  /** Every other situation, one message each (the worst one is `health`). */
  messages: Situation[];
  reports: ReportSummary[];
  manualReport: ActionAvailability & { inProgressSince: string | null };
  /**
   * Offered only while no installation time is recorded. The admin enters a time between `earliestAt` (the
   * app's first deployment: no installation is older) and the resolver's `now`.
   */
  recordInstallation: ActionAvailability & { earliestAt: string };
  audit: AuditEntryView[];
  limits: { manualReportsKept: number; replacedReportsKept: number };
  /** The scheduled trigger's interval (manifest.yml, as configured in src/scheduled/config.ts). */
  schedule: { interval: string; intervalMinutes: number; wakeUps: boolean };
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
