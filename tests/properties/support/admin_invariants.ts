import { SCHEDULER } from '../../../src/scheduled/config';
import type { AutoTrigger } from '../../../src/storage/keys';
import { CallRecord, FaultWorld, keysFor, Tenant, TRIGGERS } from './fault_world';
import { checkFailedReads, checkResponses, checkTenantKeys, recordMoves, valueIn } from './invariants';

/**
 * What must hold when administrators act while the scheduler runs: checked from
 * what the seam saw (every request, whether KVS applied it, in what order) and
 * from what KVS holds at the end. Plain-language violations, as in invariants.ts.
 */

const ok = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;

interface Landed {
  call: CallRecord;
  /** Position in the world's order of events when KVS applied it. */
  at: number;
}

/** Transactions KVS applied, each with the value it set for `key`, when it set that key. */
function landedSetting(w: FaultWorld, key: string): Array<Landed & { value: unknown }> {
  return w.calls
    .filter((c) => c.op === 'transaction' && c.served && ok(c.serviceStatus))
    .filter((c) => (c.body as { set?: Array<{ key: string }> })?.set?.some((s) => s.key === key))
    .map((c) => ({ call: c, at: c.servedSeq ?? -1, value: valueIn(c, key) }));
}

/** The commits of a trigger: transactions that stored its DONE key, with the epoch the marker names. */
function commits(w: FaultWorld, tenant: Tenant, t: AutoTrigger) {
  return landedSetting(w, keysFor(tenant.inst.cloudId).done(t)).map((l) => ({
    ...l,
    epoch: Number((l.value as { epoch?: unknown })?.epoch ?? 0),
  }));
}

/** The resets of a trigger that landed: transactions that moved its record to a new epoch, with the epoch moved to. */
function resets(w: FaultWorld, tenant: Tenant, t: AutoTrigger) {
  return recordMoves(w, tenant, t)
    .filter((m) => m.value.outcome === 'reset')
    .map((m) => ({ call: m.call, at: m.call.servedSeq ?? -1, value: m.value, epoch: Number(m.value.epoch) }));
}

/** At most one committed report per trigger per epoch. */
function checkOncePerEpoch(w: FaultWorld, tenant: Tenant, v: string[]): void {
  for (const t of TRIGGERS) {
    const byEpoch = new Map<number, string[]>();
    for (const c of commits(w, tenant, t)) byEpoch.set(c.epoch, [...(byEpoch.get(c.epoch) ?? []), c.call.invocation]);
    for (const [epoch, by] of byEpoch) {
      if (by.length > 1) v.push(`${t} committed ${by.length} times in epoch ${epoch}: by ${by.join(', ')}`);
    }
  }
}

/** Never a DONE key without its report, nor a report without its DONE key: when faults stopped, and at the end. */
function checkDoneWithReport(w: FaultWorld, tenant: Tenant, v: string[]): void {
  const k = keysFor(tenant.inst.cloudId);
  const moments: Array<[string, Map<string, unknown> | undefined]> = [
    ['when faults stopped', w.storedAtFaultStop.get(tenant.inst.cloudId)],
    ['at the end', w.stored(tenant)],
  ];
  for (const [when, stored] of moments) {
    if (!stored) continue;
    for (const t of TRIGGERS) {
      if (stored.has(k.done(t)) !== stored.has(k.report(t))) {
        v.push(`${t} ${when}: DONE key ${stored.has(k.done(t)) ? 'without' : 'missing, yet'} its report`);
      }
    }
  }
}

/**
 * An accepted Reset is never undone: once it has landed, no commit of the epoch it
 * closed (or an earlier one) lands, and the trigger's epoch never goes back.
 */
function checkResetsStand(w: FaultWorld, tenant: Tenant, v: string[]): void {
  const k = keysFor(tenant.inst.cloudId);
  for (const t of TRIGGERS) {
    const moves = resets(w, tenant, t);
    for (const r of moves) {
      const undoing = commits(w, tenant, t).filter((c) => c.at > r.at && c.epoch < r.epoch);
      for (const c of undoing) {
        v.push(
          `${t}: ${c.call.invocation} committed in epoch ${c.epoch} after ${r.call.invocation}'s reset to epoch ${r.epoch} had landed`,
        );
      }
    }
    const sequence = moves.sort((a, b) => a.at - b.at).map((r) => r.epoch);
    if (sequence.some((e, i) => i > 0 && e <= sequence[i - 1])) {
      v.push(`${t}: the epoch did not only go forward: ${sequence.join(' → ')}`);
    }
    const final = (w.records(tenant).get(k.record(t))?.epoch as number | undefined) ?? 0;
    if (sequence.length > 0 && final !== sequence[sequence.length - 1]) {
      v.push(`${t}: the epoch key holds ${final}, not ${sequence[sequence.length - 1]} from the last reset`);
    }
  }
}

/**
 * The history of manual and replaced reports loses and orphans nothing: every such
 * report stored has exactly one entry naming it, and every entry names a stored report.
 */
function checkHistoryEntries(w: FaultWorld, tenant: Tenant, v: string[]): void {
  const k = keysFor(tenant.inst.cloudId);
  const stored = w.stored(tenant);
  const kept = [...stored.keys()].filter(
    (key) => key.startsWith(k.reportPrefix) && (key.includes(':MANUAL:') || key.includes(':REPLACED:')),
  );
  const entries = [...stored].filter(([key]) => key.startsWith(k.adminEntryPrefix));
  const named = entries.map(([, value]) => (value as { key?: unknown })?.key);
  for (const key of kept) {
    const n = named.filter((x) => x === key).length;
    if (n !== 1) v.push(`${key} is named by ${n} history entries`);
  }
  for (const [entry, value] of entries) {
    const key = (value as { key?: unknown })?.key;
    if (typeof key !== 'string' || !stored.has(key)) v.push(`history entry ${entry} names no stored report`);
  }
}

/**
 * Nothing wedges: every admin call answers (a refusal, a failed generation or storage
 * trouble are answers; an internal error is not), and once faults stop each trigger
 * is stored again, AUTO_12H unless its window has closed.
 */
function checkNothingWedges(w: FaultWorld, tenant: Tenant, v: string[]): void {
  // A refusal, a failed generation, storage trouble or a permission check Jira did not answer
  // (an error, or a spoiled 2xx that fails closed as NOT_ADMIN) are answers.
  const answers = new Set([
    'REFUSED',
    'STORAGE_UNAVAILABLE',
    'GENERATION_FAILED',
    'PERMISSION_CHECK_FAILED',
    'NOT_ADMIN',
    // A change whose reply was lost and whose read-back failed too: it says so, and the page shows the outcome.
    'OUTCOME_UNKNOWN',
  ]);
  for (const inv of w.invocations.filter((i) => i.admin)) {
    if (inv.thrown !== undefined) {
      v.push(`${inv.label} (${inv.admin!.action}) threw: ${String((inv.thrown as Error)?.message ?? inv.thrown)}`);
      continue;
    }
    if (inv.killed) continue;
    const r = inv.response as { ok?: boolean; error?: { code?: string; message?: string } } | undefined;
    if (r?.ok === true) continue;
    if (!r?.error?.code || !answers.has(r.error.code)) {
      v.push(`${inv.label} (${inv.admin!.action}) answered ${JSON.stringify(r)}`);
    }
  }
  const k = keysFor(tenant.inst.cloudId);
  const stored = w.stored(tenant);
  if (!stored.has(k.done('AUTO_24H'))) v.push(`AUTO_24H is not stored after faults stopped`);
  const windowClosed = w.now >= tenant.installedAt + SCHEDULER.auto24hAfterMs;
  if (!stored.has(k.done('AUTO_12H')) && !windowClosed) v.push(`AUTO_12H is not stored, and its window is open`);
}

export function adminViolations(w: FaultWorld): string[] {
  const v: string[] = [];
  checkResponses(w, v);
  checkTenantKeys(w, v);
  for (const tenant of w.tenants) {
    checkFailedReads(w, tenant, v);
    checkOncePerEpoch(w, tenant, v);
    checkDoneWithReport(w, tenant, v);
    checkResetsStand(w, tenant, v);
    checkHistoryEntries(w, tenant, v);
    checkNothingWedges(w, tenant, v);
  }
  return v;
}

/**
 * Safety alone, for histories on hosts whose clocks are off by up to an hour and
 * invocations no timeout stops: at most one committed report per trigger per epoch,
 * never a DONE key without its report (or the reverse), an accepted Reset never
 * undone, a history that loses and orphans nothing, and no key of another site.
 * Liveness bounds assume the clocks SCHEDULER.maxClockSkewMs allows, so they are not
 * judged here; safety assumes nothing about clocks or timeouts.
 */
export function adminSafetyViolations(w: FaultWorld): string[] {
  const v: string[] = [];
  checkTenantKeys(w, v);
  for (const tenant of w.tenants) {
    checkOncePerEpoch(w, tenant, v);
    checkDoneWithReport(w, tenant, v);
    checkResetsStand(w, tenant, v);
    checkHistoryEntries(w, tenant, v);
  }
  return v;
}
