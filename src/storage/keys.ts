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
   * One claim per attempt number, never reused: a crashed holder's claim stays
   * where it is and the next attempt claims a new key, so expiry of the old one
   * (which Forge performs lazily, up to 48 h late) never matters.
   */
  claim: (cloudId: string, trigger: ReportTrigger, attempt: number) =>
    checkedKey(`phase5:scheduler:${segment(cloudId)}:${trigger}:CLAIM:${attemptNumber(attempt)}`),
  /** The stored report of an automatic trigger. */
  report: (cloudId: string, trigger: AutoTrigger) => checkedKey(`phase5:report:${segment(cloudId)}:${trigger}`),
  /** Every report of a site (automatic, manual, replaced) lies under this prefix. */
  reportPrefix: (cloudId: string) => checkedKey(`phase5:report:${segment(cloudId)}:`),
  /** A report an administrator asked for; the sequence number is its claim's, so no two share a key. */
  manualReport: (cloudId: string, generatedAt: number, sequence: number) =>
    checkedKey(`phase5:report:${segment(cloudId)}:MANUAL:${compactInstant(generatedAt)}-${attemptNumber(sequence)}`),
  /** An automatic report set aside, not deleted, when an administrator reset its trigger. */
  replacedReport: (cloudId: string, trigger: AutoTrigger, replacedAt: number) =>
    checkedKey(`phase5:report:${segment(cloudId)}:${trigger}:REPLACED:${compactInstant(replacedAt)}`),
  /** Which manual reports are kept (a bounded list), and the next manual claim number. */
  manualReportIndex: (cloudId: string) => checkedKey(`phase5:admin:manual-reports:${segment(cloudId)}`),
  /** Which replaced reports are kept (a bounded list). */
  replacedReportIndex: (cloudId: string) => checkedKey(`phase5:admin:replaced-reports:${segment(cloudId)}`),
  /** Every claim of one trigger's attempts: listed when an administrator resets the trigger. */
  claimPrefix: (cloudId: string, trigger: ReportTrigger) =>
    checkedKey(`phase5:scheduler:${segment(cloudId)}:${trigger}:CLAIM:`),
  /** One administrator action; the suffix keeps two actions in the same millisecond apart. */
  auditEntry: (cloudId: string, at: number, suffix: string) =>
    checkedKey(`phase5:audit:${segment(cloudId)}:${compactInstant(at)}-${segment(suffix)}`),
  auditPrefix: (cloudId: string) => checkedKey(`phase5:audit:${segment(cloudId)}:`),
  /** When the account ids this site's records hold were last reported to Atlassian (src/privacy). */
  personalDataReport: (cloudId: string) => checkedKey(`phase5:privacy:${segment(cloudId)}:last-report`),
};

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
