import type { AutoTrigger } from '../storage/keys';
import { CLAIM_ENTITY, keys, store } from '../storage';
import { isRecord, Parsed } from '../scheduled/scheduler_state';
import type { LedgerTrigger } from '../scheduled/decisions';
import { SCHEDULER } from '../scheduled/config';

/**
 * The admin page's own records and the one read the page makes of everything.
 * Which manual and replaced reports are kept is said by one small entry per
 * report (keys.manualReportEntry, keys.replacedReportEntry), created and deleted
 * in the same transaction as the report it names. No writer ever rewrites a list
 * another writer may be rewriting too, so no entry is lost and none is orphaned.
 * Entries are found by a prefix listing, which is eventually consistent: a
 * listing may lag a just-stored report by a moment (it shows on the next load)
 * and pruning may keep one too many for a while; neither loses anything.
 * Earlier versions kept one list per kind; those are read, never written.
 */

export const ADMIN_RECORDS_SCHEMA_VERSION = 1;

export interface StoredManualReportEntry {
  key: string;
  sequence: number;
  generated_at: string;
  requested_by: string;
}

export interface StoredManualReportIndex {
  schema_version: number;
  /** The claim number the next manual generation tries first. */
  next_sequence: number;
  /** Newest first, at most ADMIN.manualReportsKept. */
  reports: StoredManualReportEntry[];
}

/** keys.manualSequence: the highest manual report number given so far. */
export interface StoredManualSequence {
  schema_version: number;
  last_sequence: number;
}

/**
 * The highest manual report number any record still shows as given: the sequence
 * record, the history entries (an earlier version kept no sequence record), and an
 * earlier version's single list, whose `next_sequence` was the next number to try.
 * A sequence record that does not hold a number a claim can have (1 to
 * SCHEDULER.maxAttempts) counts for nothing; the other records still do.
 */
export function highestManualSequence(
  records: Pick<AdminRecords, 'cloudId' | 'entries' | 'manualIndex'> & { manualSequence: unknown },
): number {
  const counter = records.manualSequence;
  const last = isRecord(counter) ? counter.last_sequence : undefined;
  const recorded =
    typeof last === 'number' && Number.isSafeInteger(last) && last >= 1 && last <= SCHEDULER.maxAttempts ? last : 0;
  const legacy = parseManualIndex(records.manualIndex);
  const kept = keptReports({ ...records, replacedIndex: undefined }).manual.map((e) => e.sequence);
  return Math.max(recorded, legacy.ok ? legacy.value.next_sequence - 1 : 0, ...kept);
}

export interface StoredReplacedReportEntry {
  key: string;
  trigger: AutoTrigger;
  /** The epoch the report belonged to (the reset moved the trigger to the next one). */
  epoch?: number;
  generated_at: string | null;
  attempt: number | null;
  replaced_at: string;
  replaced_by: string;
}

export interface StoredReplacedReportIndex {
  schema_version: number;
  /** Newest first, at most ADMIN.replacedReportsKept. */
  reports: StoredReplacedReportEntry[];
}

class Invalid extends Error {}

function str(v: Record<string, unknown>, field: string): string {
  if (typeof v[field] !== 'string') throw new Invalid(`${field} is not a string`);
  return v[field];
}

function strOrNull(v: Record<string, unknown>, field: string): string | null {
  return v[field] === null || v[field] === undefined ? null : str(v, field);
}

function positive(v: Record<string, unknown>, field: string): number {
  const n = v[field];
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1)
    throw new Invalid(`${field} is not a positive integer`);
  return n;
}

function listOf<T>(raw: Record<string, unknown>, parse: (item: Record<string, unknown>) => T): T[] {
  if (!Array.isArray(raw.reports)) throw new Invalid('reports is not a list');
  return raw.reports.map((item) => {
    if (!isRecord(item)) throw new Invalid('a report entry is not an object');
    return parse(item);
  });
}

function parsing<T>(raw: unknown, empty: T, parse: (r: Record<string, unknown>) => T): Parsed<T> {
  if (raw === undefined) return { ok: true, value: empty };
  try {
    if (!isRecord(raw)) throw new Invalid('not an object');
    return { ok: true, value: parse(raw) };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, reason: e.message };
    throw e;
  }
}

export function parseManualIndex(raw: unknown): Parsed<StoredManualReportIndex> {
  const empty = { schema_version: ADMIN_RECORDS_SCHEMA_VERSION, next_sequence: 1, reports: [] };
  return parsing(raw, empty, (r) => ({
    schema_version: ADMIN_RECORDS_SCHEMA_VERSION,
    next_sequence: positive(r, 'next_sequence'),
    reports: listOf(r, manualEntry),
  }));
}

export function parseReplacedIndex(raw: unknown): Parsed<StoredReplacedReportIndex> {
  const empty = { schema_version: ADMIN_RECORDS_SCHEMA_VERSION, reports: [] };
  return parsing(raw, empty, (r) => ({
    schema_version: ADMIN_RECORDS_SCHEMA_VERSION,
    reports: listOf(r, replacedEntry),
  }));
}

function manualEntry(e: Record<string, unknown>): StoredManualReportEntry {
  return {
    key: str(e, 'key'),
    sequence: positive(e, 'sequence'),
    generated_at: str(e, 'generated_at'),
    requested_by: str(e, 'requested_by'),
  };
}

function replacedEntry(e: Record<string, unknown>): StoredReplacedReportEntry {
  const trigger = e.trigger;
  if (trigger !== 'AUTO_12H' && trigger !== 'AUTO_24H') throw new Invalid('trigger is not a trigger');
  const attempt = e.attempt === null || e.attempt === undefined ? null : positive(e, 'attempt');
  return {
    key: str(e, 'key'),
    trigger,
    generated_at: strOrNull(e, 'generated_at'),
    attempt,
    replaced_at: str(e, 'replaced_at'),
    replaced_by: str(e, 'replaced_by'),
  };
}

/** One entry as stored, or null when it does not parse (it is shown as a problem, never guessed at). */
function entryOr<T>(raw: unknown, parse: (e: Record<string, unknown>) => T): T | null {
  try {
    return isRecord(raw) ? parse(raw) : null;
  } catch (e) {
    if (e instanceof Invalid) return null;
    throw e;
  }
}

export interface KeptReports {
  manual: Array<StoredManualReportEntry & { entryKey: string | null }>;
  replaced: Array<StoredReplacedReportEntry & { entryKey: string | null }>;
  /** Entries that do not parse, by key. */
  unreadable: string[];
}

/**
 * The kept manual and replaced reports, newest first: the per-report entries, plus
 * whatever an earlier version's single lists still name (`entryKey: null`).
 */
export function keptReports(
  records: Pick<AdminRecords, 'cloudId' | 'entries' | 'manualIndex' | 'replacedIndex'>,
): KeptReports {
  const prefix = keys.adminEntryPrefix(records.cloudId);
  const out: KeptReports = { manual: [], replaced: [], unreadable: [] };
  for (const { key, value } of records.entries) {
    const rest = key.slice(prefix.length);
    if (rest.startsWith('MANUAL:')) {
      const e = entryOr(value, manualEntry);
      if (e) out.manual.push({ ...e, entryKey: key });
      else out.unreadable.push(key);
    } else if (rest.startsWith('REPLACED:')) {
      const e = entryOr(value, replacedEntry);
      if (e) out.replaced.push({ ...e, entryKey: key });
      else out.unreadable.push(key);
    }
  }
  const legacyManual = parseManualIndex(records.manualIndex);
  const legacyReplaced = parseReplacedIndex(records.replacedIndex);
  for (const e of legacyManual.ok ? legacyManual.value.reports : []) {
    if (!out.manual.some((m) => m.key === e.key)) out.manual.push({ ...e, entryKey: null });
  }
  for (const e of legacyReplaced.ok ? legacyReplaced.value.reports : []) {
    if (!out.replaced.some((r) => r.key === e.key)) out.replaced.push({ ...e, entryKey: null });
  }
  out.manual.sort((a, b) => b.sequence - a.sequence);
  out.replaced.sort((a, b) => (a.replaced_at < b.replaced_at ? 1 : a.replaced_at > b.replaced_at ? -1 : 0));
  return out;
}

// ---------------------------------------------------------------------------
// The page's read.

/** Everything the status view is made from, as stored. */
export interface AdminRecords {
  cloudId: string;
  evidence: unknown;
  state: unknown;
  done: Record<AutoTrigger, unknown>;
  /** The ledger records (src/scheduled/ledger.ts), as listed: undefined where there is none (yet). */
  ledger: Record<LedgerTrigger, unknown>;
  /** An earlier version's single lists (read only). */
  manualIndex: unknown;
  replacedIndex: unknown;
  /** The per-report entries (keys.adminEntryPrefix), as listed. */
  entries: Array<{ key: string; value: unknown }>;
  /** Audit entries in key (= time) order. */
  audit: Array<{ key: string; value: unknown }>;
}

/**
 * The highest sequence under a trigger's claim prefix in a listing, or 0. Only a
 * number written the way keys.legacyClaim writes one counts: `CLAIM:1e3` or `CLAIM:007`
 * parses, but no claim was ever stored under it, so it is corrupt, not claim 1000.
 */
export function highestClaimed(listed: Array<{ key: string }>, prefix: string): number {
  let top = 0;
  for (const { key } of listed) {
    if (!key.startsWith(prefix)) continue;
    const digits = key.slice(prefix.length);
    const n = Number(digits);
    if (Number.isSafeInteger(n) && String(n) === digits && n > top && n <= SCHEDULER.maxAttempts) top = n;
  }
  return top;
}

const LEDGER_TRIGGERS: readonly LedgerTrigger[] = ['AUTO_12H', 'AUTO_24H', 'MANUAL'];

/**
 * Four KVS requests whatever the history: one batch of the records, one entity
 * query listing the site's ledger records (index `by-site`), and two listings
 * (report entries, audit log). Listings are eventually consistent: the page may
 * show a change a moment late; every action reads again, strongly, before it acts.
 */
export async function loadAdminRecords(cloudId: string): Promise<AdminRecords> {
  const k = {
    evidence: keys.installationEvidence(cloudId),
    state: keys.schedulerState(cloudId),
    done12: keys.done(cloudId, 'AUTO_12H'),
    done24: keys.done(cloudId, 'AUTO_24H'),
    manual: keys.manualReportIndex(cloudId),
    replaced: keys.replacedReportIndex(cloudId),
  };
  const first = await store.readMany(Object.values(k));
  const listed = await store.listRecords(CLAIM_ENTITY, 'by-site', [cloudId], 10);
  const ledger = {} as Record<LedgerTrigger, unknown>;
  for (const t of LEDGER_TRIGGERS) {
    ledger[t] = listed.find((r) => r.key === keys.claimRecord(cloudId, t))?.value;
  }
  const entries = await store.listByPrefix(keys.adminEntryPrefix(cloudId), 1000);
  const audit = await store.listByPrefix(keys.auditPrefix(cloudId), 1000);
  return {
    cloudId,
    evidence: first.get(k.evidence),
    state: first.get(k.state),
    done: { AUTO_12H: first.get(k.done12), AUTO_24H: first.get(k.done24) },
    ledger,
    manualIndex: first.get(k.manual),
    replacedIndex: first.get(k.replaced),
    entries,
    audit,
  };
}
