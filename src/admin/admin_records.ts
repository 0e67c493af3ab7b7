import type { AutoTrigger } from '../storage/keys';
import { keys, store } from '../storage';
import { isRecord, parseState, Parsed } from '../scheduled/scheduler_state';
import { AUTO_TRIGGERS } from '../scheduled/decisions';

/**
 * The admin page's own records and the one read the page makes of everything.
 * Two bounded indexes say which manual and replaced reports are kept: they are
 * read with `get` (strongly consistent), so pruning the oldest never depends on
 * an eventually consistent listing.
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

export interface StoredReplacedReportEntry {
  key: string;
  trigger: AutoTrigger;
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
    reports: listOf(r, (e) => ({
      key: str(e, 'key'),
      sequence: positive(e, 'sequence'),
      generated_at: str(e, 'generated_at'),
      requested_by: str(e, 'requested_by'),
    })),
  }));
}

export function parseReplacedIndex(raw: unknown): Parsed<StoredReplacedReportIndex> {
  const empty = { schema_version: ADMIN_RECORDS_SCHEMA_VERSION, reports: [] };
  return parsing(raw, empty, (r) => ({
    schema_version: ADMIN_RECORDS_SCHEMA_VERSION,
    reports: listOf(r, (e) => {
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
    }),
  }));
}

/** Put `entry` first and keep at most `limit`; the keys that fell off are to be deleted with the same commit. */
export function keepNewest<T extends { key: string }>(
  list: readonly T[],
  entry: T,
  limit: number,
): { kept: T[]; dropped: string[] } {
  const all = [entry, ...list.filter((e) => e.key !== entry.key)];
  return { kept: all.slice(0, limit), dropped: all.slice(limit).map((e) => e.key) };
}

// ---------------------------------------------------------------------------
// The page's read.

/** Everything the status view is made from, as stored. */
export interface AdminRecords {
  cloudId: string;
  evidence: unknown;
  state: unknown;
  done: Record<AutoTrigger, unknown>;
  /** For each trigger not done: the claim of its next attempt (attempt count + 1), which a live generation holds. */
  nextClaims: Record<AutoTrigger, { attempt: number; raw: unknown } | null>;
  manualIndex: unknown;
  manualClaim: { sequence: number; raw: unknown } | null;
  replacedIndex: unknown;
  /** Audit entries in key (= time) order. */
  audit: Array<{ key: string; value: unknown }>;
}

/**
 * Three KVS requests whatever the history: one batch of the records, one batch
 * of the claims they point at, one listing of the audit log.
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
  const done = { AUTO_12H: first.get(k.done12), AUTO_24H: first.get(k.done24) };

  const state = parseState(first.get(k.state));
  const nextAttempt = (t: AutoTrigger) => (state.ok ? state.value.triggers[t].attemptCount : 0) + 1;
  const watched = AUTO_TRIGGERS.filter((t) => done[t] === undefined).map((t) => ({ t, attempt: nextAttempt(t) }));
  const manual = parseManualIndex(first.get(k.manual));
  const manualSequence = manual.ok ? manual.value.next_sequence : null;

  const claimKeys = [
    ...watched.map(({ t, attempt }) => keys.claim(cloudId, t, attempt)),
    ...(manualSequence === null ? [] : [keys.claim(cloudId, 'MANUAL', manualSequence)]),
  ];
  const claims = claimKeys.length > 0 ? await store.readMany(claimKeys) : new Map<string, unknown>();
  const nextClaims: AdminRecords['nextClaims'] = { AUTO_12H: null, AUTO_24H: null };
  for (const { t, attempt } of watched) nextClaims[t] = { attempt, raw: claims.get(keys.claim(cloudId, t, attempt)) };

  const audit = await store.listByPrefix(keys.auditPrefix(cloudId), 1000);
  return {
    cloudId,
    evidence: first.get(k.evidence),
    state: first.get(k.state),
    done,
    nextClaims,
    manualIndex: first.get(k.manual),
    manualClaim:
      manualSequence === null
        ? null
        : { sequence: manualSequence, raw: claims.get(keys.claim(cloudId, 'MANUAL', manualSequence)) },
    replacedIndex: first.get(k.replaced),
    audit,
  };
}
