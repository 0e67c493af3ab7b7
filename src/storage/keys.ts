import { InvalidStorageKeyError } from '../errors';

/**
 * Every KVS key the app uses is built here and nowhere else, and checked against
 * the rules Forge enforces server-side (1-500 characters of letters, digits,
 * `:._-#` and spaces). Forge checks keys only on the server, so a bad key would
 * otherwise surface as a 400 in production; here it fails in a unit test.
 */
export const KVS_KEY_PATTERN = /^(?!\s+$)[a-zA-Z0-9:._\s\-#]+$/;
export const KVS_MAX_KEY_LENGTH = 500;

export type AutoTrigger = 'AUTO_12H' | 'AUTO_24H';
export type ReportTrigger = AutoTrigger | 'MANUAL';

/**
 * The Custom Entity Store entity the ledger's records are (manifest.yml,
 * `app.storage.entities`): one record per installation and report kind.
 */
export const CLAIM_ENTITY = 'claim';

export function checkedKey(key: string): string {
  if (key.length < 1 || key.length > KVS_MAX_KEY_LENGTH || !KVS_KEY_PATTERN.test(key)) {
    throw new InvalidStorageKeyError(`Not a valid Forge KVS key: ${JSON.stringify(key.slice(0, 80))}`);
  }
  return key;
}

/** A cloudId is interpolated into keys, so it may not contain the separator or anything KVS rejects. */
function segment(value: string): string {
  if (!/^[a-zA-Z0-9._-]+$/.test(value)) {
    throw new InvalidStorageKeyError(`Not a valid key segment: ${JSON.stringify(value.slice(0, 80))}`);
  }
  return value;
}

export const keys = {
  /** Phase-4 evidence: when the app was installed on this site. */
  installationEvidence: (cloudId: string) => checkedKey(`phase4:evidence:installation:${segment(cloudId)}`),
  /** The scheduler's advisory state (attempt counts, backoff, display fields). */
  schedulerState: (cloudId: string) => checkedKey(`phase5:scheduler:state:${segment(cloudId)}`),
  /** Authoritative completion marker: present means the trigger's report is stored. */
  done: (cloudId: string, trigger: AutoTrigger) => checkedKey(`phase5:scheduler:${segment(cloudId)}:${trigger}:DONE`),
  /**
   * The ledger record of one report kind (entity CLAIM_ENTITY): who holds its claim,
   * its attempts, its epoch. src/scheduled/ledger.ts is its one writer.
   */
  claimRecord: (cloudId: string, trigger: ReportTrigger) => checkedKey(`phase5:claim:${segment(cloudId)}:${trigger}`),
  /**
   * Before the ledger: one claim per attempt number, as a plain key with a lease. Read
   * only to upgrade an installation, which also writes the fence that stops the
   * earlier version claiming here (src/scheduled/ledger_upgrade.ts).
   */
  legacyClaim: (cloudId: string, trigger: ReportTrigger, attempt: number, epoch = 0) =>
    checkedKey(`${claimSpace(cloudId, trigger, epoch)}CLAIM:${attemptNumber(attempt)}`),
  /**
   * Before the ledger: a trigger's epoch (how many times it was reset). The upgrade
   * replaces it with a record no epoch can be read from, which the earlier version
   * refuses to claim under.
   */
  legacyEpoch: (cloudId: string, trigger: AutoTrigger) =>
    checkedKey(`phase5:scheduler:${segment(cloudId)}:${trigger}:EPOCH`),
  /** The stored report of an automatic trigger. */
  report: (cloudId: string, trigger: AutoTrigger) => checkedKey(`phase5:report:${segment(cloudId)}:${trigger}`),
  /** Every report of a site (automatic, manual, replaced) lies under this prefix. */
  reportPrefix: (cloudId: string) => checkedKey(`phase5:report:${segment(cloudId)}:`),
  /** A report an administrator asked for; the sequence number is its claim's, so no two share a key. */
  manualReport: (cloudId: string, generatedAt: number, sequence: number) =>
    checkedKey(`phase5:report:${segment(cloudId)}:MANUAL:${compactInstant(generatedAt)}-${attemptNumber(sequence)}`),
  /** An automatic report set aside, not deleted, when an administrator reset its trigger. */
  replacedReport: (cloudId: string, trigger: AutoTrigger, replacedAt: number, epoch: number) =>
    checkedKey(
      `phase5:report:${segment(cloudId)}:${trigger}:REPLACED:${compactInstant(replacedAt)}-E${epochNumber(epoch)}`,
    ),
  /**
   * The highest manual report number given so far, written with each manual report's
   * commit or recorded failure and never expiring: manual claims expire after 30 days,
   * so they alone cannot say which numbers are used up.
   */
  manualSequence: (cloudId: string) => checkedKey(`phase5:admin:manual-sequence:${segment(cloudId)}`),
  /** Earlier versions' single lists of manual and replaced reports; read for the page, never written. */
  manualReportIndex: (cloudId: string) => checkedKey(`phase5:admin:manual-reports:${segment(cloudId)}`),
  replacedReportIndex: (cloudId: string) => checkedKey(`phase5:admin:replaced-reports:${segment(cloudId)}`),
  /**
   * One small entry per kept manual or replaced report, created and deleted in the same
   * transaction as the report it names, so no entry is ever lost to a concurrent writer
   * and none outlives its report. Listed by prefix (the page's history, pruning).
   */
  manualReportEntry: (cloudId: string, sequence: number) =>
    checkedKey(`${adminEntries(cloudId)}MANUAL:${String(attemptNumber(sequence)).padStart(12, '0')}`),
  replacedReportEntry: (cloudId: string, trigger: AutoTrigger, epoch: number) =>
    checkedKey(`${adminEntries(cloudId)}REPLACED:${trigger}:E${String(epochNumber(epoch)).padStart(6, '0')}`),
  adminEntryPrefix: (cloudId: string) => checkedKey(adminEntries(cloudId)),
  /**
   * Whether a stored key is one of the above for this site (any instant, any epoch).
   * History entries are stored data and name their report by key; before a key they
   * name is deleted it must be one the app derives itself for that entry, never
   * whatever the entry says (a DONE key, an automatic report, another site's key).
   */
  isManualReport: (cloudId: string, key: string, sequence: number) =>
    shaped(key, `phase5:report:${segment(cloudId)}:MANUAL:`, `${INSTANT}-${attemptNumber(sequence)}`),
  isReplacedReport: (cloudId: string, trigger: AutoTrigger, key: string) =>
    shaped(key, `phase5:report:${segment(cloudId)}:${trigger}:REPLACED:`, `${INSTANT}-E${NUMBER}`),
  isReplacedReportEntry: (cloudId: string, trigger: AutoTrigger, key: string) =>
    shaped(key, `${adminEntries(cloudId)}REPLACED:${trigger}:`, 'E\\d{6,}'),
  /** Before the ledger: every claim of one trigger in one epoch. */
  legacyClaimPrefix: (cloudId: string, trigger: ReportTrigger, epoch = 0) =>
    checkedKey(`${claimSpace(cloudId, trigger, epoch)}CLAIM:`),
  /** Before the ledger: everything stored under one trigger's claims and epochs, any epoch. */
  legacyTriggerPrefix: (cloudId: string, trigger: ReportTrigger) =>
    checkedKey(`phase5:scheduler:${segment(cloudId)}:${trigger}:`),
  /** One administrator action; the suffix keeps two actions in the same millisecond apart. */
  auditEntry: (cloudId: string, at: number, suffix: string) =>
    checkedKey(`phase5:audit:${segment(cloudId)}:${compactInstant(at)}-${segment(suffix)}`),
  auditPrefix: (cloudId: string) => checkedKey(`phase5:audit:${segment(cloudId)}:`),
  /** When the account ids this site's records hold were last reported to Atlassian (src/privacy). */
  personalDataReport: (cloudId: string) => checkedKey(`phase5:privacy:${segment(cloudId)}:last-report`),
  /**
   * The platform check's scratch space: one prefix per run, outside `phase4:` and
   * `phase5:`, so a probe can never read or write a key the scheduler or the admin
   * page relies on, and a run's leftovers are easy to find.
   */
  platformCheckPrefix: (runId: string) => checkedKey(`platform-check:${segment(runId)}:`),
  platformCheckKey: (runId: string, name: string) => checkedKey(`platform-check:${segment(runId)}:${segment(name)}`),
  /** Held by the one platform check running on this installation; outside every run's prefix. */
  platformCheckLock: () => checkedKey('platform-check-lock'),
};

/** Epoch 0 keeps the key form claims had before epochs existed, so stored claims keep their meaning. */
function claimSpace(cloudId: string, trigger: ReportTrigger, epoch: number): string {
  const base = `phase5:scheduler:${segment(cloudId)}:${trigger}:`;
  return epochNumber(epoch) === 0 ? base : `${base}E${epoch}:`;
}

const adminEntries = (cloudId: string) => `phase5:admin:${segment(cloudId)}:`;

/** compactInstant's form, and a number as String() writes it (no sign, no leading zero). */
const INSTANT = '\\d{8}T\\d{6}\\.\\d{3}Z';
const NUMBER = '(?:0|[1-9]\\d*)';

/** `key` is `head` followed by exactly what `tail` (a pattern) matches. */
function shaped(key: string, head: string, tail: string): boolean {
  return key.startsWith(head) && new RegExp(`^${tail}$`).test(key.slice(head.length));
}

/**
 * An instant inside a key: ISO-8601 basic format in UTC (`20261102T210000.123Z`),
 * which sorts by time and uses only characters KVS accepts (an offset's `+` is not one).
 */
function compactInstant(epochMs: number): string {
  if (!Number.isFinite(epochMs)) throw new InvalidStorageKeyError(`Not an instant: ${epochMs}`);
  return new Date(epochMs).toISOString().replace(/[-:]/g, '');
}

function attemptNumber(attempt: number): number {
  if (!Number.isSafeInteger(attempt) || attempt < 1) {
    throw new InvalidStorageKeyError(`Attempt number must be a positive integer, got ${attempt}`);
  }
  return attempt;
}

function epochNumber(epoch: number): number {
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new InvalidStorageKeyError(`Epoch must be a non-negative integer, got ${epoch}`);
  }
  return epoch;
}
