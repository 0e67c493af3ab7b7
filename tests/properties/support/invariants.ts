import { nextAttemptAt, SCHEDULER_BACKOFF } from '../../../src/scheduled/backoff';
import { SCHEDULER } from '../../../src/scheduled/config';
import { windowOf } from '../../../src/scheduled/decisions';
import { SchedulerReason } from '../../../src/scheduled/phase5_scheduler';
import { parseRecord, parseState } from '../../../src/scheduled/scheduler_state';
import type { AutoTrigger } from '../../../src/storage/keys';
import { CallRecord, FaultWorld, InvocationRecord, isWrite, keysFor, parseBody, Tenant, TRIGGERS } from './fault_world';
import { describeDuration, INTERVAL_MS } from './history';

/**
 * What must hold after every history, checked from what the seam saw and what
 * KVS holds. Each check returns plain-language violations, so that a failing
 * property reads as a list of broken promises next to the shrunk history.
 */

const REASONS: ReadonlySet<SchedulerReason> = new Set<SchedulerReason>([
  'TENANT_CONTEXT_UNAVAILABLE',
  'TENANT_CONTEXT_MISMATCH',
  'INSTALLATION_TIMESTAMP_UNAVAILABLE',
  'NO_TRIGGER_DUE',
  'DONE_KEY_EXISTS',
  'BACKOFF_ACTIVE',
  'CLAIM_HELD',
  'GENERATED',
  'GENERATION_FAILED',
  'STORAGE_UNAVAILABLE',
  'SCHEDULER_ERROR',
  'WAKE_UP_SUPERSEDED',
]);

const delayAfter = (attempt: number) => SCHEDULER_BACKOFF.delayAfter(attempt);
/** When failure #attempt at `failedAt` lets the trigger be tried again: the ladder, bounded by the trigger's window. */
const nextAfter = (tenant: Tenant, t: AutoTrigger, failedAt: number, attempt: number) =>
  nextAttemptAt(SCHEDULER_BACKOFF, failedAt, attempt, windowOf(t, tenant.installedAt));
const iso = (ms: number) => new Date(ms).toISOString();
const ok = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;

export function schedulerRuns(w: FaultWorld, tenant?: Tenant): InvocationRecord[] {
  return w.invocations.filter(
    (i) => i.phase !== 'install' && !i.admin && (!tenant || i.cloudId === tenant.inst.cloudId),
  );
}

/** Transactions KVS applied that carry a trigger's DONE key: the commits. */
export function commitsOf(w: FaultWorld, tenant: Tenant, trigger: AutoTrigger): CallRecord[] {
  const done = keysFor(tenant.inst.cloudId).done(trigger);
  return w.calls.filter((c) => c.op === 'transaction' && c.served && ok(c.serviceStatus) && c.keys.includes(done));
}

export function valueIn(call: CallRecord, key: string): unknown {
  const body = call.body as { key?: string; value?: unknown; set?: Array<{ key: string; value: unknown }> };
  if (body?.key === key) return body.value;
  return body?.set?.find((s) => s.key === key)?.value;
}

/** Transactions KVS applied that moved a trigger's ledger record, each with the record as it left it. */
export function recordMoves(w: FaultWorld, tenant: Tenant, trigger: AutoTrigger | 'MANUAL') {
  const key = keysFor(tenant.inst.cloudId).record(trigger);
  return w.calls
    .filter((c) => c.op === 'transaction' && c.served && ok(c.serviceStatus))
    .map((c) => ({ call: c, value: valueIn(c, key) as Record<string, unknown> | undefined }))
    .filter((m): m is { call: CallRecord; value: Record<string, unknown> } => m.value !== undefined);
}

export interface ClaimCreated {
  attempt: number;
  epoch: number;
  servedSeq: number;
  claimedAt: number;
  leaseExpiresAt: number;
  at: number;
  by: string;
}

/**
 * Attempts that started: transactions KVS applied that moved a trigger's record to `held`
 * with its holder's word that generation starts (the claim itself, which carries none, is
 * an attempt only once that lands; a claim released without it counts nothing and its
 * number is taken again), by attempt number (the epoch the record names as well, since a
 * Reset numbers afresh). `which: 'claims'`: every move to `held`, started or not.
 */
export function claimsOf(
  w: FaultWorld,
  tenant: Tenant,
  trigger: AutoTrigger,
  which: 'started' | 'claims' = 'started',
): ClaimCreated[] {
  const out: ClaimCreated[] = [];
  for (const { call, value } of recordMoves(w, tenant, trigger)) {
    const r = parseRecord(value, trigger);
    if (!r || r.status !== 'held' || !r.claim) continue;
    if (which === 'started' && r.claim.generationStartedAt === null) continue;
    out.push({
      attempt: r.progress.attemptCount,
      epoch: r.progress.epoch,
      servedSeq: call.servedSeq ?? -1,
      claimedAt: r.claim.claimedAt,
      leaseExpiresAt: r.claim.leaseExpiresAt,
      at: call.at,
      by: call.invocation,
    });
  }
  return out.sort((a, b) => a.servedSeq - b.servedSeq);
}

// ---------------------------------------------------------------------------

/** The handler never throws and always returns a response Forge accepts. */
export function checkResponses(w: FaultWorld, v: string[]): void {
  for (const inv of schedulerRuns(w)) {
    if (inv.thrown !== undefined) {
      v.push(`${inv.label} threw: ${String((inv.thrown as Error)?.message ?? inv.thrown)}`);
      continue;
    }
    if (inv.killed) continue;
    const retry = inv.response as { _retry?: unknown; retryOptions?: { retryAfter?: unknown } } | undefined;
    if (inv.source === 'wake-up' && retry?._retry === true) {
      // A consumer's InvocationError: Forge delivers the event again after retryAfter (1..900 s).
      const after = retry.retryOptions?.retryAfter;
      if (typeof after !== 'number' || after < 1 || after > 900)
        v.push(`${inv.label} asked for a retry Forge would not make: ${JSON.stringify(retry)}`);
      continue;
    }
    const r = inv.response as { statusCode?: unknown; body?: unknown; headers?: unknown };
    if (
      typeof r?.statusCode !== 'number' ||
      !Number.isInteger(r.statusCode) ||
      r.statusCode < 100 ||
      r.statusCode > 599
    ) {
      v.push(`${inv.label} returned no valid statusCode: ${JSON.stringify(r)}`);
      continue;
    }
    const body = parseBody(r);
    if (!body || !REASONS.has(body.reason as SchedulerReason)) {
      v.push(`${inv.label} returned a body that is not a JSON outcome: ${String(r.body)}`);
      continue;
    }
    if (body.cloud_id !== undefined && body.cloud_id !== inv.cloudId) {
      v.push(`${inv.label} (site ${inv.cloudId}) answered for site ${JSON.stringify(body.cloud_id)}`);
    }
  }
}

/** At most one commit per trigger; DONE only with its report, both from that one commit. */
function checkExactlyOnce(w: FaultWorld, tenant: Tenant, v: string[]): void {
  const k = keysFor(tenant.inst.cloudId);
  const stored = w.stored(tenant);
  for (const t of TRIGGERS) {
    const commits = commitsOf(w, tenant, t);
    if (commits.length > 1) {
      v.push(
        `${t} committed ${commits.length} times: ${commits.map((c) => `${c.invocation} at ${iso(c.at)}`).join(', ')}`,
      );
    }
    const hasDone = stored.has(k.done(t));
    const report = stored.get(k.report(t)) as Record<string, unknown> | undefined;
    if (hasDone && report === undefined) v.push(`${t}: DONE key stored without its report`);
    if (!hasDone && report !== undefined) v.push(`${t}: report stored without its DONE key`);
    if (commits.length === 1 && report !== undefined) {
      const committed = valueIn(commits[0], k.report(t));
      if (JSON.stringify(committed) !== JSON.stringify(report)) v.push(`${t}: stored report is not the one committed`);
      const marker = stored.get(k.done(t)) as Record<string, unknown> | undefined;
      if (!w.doneCorrupted && (marker?.attempt !== report.attempt || marker?.generated_at !== report.generated_at)) {
        v.push(
          `${t}: DONE marker (attempt ${String(marker?.attempt)}) and report (attempt ${String(report.attempt)}) disagree`,
        );
      }
    }
    if (report !== undefined) {
      const generatedAt = Date.parse(String(report.generated_at));
      const due = tenant.installedAt + (t === 'AUTO_12H' ? SCHEDULER.auto12hAfterMs : SCHEDULER.auto24hAfterMs);
      const late =
        t === 'AUTO_12H' ? tenant.installedAt + SCHEDULER.auto24hAfterMs + SCHEDULER.functionTimeoutMs : Infinity;
      if (report.cloud_id !== tenant.inst.cloudId || report.trigger !== t)
        v.push(`${t}: report names ${String(report.cloud_id)}/${String(report.trigger)}`);
      if (report.installation_timestamp !== iso(tenant.installedAt))
        v.push(`${t}: report measured from ${String(report.installation_timestamp)}`);
      if (!(generatedAt >= due && generatedAt < late))
        v.push(`${t}: report generated at ${String(report.generated_at)}, outside its window`);
    }
  }
  // A GENERATED answer is a promise that the report is stored. One exception the app cannot see: a
  // call KVS refused whose reply a gateway turned into a 2xx (garbled or partial) looks exactly like a
  // success, and a transaction's 2xx carries nothing to tell them apart. An invocation told that about
  // its claim and then about its commit (both refused by their conditions) believes it committed; only a
  // read after the commit would tell, a fifth request on every generating run (issue 24 item 7), and its
  // commit, conditional on a claim that never landed, stored nothing, so it is held to safety alone.
  const toldRefusalWasSuccess = (inv: InvocationRecord) =>
    inv.calls.some(
      (c) =>
        (c.action === 'garbled-2xx' || c.action === 'partial-2xx') &&
        c.serviceStatus !== undefined &&
        (c.serviceStatus < 200 || c.serviceStatus >= 300),
    );
  for (const inv of schedulerRuns(w, tenant)) {
    const body = parseBody(inv.response);
    if (body?.reason !== 'GENERATED' || toldRefusalWasSuccess(inv)) continue;
    const t = body.trigger as AutoTrigger;
    const mine = commitsOf(w, tenant, t).find((c) => c.invocation === inv.label);
    const attempt = mine && (valueIn(mine, k.report(t)) as { attempt?: number })?.attempt;
    if (!mine || attempt !== body.attempt)
      v.push(`${inv.label} answered GENERATED ${t} #${String(body.attempt)} without committing it`);
  }
}

/**
 * Every state the handler writes parses and keeps the backoff ladder, and never
 * counts more attempts than claims exist; the stored one parses once faults stop.
 */
function checkStateWrites(w: FaultWorld, tenant: Tenant, v: string[]): void {
  const key = keysFor(tenant.inst.cloudId).state;
  const claims = {
    AUTO_12H: claimsOf(w, tenant, 'AUTO_12H', 'claims'),
    AUTO_24H: claimsOf(w, tenant, 'AUTO_24H', 'claims'),
  };
  for (const c of w.calls) {
    // Writes that landed: a transaction refused by its conditions wrote nothing.
    if (!isWrite(c.op) || !c.keys.includes(key) || !c.served || !ok(c.serviceStatus)) continue;
    const parsed = parseState(valueIn(c, key), c.at + SCHEDULER.maxClockDisagreementMs);
    if (!parsed.ok) {
      v.push(`${c.invocation} wrote a state that does not parse (${parsed.reason})`);
      continue;
    }
    for (const t of TRIGGERS) {
      const p = parsed.value.triggers[t];
      // A claim's transaction writes the state too: it counts for the state it writes.
      // Numbers are taken again after a claim released unstarted, so: the highest number claimed.
      const created = Math.max(
        0,
        ...claims[t].filter((x) => x.servedSeq < c.seq || x.servedSeq === c.servedSeq).map((x) => x.attempt),
      );
      if (p.attemptCount > created)
        v.push(`${c.invocation} wrote ${t} attempt count ${p.attemptCount} with only ${created} claim(s) made`);
      if (p.backoffUntil === null) continue;
      if (!p.lastError || p.backoffUntil !== nextAfter(tenant, t, p.lastError.at, p.lastError.attempt)) {
        v.push(
          `${c.invocation} wrote ${t} backoff until ${iso(p.backoffUntil)}, not ${p.lastError ? iso(nextAfter(tenant, t, p.lastError.at, p.lastError.attempt)) : 'a ladder step'} after failure #${p.lastError?.attempt ?? '?'}`,
        );
      } else if (p.attemptCount < p.lastError.attempt) {
        v.push(
          `${c.invocation} wrote ${t} attempt count ${p.attemptCount} below its failed attempt #${p.lastError.attempt}`,
        );
      }
    }
  }
  const final = parseState(w.stored(tenant).get(key), w.now);
  if (!final.ok) v.push(`stored state does not parse after faults stopped (${final.reason})`);
}

/**
 * A batch answer that leaves keys out is made whole by reading each of them on its own;
 * it counts as a read only if, before the first write, every requested key but the one
 * the spoiled answer kept was read again with a `get` that passed.
 */
function madeWhole(read: CallRecord, calls: readonly CallRecord[]): boolean {
  if (read.action !== 'partial-2xx') return false;
  const firstWrite = calls.findIndex((c) => isWrite(c.op));
  const before = firstWrite < 0 ? calls : calls.slice(0, firstWrite);
  // A stall only delays the answer, and a partial-2xx fault leaves a non-2xx answer (404:
  // absent) as it was, so those reads stand too.
  const answered = (c: CallRecord) =>
    c.action === 'pass' ||
    (c.action === 'stall' && c.served) ||
    (c.action === 'partial-2xx' && (c.serviceStatus ?? 200) >= 300);
  const reread = new Set(before.filter((c) => c.op === 'get' && answered(c)).flatMap((c) => c.keys));
  return read.keys.filter((k) => !reread.has(k)).length <= 1;
}

/**
 * A read that failed and was sent again, the same keys, answered before the first write:
 * the decision rests on the answer, not the failure (the upgrade's reads are retried).
 */
function readAgain(read: CallRecord, calls: readonly CallRecord[]): boolean {
  const at = calls.indexOf(read);
  const firstWrite = calls.findIndex((c) => isWrite(c.op));
  const after = calls.slice(at + 1, firstWrite < 0 ? calls.length : firstWrite);
  const same = (c: CallRecord) => c.op === read.op && c.keys.join('\u0000') === read.keys.join('\u0000');
  return after.some((c) => same(c) && (c.action === 'pass' || (c.action === 'stall' && c.served)));
}

/** A failed read is never "absent": nothing is claimed or written after a failed batch read, or on corrupt evidence. */
export function checkFailedReads(w: FaultWorld, tenant: Tenant, v: string[]): void {
  const spells = w.evidenceCorrupt.filter((s) => s.cloudId === tenant.inst.cloudId);
  for (const inv of schedulerRuns(w, tenant)) {
    const launched = w.invocations.indexOf(inv);
    const firstWrite = inv.calls.findIndex((c) => isWrite(c.op));
    const writes = inv.calls.filter((c) => isWrite(c.op));
    // The reads a decision rests on: the state, then (when something may be due) the batch of the rest.
    const reads = (firstWrite < 0 ? inv.calls : inv.calls.slice(0, firstWrite)).filter(
      (c) => c.op === 'get' || c.op === 'batch/get',
    );
    const failed = reads.find(
      (read) =>
        read.action !== 'pass' &&
        read.action !== 'stall' &&
        read.action !== 'crash' &&
        !(read.op === 'batch/get' && madeWhole(read, inv.calls)) &&
        !readAgain(read, inv.calls) &&
        !(read.action === 'partial-2xx' && (read.serviceStatus ?? 200) >= 300),
    );
    if (failed && writes.length > 0) {
      v.push(
        `${inv.label}: its ${failed.op} read failed (${failed.action}) yet it went on to write ${writes.map((c) => c.keys.join('+')).join(', ')}`,
      );
    }
    if (spells.some((s) => launched >= s.from && launched < s.to) && writes.length > 0) {
      v.push(`${inv.label}: evidence was corrupt, yet it wrote ${writes.map((c) => c.keys.join('+')).join(', ')}`);
    }
  }
}

/**
 * Attempts are numbered 1..n without gaps, and attempt k+1 never starts before attempt k's
 * backoff has run (the window-bounded step is non-decreasing in the failure time, and a
 * failure comes after its claim, so the step from the claim is a lower bound).
 */
function checkLadder(w: FaultWorld, tenant: Tenant, v: string[]): void {
  for (const t of TRIGGERS) {
    const claims = claimsOf(w, tenant, t);
    const first = claims[0]?.attempt ?? 1;
    claims.forEach((c, i) => {
      if (c.attempt !== first + i)
        v.push(`${t}: claims are not numbered on by one (${claims.map((x) => x.attempt).join(',')})`);
      if (i === 0) return;
      const prev = claims[i - 1];
      const earliest = nextAfter(tenant, t, prev.claimedAt, prev.attempt);
      if (c.claimedAt < earliest) {
        v.push(
          `${t}: attempt #${c.attempt} (${c.by}) started ${describeDuration(c.claimedAt - prev.claimedAt)} after #${prev.attempt}, inside its backoff (${iso(earliest)} at the earliest)`,
        );
      }
    });
  }
  for (const inv of schedulerRuns(w, tenant)) {
    const body = parseBody(inv.response);
    if (body?.reason !== 'GENERATION_FAILED') continue;
    const t = body.trigger as AutoTrigger;
    const attempt = Number(body.attempt);
    const next = Date.parse(String(body.next_eligible_at));
    // Some instant inside the invocation failed, and the backoff follows from it.
    const from = nextAfter(tenant, t, inv.startedAt, attempt);
    const to = nextAfter(tenant, t, inv.endedAt ?? Infinity, attempt);
    if (!(next >= from && next <= to)) {
      v.push(
        `${inv.label}: failure #${String(body.attempt)} backs off until ${String(body.next_eligible_at)}, not ${describeDuration(delayAfter(attempt))} (bounded by its window) after it failed`,
      );
    }
  }
}

/**
 * Once faults stop at T, a trigger is done by max(T, when it becomes eligible) plus one
 * interval, where "eligible" is the end of its recorded backoff, or for an attempt
 * nobody recorded (holder killed, state lost), the end of that claim's lease plus
 * its backoff; and never later than 24 h + lease + one interval after max(T, due).
 * AUTO_12H may instead be missed, recorded as such, when that instant falls after
 * its window closes at 24 h.
 */
function checkLiveness(w: FaultWorld, tenant: Tenant, v: string[]): void {
  const T = w.faultsStoppedAt;
  const atT = w.storedAtFaultStop.get(tenant.inst.cloudId) ?? new Map<string, unknown>();
  const stateAtT = parseState(atT.get(keysFor(tenant.inst.cloudId).state), T);
  const finalState = parseState(w.stored(tenant).get(keysFor(tenant.inst.cloudId).state), w.now);
  for (const t of TRIGGERS) {
    const due = tenant.installedAt + (t === 'AUTO_12H' ? SCHEDULER.auto12hAfterMs : SCHEDULER.auto24hAfterMs);
    const commit = commitsOf(w, tenant, t)[0];
    if (commit && commit.at <= T) continue;
    const claims = claimsOf(w, tenant, t).filter((c) => c.at <= T);
    const n = claims.length;
    let eligible = due;
    let walk = 0;
    let basis = 'due';
    if (n > 0) {
      const p = stateAtT.ok ? stateAtT.value.triggers[t] : undefined;
      const recorded =
        p &&
        p.attemptCount === n &&
        p.lastError?.attempt === n &&
        p.backoffUntil === nextAfter(tenant, t, p.lastError.at, n);
      // An abandoned attempt fails when its lease ends. A claim whose record no longer says
      // when that is (corrupt) can only be counted failed from when a fault-free tick finds
      // it, and with the state lost the walk meets older claims first: so the newest lease
      // or that discovery, whichever is later, plus the newest attempt's step, plus one more
      // tick per five abandoned claims walked (the handler records at most five per run and
      // then stops, even when the last one's backoff has already passed).
      const recordAtT = w.recordsAtFaultStop.get(tenant.inst.cloudId)?.get(keysFor(tenant.inst.cloudId).record(t));
      const parsed = parseRecord(recordAtT, t);
      const unreadable =
        !parsed || (parsed.status === 'held' && parsed.claim?.leaseExpiresAt !== claims[n - 1].leaseExpiresAt);
      const abandonedAt = Math.max(claims[n - 1].leaseExpiresAt, unreadable ? T + INTERVAL_MS : 0);
      walk = recorded ? 0 : Math.floor(n / 5) * INTERVAL_MS;
      eligible = Math.max(due, recorded ? p.backoffUntil! : nextAfter(tenant, t, abandonedAt, n));
      basis = recorded
        ? `recorded backoff after #${n}`
        : `${unreadable ? 'discovery' : 'lease'} of abandoned #${n} + ${describeDuration(delayAfter(n))}`;
    }
    const bound = Math.max(T, eligible) + INTERVAL_MS + walk;
    const cap = Math.max(T, due) + SCHEDULER_BACKOFF.maxDelayMs + SCHEDULER.claimLeaseMs + INTERVAL_MS;
    const windowEnd = t === 'AUTO_12H' ? tenant.installedAt + SCHEDULER.auto24hAfterMs : Infinity;
    const doneAt = commit?.at;
    const missed = finalState.ok && finalState.value.triggers[t].missedAt !== null;
    if (doneAt === undefined) {
      if (bound >= windowEnd && missed) continue;
      v.push(`${t} never stored after faults stopped at ${iso(T)} (owed by ${iso(Math.min(bound, cap))}; ${basis})`);
      continue;
    }
    if (doneAt > cap)
      v.push(`${t} stored at ${iso(doneAt)}, later than 24 h + lease + interval after ${iso(Math.max(T, due))}`);
    else if (doneAt > bound && bound < windowEnd)
      v.push(`${t} stored at ${iso(doneAt)}, after its bound ${iso(bound)} (${basis})`);
  }
}

/** Every key in every KVS request names the invoking site, and no other. */
export function checkTenantKeys(w: FaultWorld, v: string[]): void {
  const ids = w.tenants.map((t) => t.inst.cloudId);
  for (const c of w.calls) {
    for (const key of c.keys) {
      const foreign = ids.filter((id) => id !== c.cloudId && key.includes(id));
      if (!key.includes(c.cloudId) || foreign.length > 0)
        v.push(`${c.invocation} (site ${c.cloudId}) touched ${key} with ${c.op}`);
    }
  }
}

export function violations(w: FaultWorld): string[] {
  const v: string[] = [];
  checkResponses(w, v);
  checkTenantKeys(w, v);
  for (const tenant of w.tenants) {
    const own: string[] = [];
    checkExactlyOnce(w, tenant, own);
    checkStateWrites(w, tenant, own);
    checkFailedReads(w, tenant, own);
    checkLadder(w, tenant, own);
    checkLiveness(w, tenant, own);
    v.push(...own.map((line) => (w.tenants.length > 1 ? `[site ${tenant.inst.cloudId.slice(0, 4)}] ${line}` : line)));
  }
  return v;
}
