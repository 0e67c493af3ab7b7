/**
 * Which Atlassian accounts this app holds personal data for, and what changes
 * when Atlassian says an account is closed. Pure: records in, reports and
 * rewrites out; storage and the reporting API are at the edge
 * (personal_data_report.ts).
 *
 * The app stores account ids only (never names or emails): in the audit log
 * (who acted), in each kept manual report's entry (who asked for it) and
 * replaced report's entry (who reset its trigger), in the single lists earlier
 * versions kept of those, and in the installation evidence when an
 * administrator recorded it. Forge's user-privacy guidance
 * asks an app that stores account ids to report them every cycle period
 * (7 days by default) with the time each was stored, and to erase what it
 * holds for a closed account.
 */

/** The stored records that can hold account ids, as read (untrusted: fields are checked where used). */
export interface AdminRecordsForPrivacy {
  audit: Array<{ key: string; value: Record<string, unknown> }>;
  /** One entry per kept manual report (`requested_by`) or replaced report (`replaced_by`). */
  reportEntries: Array<{ key: string; value: Record<string, unknown> }>;
  /** Earlier versions' single lists of the same; still read by the page, so still anonymised. */
  manualIndex: { reports: Array<Record<string, unknown>> } | null;
  replacedIndex: { reports: Array<Record<string, unknown>> } | null;
  evidence: Record<string, unknown> | null;
}

/** What a closed account's id is replaced with: the record stays, the person is gone from it. */
export const CLOSED_ACCOUNT = 'closed-account';

/** Atlassian account ids are 1–128 of letters, digits, `-` and `:`; `unknown` is never reported. */
const ACCOUNT_ID = /^[A-Za-z0-9:-]{1,128}$/;

export function isReportableAccountId(id: unknown): id is string {
  return typeof id === 'string' && ACCOUNT_ID.test(id) && id !== 'unknown' && id !== CLOSED_ACCOUNT;
}

export interface HeldAccount {
  accountId: string;
  /** RFC 3339: the oldest time anything about this account was stored (the guidance asks for the oldest). */
  updatedAt: string;
}

/** Every account id the records hold, once, with the oldest time it was stored. */
export function accountsHeld(records: AdminRecordsForPrivacy): HeldAccount[] {
  const oldest = new Map<string, number>();
  const note = (id: unknown, at: unknown) => {
    if (!isReportableAccountId(id)) return;
    const ms = typeof at === 'string' ? Date.parse(at) : NaN;
    // A record without a readable time still holds the id: report it as stored at the epoch (oldest possible).
    const when = Number.isFinite(ms) ? ms : 0;
    oldest.set(id, Math.min(oldest.get(id) ?? Infinity, when));
  };
  for (const e of records.audit) note(e.value.account_id, e.value.at);
  for (const e of records.reportEntries) {
    note(e.value.requested_by, e.value.generated_at);
    note(e.value.replaced_by, e.value.replaced_at);
  }
  for (const r of records.manualIndex?.reports ?? []) note(r.requested_by, r.generated_at);
  for (const r of records.replacedIndex?.reports ?? []) note(r.replaced_by, r.replaced_at);
  if (records.evidence) note(records.evidence.recorded_by, records.evidence.recorded_at);
  return [...oldest.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([accountId, ms]) => ({ accountId, updatedAt: new Date(ms).toISOString() }));
}

export interface Rewrite {
  key: string;
  value: unknown;
  /** For audit entries: what is left of their year, so anonymising never extends how long they are kept. */
  ttlDays?: number;
}

const DAY = 86_400_000;

/**
 * The records that name a closed account, rewritten with {@link CLOSED_ACCOUNT}
 * in its place. Nothing else in them changes; records that name no closed
 * account are not rewritten (no write for them).
 */
export function anonymiseClosed(
  records: AdminRecordsForPrivacy,
  closed: ReadonlySet<string>,
  keys: { manualIndex: string; replacedIndex: string; evidence: string },
  audit: { ttlDays: number; now: number },
): Rewrite[] {
  if (closed.size === 0) return [];
  const gone = (id: unknown) => typeof id === 'string' && closed.has(id);
  const out: Rewrite[] = [];
  for (const e of records.audit) {
    if (!gone(e.value.account_id)) continue;
    const age = Math.max(0, audit.now - (Date.parse(String(e.value.at)) || audit.now));
    const left = Math.max(1, Math.ceil(audit.ttlDays - age / DAY));
    out.push({ key: e.key, value: { ...e.value, account_id: CLOSED_ACCOUNT }, ttlDays: left });
  }
  for (const e of records.reportEntries) {
    if (gone(e.value.requested_by)) out.push({ key: e.key, value: { ...e.value, requested_by: CLOSED_ACCOUNT } });
    else if (gone(e.value.replaced_by)) out.push({ key: e.key, value: { ...e.value, replaced_by: CLOSED_ACCOUNT } });
  }
  const manual = records.manualIndex;
  if (manual && manual.reports.some((r) => gone(r.requested_by))) {
    out.push({
      key: keys.manualIndex,
      value: {
        ...manual,
        reports: manual.reports.map((r) => (gone(r.requested_by) ? { ...r, requested_by: CLOSED_ACCOUNT } : r)),
      },
    });
  }
  const replaced = records.replacedIndex;
  if (replaced && replaced.reports.some((r) => gone(r.replaced_by))) {
    out.push({
      key: keys.replacedIndex,
      value: {
        ...replaced,
        reports: replaced.reports.map((r) => (gone(r.replaced_by) ? { ...r, replaced_by: CLOSED_ACCOUNT } : r)),
      },
    });
  }
  if (records.evidence && gone(records.evidence.recorded_by)) {
    out.push({ key: keys.evidence, value: { ...records.evidence, recorded_by: CLOSED_ACCOUNT } });
  }
  return out;
}
