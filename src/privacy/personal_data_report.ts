import { privacy } from '@forge/api';
import { describeError } from '../errors';
import { ADMIN } from '../admin/config';
import { resolveTenant } from '../scheduled/tenant';
import { isRecord } from '../scheduled/scheduler_state';
import { keys, store } from '../storage';
import { toIso } from '../time';
import { accountsHeld, AdminRecordsForPrivacy, anonymiseClosed } from './personal_data';

/**
 * The personal-data report: a scheduled trigger of its own, once a day per
 * installation, that reports the account ids this site's records hold through
 * `privacy.reportPersonalData` (Atlassian's personal data reporting API) once
 * every cycle period, and anonymises every record naming an account Atlassian
 * says is closed.
 *
 * Why daily with a 7-day guard rather than a weekly trigger: the guidance asks
 * both that each account be reported every cycle period (7 days) and that it
 * not be reported more often. A weekly trigger's slot drifts (Forge spreads
 * installations, and every deploy that changes trigger modules restarts their
 * schedules), so it would either report early or skip a whole week. Checked
 * daily, a report goes out 7 to 8 days after the last one: never early, at
 * most a day late. A day with nothing due costs one KVS read and no write.
 *
 * It is separate from the report scheduler so the scheduler's idle tick keeps
 * its budget (one read, no write) and a slow reporting API never delays a report.
 */

const TAG = '[PersonalData]';

/** The guidance's default cycle period. The API may ask for another in a header the SDK does not expose. */
export const CYCLE_PERIOD_MS = 7 * 24 * 60 * 60 * 1000;

const AUDIT_ENTRIES_READ = 5_000;

export interface PersonalDataOutcome {
  reason: 'NOT_DUE' | 'REPORTED' | 'NOTHING_HELD' | 'REPORT_FAILED' | 'TENANT_CONTEXT_UNAVAILABLE' | 'STORAGE_FAILED';
  accountsReported?: number;
  closed?: number;
  updated?: number;
  recordsAnonymised?: number;
  message?: string;
}

function respond(statusCode: number, outcome: PersonalDataOutcome) {
  return {
    statusCode,
    statusText: outcome.reason,
    headers: { 'Content-Type': ['application/json'] },
    body: JSON.stringify(outcome),
  };
}

function withReports(raw: unknown): { reports: Array<Record<string, unknown>> } | null {
  if (!isRecord(raw) || !Array.isArray(raw.reports)) return null;
  return { ...raw, reports: raw.reports.filter(isRecord) };
}

const REPORT_ENTRIES_READ = 1_000;

function recordsOf(list: Array<{ key: string; value: unknown }>) {
  return list.flatMap((e) => (isRecord(e.value) ? [{ key: e.key, value: e.value }] : []));
}

async function loadRecords(cloudId: string): Promise<AdminRecordsForPrivacy> {
  const [audit, entries, singles] = await Promise.all([
    store.listByPrefix<unknown>(keys.auditPrefix(cloudId), AUDIT_ENTRIES_READ),
    store.listByPrefix<unknown>(keys.adminEntryPrefix(cloudId), REPORT_ENTRIES_READ),
    store.readMany([
      keys.manualReportIndex(cloudId),
      keys.replacedReportIndex(cloudId),
      keys.installationEvidence(cloudId),
    ]),
  ]);
  const evidence = singles.get(keys.installationEvidence(cloudId));
  return {
    audit: recordsOf(audit),
    reportEntries: recordsOf(entries),
    manualIndex: withReports(singles.get(keys.manualReportIndex(cloudId))),
    replacedIndex: withReports(singles.get(keys.replacedReportIndex(cloudId))),
    evidence: isRecord(evidence) ? evidence : null,
  };
}

/** The reporting API rejects with its Response on anything but 200/204. */
function failureOf(err: unknown): string {
  if (err instanceof Response) return `HTTP ${err.status}`;
  return describeError(err);
}

export async function personalDataReportHandler(request: unknown, context: unknown) {
  const tenant = resolveTenant(request, context);
  if (!tenant.ok) {
    console.error(`${TAG} FAIL_CLOSED: Tenant identity unavailable (${tenant.detail})`);
    return respond(400, { reason: 'TENANT_CONTEXT_UNAVAILABLE', message: tenant.detail });
  }
  const { cloudId } = tenant;
  const now = Date.now();
  try {
    const last = await store.read<{ reported_at?: unknown }>(keys.personalDataReport(cloudId));
    const lastAt = typeof last?.reported_at === 'string' ? Date.parse(last.reported_at) : NaN;
    if (Number.isFinite(lastAt) && now - lastAt < CYCLE_PERIOD_MS && lastAt <= now) {
      return respond(200, { reason: 'NOT_DUE' });
    }

    const records = await loadRecords(cloudId);
    const held = accountsHeld(records);
    let updates: Array<{ accountId: string; status: string }> = [];
    if (held.length > 0) {
      try {
        updates = await privacy.reportPersonalData(held);
      } catch (err) {
        // Not marked as reported: tomorrow's run tries again.
        console.warn(`${TAG} Reporting ${held.length} account(s) failed: ${failureOf(err)}`);
        return respond(503, { reason: 'REPORT_FAILED', accountsReported: 0, message: failureOf(err) });
      }
    }
    const closed = new Set(updates.filter((u) => u.status === 'closed').map((u) => u.accountId));
    // `updated`: the person's data changed. The app keeps no copy of it (names are looked up when shown), so nothing to refresh.
    const updated = updates.filter((u) => u.status === 'updated').length;
    // Every record read here is written once and afterwards only deleted (audit entries expire, a report's
    // entry goes with its report when pruned, the earlier versions' lists and the evidence are never rewritten),
    // so what was read is what is there. The one race KVS (no compare-and-set) leaves open: an entry pruned in
    // the moment between this run's read and its rewrite would come back, naming a report that is gone; the
    // page then says the report cannot be opened. Pruning happens only when an admin stores an 11th manual report.
    const rewrites = anonymiseClosed(
      records,
      closed,
      {
        manualIndex: keys.manualReportIndex(cloudId),
        replacedIndex: keys.replacedReportIndex(cloudId),
        evidence: keys.installationEvidence(cloudId),
      },
      { ttlDays: ADMIN.auditTtlDays, now },
    );
    for (const r of rewrites) {
      await store.write(r.key, r.value, r.ttlDays ? { value: r.ttlDays, unit: 'DAYS' } : undefined);
    }
    await store.write(keys.personalDataReport(cloudId), { reported_at: toIso(now), accounts: held.length });
    console.log(
      `${TAG} ${held.length} account(s) reported; ${closed.size} closed (${rewrites.length} record(s) anonymised), ${updated} updated`,
    );
    return respond(200, {
      reason: held.length === 0 ? 'NOTHING_HELD' : 'REPORTED',
      accountsReported: held.length,
      closed: closed.size,
      updated,
      recordsAnonymised: rewrites.length,
    });
  } catch (err) {
    console.error(`${TAG} Storage failed: ${describeError(err)}`);
    return respond(500, { reason: 'STORAGE_FAILED', message: describeError(err) });
  }
}
