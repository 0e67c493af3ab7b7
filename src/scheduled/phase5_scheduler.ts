import { randomUUID } from 'node:crypto';
import { describeError, StorageReadError, StorageWriteError, WakeUpPushError } from '../errors';
import { handleAutoTrigger } from '../phase5/handle_auto_trigger';
import { keys } from '../storage';
import type { AutoTrigger } from '../storage/keys';
import { answeredStatus } from '../storage/kvs_store';
import { parseIsoInstant, toIso } from '../time';
import { SCHEDULER } from './config';
import {
  AUTO_TRIGGERS,
  backoffActive,
  decideDueTrigger,
  DoneMarker,
  DoneMarkers,
  FailureOutcome,
  generationStarted,
  LedgerRecord,
  nextActionableAt,
  SchedulerState,
  stateFromRecords,
  wakeUpDelaySeconds,
  wakeUpDeliveryRuns,
  wakeUpRetryAfterSeconds,
} from './decisions';
import * as ledger from './ledger';
import { ensureRecords } from './ledger_upgrade';
import { installationTimestampFrom, mirrorsLedger, parseState, StoredDoneMarker } from './scheduler_state';
import { resolveTenant, resolveWakeUpTenant, Tenant } from './tenant';
import { pushWakeUp, retryLaterResponse, RetryLaterResponse, WakeUpBody, wakeUpRetryOf } from './wake_up_queue';

/**
 * The Phase-5 scheduler, run by a Forge scheduled trigger every interval
 * (SCHEDULER.interval) and by wake-up events timed for the instants a tick
 * would reach late. Both enter the same path: the integration guide's nine
 * steps, one named function each, read top to bottom in `nineSteps`. Who
 * generates and who commits is decided by the ledger (ledger.ts): every claim
 * and every commit is a transaction conditional on the claim record as read, so
 * a second stored report for a trigger is impossible however many ticks and
 * wake-ups arrive at once, and whatever their hosts' clocks say
 * (SCHEDULER_HARDENING_DESIGN.md §4).
 *
 * An idle invocation reads one key, the state, which mirrors the ledger and caches
 * the installation time; the evidence, the DONE key and the records are read (in
 * one request) only when the state says a report is due.
 *
 * Forge never retries a throw, so this function never throws: every outcome,
 * expected or not, becomes a response.
 */

export type SchedulerReason =
  | 'TENANT_CONTEXT_UNAVAILABLE'
  | 'TENANT_CONTEXT_MISMATCH'
  | 'INSTALLATION_TIMESTAMP_UNAVAILABLE'
  | 'NO_TRIGGER_DUE'
  | 'DONE_KEY_EXISTS'
  | 'BACKOFF_ACTIVE'
  | 'CLAIM_HELD'
  | 'GENERATED'
  | 'GENERATION_FAILED'
  | 'STORAGE_UNAVAILABLE'
  | 'SCHEDULER_ERROR'
  | 'WAKE_UP_SUPERSEDED';

/** What the handler reports; serialised as the JSON body of the response. */
export interface SchedulerOutcome {
  reason: SchedulerReason;
  message: string;
  error_code?: string;
  cloud_id?: string;
  trigger?: AutoTrigger;
  attempt?: number;
  next_eligible_at?: string | null;
}

/** The shape Forge documents for a scheduled trigger's return value (anything else is recorded as a 424). */
export interface SchedulerResponse {
  statusCode: number;
  statusText: string;
  headers: Record<string, string[]>;
  body: string;
}

export interface SchedulerLog {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

export interface SchedulerDeps {
  now: () => number;
  log: SchedulerLog;
  newInvocationId: () => string;
  /** Pushes a wake-up event (resolves with its job id); throws WakeUpPushError when it may not have gone out. */
  pushWakeUp: (body: WakeUpBody, delayInSeconds: number) => Promise<string>;
}

const defaultDeps: SchedulerDeps = {
  now: () => Date.now(),
  log: { info: (l) => console.log(l), warn: (l) => console.warn(l), error: (l) => console.error(l) },
  newInvocationId: () => randomUUID(),
  pushWakeUp,
};

/** What started an invocation: a scheduled tick, or a wake-up event pushed by an earlier invocation. */
export type SchedulerSource = 'tick' | 'wake-up';

/** What the path knew last about the installation: enough to tell when to look again. */
interface Known {
  installedAt: number;
  state: SchedulerState;
  done: DoneMarkers;
}

const TAG = '[Phase5Scheduler]';

const NO_DONE: DoneMarkers = { AUTO_12H: null, AUTO_24H: null };

function respond(statusCode: number, outcome: SchedulerOutcome): SchedulerResponse {
  return {
    statusCode,
    statusText: outcome.reason,
    headers: { 'Content-Type': ['application/json'] },
    body: JSON.stringify(outcome),
  };
}

function doneFlags(state: SchedulerState, done: DoneMarkers): string {
  const flag = (t: AutoTrigger) => done[t] !== null || state.triggers[t].generatedAt !== null;
  return `auto_12h_done=${flag('AUTO_12H')}, auto_24h_done=${flag('AUTO_24H')}`;
}

/** The triggers' progress with nothing generated and nothing missed: what is due by the clock alone. */
function blankTriggers(state: SchedulerState): SchedulerState['triggers'] {
  const blank = (t: AutoTrigger) => ({ ...state.triggers[t], generatedAt: null, missedAt: null });
  return { AUTO_12H: blank('AUTO_12H'), AUTO_24H: blank('AUTO_24H') };
}

/** A response, or what the next step needs. */
type Step<T> = { respond: SchedulerResponse } | { next: T };
const stop = (response: SchedulerResponse) => ({ respond: response });
const go = <T>(next: T) => ({ next });

/** What one invocation knows as it goes; the wake-up decision reads it at the end. */
interface Path {
  cloudId: string;
  /** This invocation: every ledger record it moves names it. */
  by: string;
  known: Known | null;
  /** An unstarted claim another invocation holds: when its short lease ends, taken over then. */
  leaseEndsAt?: number;
}

/** The state as read (step 3): a mirror of the ledger, or something to rebuild from it. */
type StoredState =
  | { kind: 'mirror'; state: SchedulerState & { installedAt: number }; raw: unknown }
  | { kind: 'rebuild'; why: string; raw: unknown };

/** What step 5 establishes: the evidence, the DONE keys and the records, authoritative. */
interface Authoritative {
  installedAt: number;
  records: ledger.Records;
  done: DoneMarkers;
  report12?: { value: unknown };
  state: SchedulerState;
  /** The stored state does not mirror these records; written by the next transition, or on its own. */
  stateStale: boolean;
  lastRunAt: number | null;
  /** Which triggers the stored state already knew were done (a DONE key it did not know stops generation). */
  knewDone: Record<AutoTrigger, boolean>;
}

export function createPhase5Scheduler(deps: SchedulerDeps = defaultDeps) {
  const { log } = deps;

  /**
   * After the path: if the next instant something can be done comes before the
   * next tick, push a wake-up for it. Decided from what the path already read
   * and wrote, so it costs no KVS request; a tick with nothing due before the
   * next tick pushes nothing. A failed push is logged and otherwise ignored: the
   * next tick reaches the instant anyway, up to one interval late.
   */
  async function scheduleWakeUp(cloudId: string, known: Known | null, leaseEndsAt?: number): Promise<void> {
    const now = deps.now();
    const actionable = known && nextActionableAt(known.installedAt, now, known.state, known.done);
    const lease = leaseEndsAt !== undefined && leaseEndsAt > now ? leaseEndsAt + 1000 : null;
    const wakeAt = actionable === null || actionable === undefined ? lease : Math.min(actionable, lease ?? Infinity);
    const delay = wakeUpDelaySeconds(wakeAt, now, SCHEDULER.intervalMs);
    if (wakeAt === null || delay === null) return;
    await push({ cloud_id: cloudId, wake_at: toIso(wakeAt) }, delay, `next action at ${toIso(wakeAt)}`);
  }

  /**
   * After a tick that storage refused (503): one wake-up, SCHEDULER.storageRetryMs on.
   * Nothing was decided, so nothing says when to look again; without it the next look
   * would be the next tick, an hour on. The wake-up, if refused too, asks Forge for one
   * retries 15 minutes apart (its body says so), and the chain ends there: the next tick
   * comes before a fourth look would (SCHEDULER_HARDENING_DESIGN.md §4.4). Pushed
   * without reading storage, so a total outage costs no more than this.
   */
  async function scheduleStorageRetry(cloudId: string): Promise<void> {
    const now = deps.now();
    const wakeAt = now + SCHEDULER.storageRetryMs;
    const delay = wakeUpDelaySeconds(wakeAt, now, SCHEDULER.intervalMs);
    if (delay === null) return;
    await push({ cloud_id: cloudId, wake_at: toIso(wakeAt), storage_retry: true }, delay, 'storage refused this tick');
  }

  async function push(body: WakeUpBody, delay: number, why: string): Promise<void> {
    const cloudId = body.cloud_id;
    const wakeAt = body.wake_at;
    try {
      await deps.pushWakeUp(body, delay);
      log.info(`${TAG} Wake-up pushed for ${cloudId} in ${delay}s (${why})`);
    } catch (err) {
      const detail = err instanceof WakeUpPushError && err.cause ? `: ${describeError(err.cause)}` : '';
      log.warn(`${TAG} ${describeError(err)}${detail}; the next scheduled tick covers ${wakeAt}`);
    }
  }

  function logBackoff(f: FailureOutcome): void {
    log.warn(
      `${TAG} Backoff ${f.backoffMs}ms (${Math.round(f.backoffMs / 60_000)} minute(s)) applied; ` +
        `next eligible at ${toIso(f.nextEligibleAt)}`,
    );
  }

  // -------------------------------------------------------------------------
  // The nine steps.

  /** Step 1. Validate tenant identity (resolved by the entry point, tick or wake-up): fail closed, touch nothing. */
  function validateTenant(tenant: Tenant, source: SchedulerSource, wakeAtClaimed: unknown): Step<string> {
    if (!tenant.ok) {
      log.error(`${TAG} FAIL_CLOSED: Tenant identity unavailable (${tenant.detail})`);
      return stop(respond(400, { reason: tenant.errorCode, error_code: tenant.errorCode, message: tenant.detail }));
    }
    // A wake-up's body says when it was meant for; that is for the log, never for a decision.
    const wakeNote =
      source === 'wake-up'
        ? ` (wake-up for ${typeof wakeAtClaimed === 'string' ? wakeAtClaimed.slice(0, 30).replace(/[^0-9A-Za-z:.+-]/g, '?') : 'an unstated instant'})`
        : '';
    log.info(`${TAG} Starting for cloudId: ${tenant.cloudId} at ${toIso(deps.now())}${wakeNote}`);
    return go(tenant.cloudId);
  }

  /**
   * Steps 2 and 3. Load the scheduler state, which carries the installation time the
   * Phase-4 evidence recorded: the one KVS request an idle invocation makes. A state
   * that is not a mirror of the ledger (absent, invalid, an earlier version's) is
   * rebuilt from the records once they are read (step 5).
   */
  async function loadState(p: Path, now: number): Promise<StoredState> {
    const raw = await ledger.readState(p.cloudId);
    if (raw === undefined) return { kind: 'rebuild', why: 'no state is stored', raw };
    const parsed = parseState(raw, now);
    if (!parsed.ok) {
      log.warn(`${TAG} Scheduler state for ${p.cloudId} is invalid (${parsed.reason}); rebuilding it from the ledger`);
      return { kind: 'rebuild', why: parsed.reason, raw };
    }
    if (!mirrorsLedger(raw) || parsed.value.installedAt === null) {
      return { kind: 'rebuild', why: "the state is an earlier version's", raw };
    }
    return { kind: 'mirror', state: parsed.value as SchedulerState & { installedAt: number }, raw };
  }

  /**
   * Step 4, from the state alone. Nothing due, or due but backing off: the answer
   * needs no other read. Due (or a 12 h window just closed): step 5 reads what is
   * authoritative. The DONE keys are authoritative whenever the state says a report
   * is due; the state says what is done only in between.
   */
  function decideFromState(p: Path, stored: StoredState, now: number): Step<AutoTrigger | null> {
    if (stored.kind !== 'mirror') return go(null);
    const { state } = stored;
    p.known = { installedAt: state.installedAt, state, done: NO_DONE };
    const due = decideDueTrigger(state.installedAt, now, state, NO_DONE);
    if (due.newlyMissed) return go(due.due);
    if (due.due === null) {
      log.info(`${TAG} No trigger due for ${p.cloudId}; ${doneFlags(state, NO_DONE)}`);
      return stop(noTriggerDue(p, due.nextDueAt));
    }
    if (backoffActive(state.triggers[due.due], now)) return stop(backingOff(p, due.due, state));
    return go(due.due);
  }

  function noTriggerDue(p: Path, nextDueAt: number | null): SchedulerResponse {
    return respond(200, {
      reason: 'NO_TRIGGER_DUE',
      message: 'No trigger due',
      cloud_id: p.cloudId,
      next_eligible_at: nextDueAt === null ? null : toIso(nextDueAt),
    });
  }

  function backingOff(p: Path, trigger: AutoTrigger, state: SchedulerState, message?: string): SchedulerResponse {
    const until = state.triggers[trigger].backoffUntil!;
    log.info(`${TAG} ${trigger} in backoff for ${p.cloudId} until ${toIso(until)}`);
    return respond(200, {
      reason: 'BACKOFF_ACTIVE',
      message: message ?? `${trigger} is backing off`,
      cloud_id: p.cloudId,
      trigger,
      attempt: state.triggers[trigger].attemptCount,
      next_eligible_at: toIso(until),
    });
  }

  /**
   * Step 5 (and step 2 again). Read, in one request, what is authoritative once
   * something may be due: the Phase-4 evidence, the DONE keys, both ledger records
   * (created here if the installation has none yet: ledger_upgrade.ts) and, for the
   * 24 h report, the 12 h one it compares with.
   */
  async function readAuthoritative(
    p: Path,
    stored: StoredState,
    dueByState: AutoTrigger | null,
    now: number,
    /** This is the read again after a record was rebuilt or created; never a third. */
    again = false,
  ): Promise<Step<Authoritative>> {
    const doneWanted: AutoTrigger[] =
      dueByState === null || stored.kind !== 'mirror'
        ? [...AUTO_TRIGGERS]
        : dueByState === 'AUTO_24H' && stored.state.triggers.AUTO_12H.generatedAt === null
          ? ['AUTO_12H', 'AUTO_24H']
          : [dueByState];
    const snapshot = await ledger.readSnapshot(
      p.cloudId,
      { done: doneWanted, report12: dueByState !== 'AUTO_12H' },
      now,
    );
    const installation = installationTimestampFrom(snapshot.evidence, now);
    if (!installation.ok) {
      const why = { MISSING: 'not found', INVALID: 'not a valid ISO-8601 instant', IN_FUTURE: 'in the future' };
      log.warn(`${TAG} FAIL_CLOSED: Installation timestamp ${why[installation.reason]} for ${p.cloudId}`);
      return stop(
        respond(200, {
          reason: 'INSTALLATION_TIMESTAMP_UNAVAILABLE',
          message: 'Installation timestamp not available',
          error_code: `INSTALLATION_TIMESTAMP_${installation.reason}`,
          cloud_id: p.cloudId,
        }),
      );
    }
    const { installedAt } = installation;
    const done: DoneMarkers = { AUTO_12H: snapshot.done.AUTO_12H ?? null, AUTO_24H: snapshot.done.AUTO_24H ?? null };
    const unreadable = AUTO_TRIGGERS.find((t) => snapshot.records[t] === 'unreadable');
    if (unreadable) {
      // Rebuilt from what can be trusted (ledger.repairRecord), once, then read again.
      const raw = await ledger.readRaw(p.cloudId, unreadable);
      const repaired =
        !again &&
        (await ledger.repairRecord(p.cloudId, unreadable, raw, done[unreadable], p.by, now, {
          mirror: stored.kind === 'mirror' ? stored.state.triggers[unreadable] : undefined,
          installedAt,
        }));
      log.warn(
        `${TAG} ${unreadable} ledger record for ${p.cloudId} does not parse; ${repaired ? 'rebuilt' : 'not rebuilt'}`,
      );
      if (repaired) return readAuthoritative(p, stored, dueByState, now, true);
      log.error(`${TAG} ${unreadable} ledger record for ${p.cloudId} cannot be read; not generating`);
      return stop(
        respond(500, {
          reason: 'SCHEDULER_ERROR',
          error_code: 'LEDGER_RECORD_UNREADABLE',
          message: `${unreadable}'s ledger record cannot be read, nor rebuilt from what can be trusted`,
          cloud_id: p.cloudId,
          trigger: unreadable,
        }),
      );
    }
    let records: ledger.Records;
    if (snapshot.records.AUTO_12H === null || snapshot.records.AUTO_24H === null) {
      const ensured = await ensureRecords({ cloudId: p.cloudId, now, by: p.by, stateRaw: stored.raw });
      if (ensured.kind === 'wait') {
        log.info(`${TAG} Records of ${p.cloudId} not moved to the ledger yet: ${ensured.reason}`);
        return stop(
          respond(200, {
            reason: 'CLAIM_HELD',
            message: `Upgrading the installation's records: ${ensured.reason} (${toIso(ensured.until)})`,
            cloud_id: p.cloudId,
            next_eligible_at: toIso(ensured.until),
          }),
        );
      }
      // Created just now: read again, so the DONE keys (and the 12 h report) are read after the records
      // exist; an earlier version's commit or Reset may have landed since the first read (§4.4).
      if (!again) return readAuthoritative(p, stored, dueByState, now, true);
      records = ensured.records;
    } else {
      records = snapshot.records as ledger.Records;
    }
    const lastRunAt = stored.kind === 'mirror' ? stored.state.lastRunAt : null;
    const state = stateFromRecords(records, installedAt, lastRunAt);
    const stateStale =
      stored.kind !== 'mirror' ||
      stored.state.installedAt !== installedAt ||
      AUTO_TRIGGERS.some((t) => stored.state.triggers[t].version !== records[t].version);
    const known: Known = { installedAt, state, done };
    p.known = known;
    const knew = (t: AutoTrigger) => stored.kind === 'mirror' && stored.state.triggers[t].generatedAt !== null;
    const knewDone = { AUTO_12H: knew('AUTO_12H'), AUTO_24H: knew('AUTO_24H') };
    return go({ installedAt, records, done, report12: snapshot.report12, state, stateStale, lastRunAt, knewDone });
  }

  function context(p: Path, a: Authoritative, trigger: AutoTrigger): ledger.AutoContext {
    return {
      cloudId: p.cloudId,
      trigger,
      records: a.records,
      installedAt: a.installedAt,
      lastRunAt: a.lastRunAt,
      by: p.by,
      now: deps.now(),
    };
  }

  /** After the records moved: what the wake-up decision sees. */
  function moved(p: Path, a: Authoritative, records: ledger.Records, done: DoneMarkers = a.done): Authoritative {
    const next = {
      ...a,
      records,
      done,
      state: stateFromRecords(records, a.installedAt, deps.now()),
      stateStale: false,
    };
    p.known = { installedAt: a.installedAt, state: next.state, done };
    return next;
  }

  /** A state that no longer mirrors the ledger is written again, on paths that move no record. */
  async function settleState(p: Path, a: Authoritative): Promise<void> {
    if (!a.stateStale) return;
    a.state = await ledger.rebuildState(p.cloudId, a.records, a.installedAt, deps.now());
    a.stateStale = false;
  }

  /**
   * Step 4 again, with what step 5 read: the due trigger, a 12 h window that closed
   * without a report recorded as missed; then step 5 itself: the DONE key (or the
   * record) says the trigger is done, and it is never generated again.
   */
  async function decideDue(
    p: Path,
    a: Authoritative,
    now: number,
  ): Promise<Step<{ a: Authoritative; trigger: AutoTrigger }>> {
    // DONE keys are authoritative: a record that did not know of one (written before the ledger) follows it.
    for (const t of AUTO_TRIGGERS) {
      const marker = a.done[t];
      if (marker === null || a.records[t].status === 'done') continue;
      const reconciled = await ledger.reconcileDone(context(p, a, t), marker);
      if (reconciled.kind === 'landed') a = moved(p, a, reconciled.records);
    }
    let due = decideDueTrigger(a.installedAt, now, a.state, a.done);
    if (due.newlyMissed && a.records[due.newlyMissed].status !== 'done') {
      log.warn(`${TAG} ${due.newlyMissed} window closed without a report for ${p.cloudId}; recorded as missed`);
      const recorded = await ledger.recordMissed(context(p, a, due.newlyMissed));
      if (recorded.kind === 'landed') a = moved(p, a, recorded.records);
      due = decideDueTrigger(a.installedAt, now, a.state, a.done);
    }
    // What is due by age alone: if that one is done, but the stored state did not know, the DONE key
    // (or the record) is what stopped it, and the answer says so.
    const byAge = decideDueTrigger(a.installedAt, now, { ...a.state, triggers: blankTriggers(a.state) }, NO_DONE).due;
    const trigger = due.due ?? (byAge !== null && !a.knewDone[byAge] ? byAge : null);
    if (trigger === null) {
      await settleState(p, a);
      log.info(`${TAG} No trigger due for ${p.cloudId}; ${doneFlags(a.state, a.done)}`);
      return stop(noTriggerDue(p, due.due === null && 'nextDueAt' in due ? due.nextDueAt : null));
    }
    const marker = a.done[trigger];
    const record = a.records[trigger];
    if (marker !== null || record.status === 'done' || record.progress.missedAt !== null) {
      await settleState(p, a);
      if (record.progress.missedAt !== null && marker === null && record.status !== 'done') {
        return stop(noTriggerDue(p, null));
      }
      log.info(`${TAG} ${trigger} DONE key exists for ${p.cloudId}; not generating`);
      return stop(
        respond(200, {
          reason: 'DONE_KEY_EXISTS',
          message: marker !== null ? `${trigger} already done` : `${trigger} already done (its ledger record is done)`,
          cloud_id: p.cloudId,
          trigger,
        }),
      );
    }
    return go({ a, trigger });
  }

  /** Step 6. Backoff, per trigger, as the trigger's record says. */
  async function checkBackoff(p: Path, a: Authoritative, trigger: AutoTrigger, now: number): Promise<Step<null>> {
    if (a.records[trigger].status !== 'idle' || !backoffActive(a.records[trigger].progress, now)) return go(null);
    await settleState(p, a);
    return stop(backingOff(p, trigger, a.state));
  }

  /**
   * Step 7a. Claim the attempt: one conditional transition on the trigger's record.
   * A holder whose lease has run out (by this clock) has its attempt recorded as
   * failed; that decides only when to stop waiting: its own commit is conditional
   * on the claim it took, which this moves on.
   */
  async function claimAttempt(
    p: Path,
    a: Authoritative,
    trigger: AutoTrigger,
  ): Promise<Step<{ a: Authoritative; held: LedgerRecord }>> {
    const outcome = await ledger.claim(context(p, a, trigger));
    const held = (message: string, attempt?: number) =>
      stop(respond(200, { reason: 'CLAIM_HELD', message, cloud_id: p.cloudId, trigger, attempt }));
    switch (outcome.kind) {
      case 'claimed': {
        const gave = outcome.abandonedAttempt;
        if (gave?.counted) {
          log.warn(
            `${TAG} ${trigger} generation failed (attempt #${gave.state.triggers[trigger].attemptCount}): did not finish within its lease`,
          );
        } else if (gave) {
          log.info(`${TAG} ${trigger} claim whose holder never started generating taken over; no attempt counted`);
        }
        return go({ a: moved(p, a, outcome.records), held: outcome.record });
      }
      case 'unsure':
        log.warn(
          `${TAG} ${trigger} claim for ${p.cloudId} may not have landed (${describeError(outcome.cause)}); ` +
            'generating anyway: the commit lands only if the claim did',
        );
        return go({ a: { ...a, records: outcome.records }, held: outcome.record });
      case 'held': {
        await settleState(p, a);
        if (!generationStarted(outcome.record) && outcome.record.claim)
          p.leaseEndsAt = outcome.record.claim.leaseExpiresAt;
        log.info(
          `${TAG} ${trigger} attempt #${outcome.record.progress.attemptCount} is being generated by another invocation for ${p.cloudId}`,
        );
        return held('Another invocation holds the claim', outcome.record.progress.attemptCount);
      }
      case 'backoff': {
        if (!outcome.abandonedAttempt) {
          await settleState(p, a);
          return stop(backingOff(p, trigger, a.state));
        }
        const f = outcome.abandonedAttempt;
        const attempt = f.record.progress.attemptCount;
        log.warn(`${TAG} ${trigger} generation failed (attempt #${attempt}): did not finish within its lease`);
        logBackoff(f);
        const next = moved(p, a, outcome.records!);
        return stop(backingOff(p, trigger, next.state, `${trigger} attempt #${attempt} was abandoned by its holder`));
      }
      case 'done':
        return stop(
          respond(200, { reason: 'DONE_KEY_EXISTS', message: `${trigger} already done`, cloud_id: p.cloudId, trigger }),
        );
      case 'lost':
        log.info(`${TAG} ${trigger} claim for ${p.cloudId} was moved by another invocation first`);
        return held('Another invocation moved the claim first');
      case 'refused':
        throw outcome.cause;
    }
  }

  /** Steps 7b to 9 for the holder: generate, commit, or record the failure. */
  async function generateAndCommit(
    p: Path,
    a: Authoritative,
    trigger: AutoTrigger,
    held: LedgerRecord,
  ): Promise<SchedulerResponse> {
    // Step 7b. Generate the report via handleAutoTrigger, the only generation path.
    const attempt = held.progress.attemptCount;
    log.info(`${TAG} Attempting ${trigger} generation for ${p.cloudId} (attempt #${attempt})`);
    const result = await handleAutoTrigger(trigger, {
      cloudId: p.cloudId,
      installedAt: a.installedAt,
      attempt,
      now: deps.now,
      deadlineAt: deps.now() + SCHEDULER.generationBudgetMs,
      ...(trigger === 'AUTO_24H' && a.report12 ? { twelveHourReport: a.report12 } : {}),
    });

    // Step 8. Write the DONE key (with its report and the state) if successful: one
    // transaction, conditional on this invocation's claim being still open and its own.
    let error: string;
    if (result.success) {
      const generatedAt = parseIsoInstant(result.report.generated_at) ?? deps.now();
      const reportKey = keys.report(p.cloudId, trigger);
      const marker: StoredDoneMarker = {
        status: 'done',
        generated_at: result.report.generated_at,
        attempt: result.report.attempt,
        epoch: held.progress.epoch,
        report_key: reportKey,
      };
      const committed = await ledger.commit(context(p, a, trigger), {
        set: [
          { key: reportKey, value: result.report },
          { key: keys.done(p.cloudId, trigger), value: marker },
        ],
        generatedAt,
      });
      if (committed.kind === 'committed') {
        const doneMarker: DoneMarker = { generatedAt, attempt, epoch: held.progress.epoch };
        moved(p, a, committed.records, { ...a.done, [trigger]: doneMarker });
        log.info(`${TAG} ${trigger} report generated successfully for ${p.cloudId}`);
        return respond(200, {
          reason: 'GENERATED',
          message: `${trigger} report stored`,
          cloud_id: p.cloudId,
          trigger,
          attempt,
        });
      }
      if (committed.kind === 'lost') {
        // Someone took this claim over (or never lost it to us: a claim answered 2xx that did not
        // land), or an administrator reset the trigger: this report can never be stored, and no
        // failure is ours to record. The claim's holder, whoever it is, decides what happens next.
        const message = `Attempt #${attempt}'s claim was moved on before its commit; the report was not stored`;
        log.warn(`${TAG} ${trigger} ${message} for ${p.cloudId}`);
        return respond(200, { reason: 'CLAIM_HELD', message, cloud_id: p.cloudId, trigger, attempt });
      }
      // Storage, not generation, failed: nothing climbs the ladder. The claim is released
      // uncounted and the answer is a 503, so the storage retry rules look again within minutes.
      const detail = describeError(committed.cause.cause ?? committed.cause);
      const released = await ledger.release(context(p, a, trigger));
      log.warn(
        `${TAG} ${trigger} report for ${p.cloudId} (attempt #${attempt}) was generated but storage refused its commit: ` +
          `${detail}; ${released ? 'claim released, no attempt counted' : 'claim left to run out its lease'}`,
      );
      throw new StorageWriteError(`Report commit refused by storage (${detail})`, [keys.done(p.cloudId, trigger)], {
        cause: committed.cause,
      });
    } else {
      error = result.error;
    }

    // Step 9 (failure). Back off this trigger: the failure and the claim's release in one
    // transition. If it does not land, the claim runs out its lease and the next invocation records it.
    const failure = await ledger.fail(context(p, a, trigger), error);
    log.warn(`${TAG} ${trigger} generation failed (attempt #${attempt}): ${error}`);
    logBackoff(failure);
    if (failure.recorded) moved(p, a, { ...a.records, [trigger]: failure.record });
    return respond(502, {
      reason: 'GENERATION_FAILED',
      message: error,
      cloud_id: p.cloudId,
      trigger,
      attempt,
      next_eligible_at: toIso(failure.nextEligibleAt),
    });
  }

  /** One invocation, tick or wake-up: steps 1 to 9, then the wake-up decision. */
  async function run(tenant: Tenant, source: SchedulerSource, wakeAtClaimed?: unknown): Promise<SchedulerResponse> {
    const first = validateTenant(tenant, source, wakeAtClaimed);
    if ('respond' in first) return first.respond;
    const p: Path = { cloudId: first.next, by: deps.newInvocationId(), known: null };
    const response = await nineSteps(p);
    if ((p.known || p.leaseEndsAt !== undefined) && response.statusCode !== 500 && response.statusCode !== 503) {
      await scheduleWakeUp(p.cloudId, p.known, p.leaseEndsAt);
    } else if (response.statusCode === 503 && source === 'tick') {
      await scheduleStorageRetry(p.cloudId);
    }
    return response;
  }

  /** The guide's nine steps, in order (step 1 is done by `run`). */
  async function nineSteps(p: Path): Promise<SchedulerResponse> {
    try {
      const now = deps.now();
      const stored = await loadState(p, now); // steps 2 and 3
      const fromState = decideFromState(p, stored, now); // step 4
      if ('respond' in fromState) return fromState.respond;
      const read = await readAuthoritative(p, stored, fromState.next, now); // step 5 (and step 2 again)
      if ('respond' in read) return read.respond;
      const due = await decideDue(p, read.next, now); // steps 4 and 5, authoritative
      if ('respond' in due) return due.respond;
      const { a, trigger } = due.next;
      const backoff = await checkBackoff(p, a, trigger, deps.now()); // step 6
      if ('respond' in backoff) return backoff.respond;
      const claimed = await claimAttempt(p, a, trigger); // step 7a
      if ('respond' in claimed) return claimed.respond;
      return await generateAndCommit(p, claimed.next.a, trigger, claimed.next.held); // steps 7b, 8, 9
    } catch (err) {
      const storage = err instanceof StorageReadError || err instanceof StorageWriteError;
      const status = storage ? answeredStatus(err) : undefined;
      const detail =
        (storage && err.cause ? `${describeError(err)}: ${describeError(err.cause)}` : describeError(err)) +
        (status ? ` (HTTP ${status})` : '');
      log.error(`${TAG} Scheduler error: ${detail}`);
      return respond(storage ? 503 : 500, {
        reason: storage ? 'STORAGE_UNAVAILABLE' : 'SCHEDULER_ERROR',
        error_code: storage ? 'STORAGE_UNAVAILABLE' : 'SCHEDULER_ERROR',
        message: `Scheduler error: ${detail}`,
        cloud_id: p.cloudId,
      });
    }
  }

  return {
    /** A scheduled tick: `(request, context)` as Forge passes a scheduledTrigger's function. */
    tick(request?: unknown, context?: unknown): Promise<SchedulerResponse> {
      return run(resolveTenant(request, context), 'tick');
    },
    /**
     * A wake-up event: `(event, context)` as Forge passes a consumer's function. The
     * same path as a tick. Forge delivers an async event again after a throw, a
     * timeout or an InvocationError, for as long as its retention window lasts (24 h,
     * up to 96 h), with no cap on retries; so the consumer sets its own
     * (decisions.ts#wakeUpDeliveryRuns, #wakeUpRetryAfterSeconds). Storage refusing
     * it (the one outcome another look soon would fix) asks for a retry a minute later
     * and then one a quarter of an hour on, unless the next tick will do as well; a
     * redelivery it did not ask for is answered at once, touching nothing. Any other
     * answer ends the event.
     */
    async wakeUp(event?: unknown, context?: unknown): Promise<SchedulerResponse | RetryLaterResponse> {
      const body = typeof event === 'object' && event !== null ? (event as { body?: unknown }).body : undefined;
      const wakeAt = typeof body === 'object' && body !== null ? (body as { wake_at?: unknown }).wake_at : undefined;
      const retry = wakeUpRetryOf(event);
      const tenant = resolveWakeUpTenant(event, context);
      // A wake-up a refused tick pushed looks again 15 minutes on; any other a minute on and
      // then 15 minutes on. The body can only choose between these two.
      const storageChain =
        typeof body === 'object' && body !== null && (body as { storage_retry?: unknown }).storage_retry === true;
      const waits: readonly number[] = storageChain
        ? Array.from({ length: SCHEDULER.storageChainRetries }, () => SCHEDULER.storageRetryMs / 1000)
        : SCHEDULER.wakeUpRetryAfterSeconds;
      if (!wakeUpDeliveryRuns(retry, waits.length)) {
        const cloudId = tenant.ok ? tenant.cloudId : undefined;
        log.info(
          `${TAG} Wake-up redelivered by Forge (retry #${retry!.retryCount}) without this consumer asking; ` +
            'not run: the next scheduled tick covers it',
        );
        return respond(200, {
          reason: 'WAKE_UP_SUPERSEDED',
          message: 'Redelivered wake-up not run; the next scheduled tick covers it',
          ...(cloudId ? { cloud_id: cloudId } : {}),
        });
      }
      const response = await run(tenant, 'wake-up', wakeAt);
      if (response.statusCode !== 503) return response;
      const now = deps.now();
      const retryAfter = wakeUpRetryAfterSeconds(retry, now, parseIsoInstant(wakeAt), SCHEDULER.intervalMs, waits);
      if (retryAfter === null) {
        log.info(`${TAG} Not asking Forge to deliver this wake-up again: the next scheduled tick will do as well`);
        return response;
      }
      return retryLaterResponse(retryAfter, now);
    },
  };
}

const scheduler = createPhase5Scheduler();

/** The function the manifest's scheduled trigger invokes. */
export const phase5SchedulerHandler = (request?: unknown, context?: unknown) => scheduler.tick(request, context);

/** The function the manifest's wake-up consumer invokes. */
export const phase5WakeUpHandler = (event?: unknown, context?: unknown) => scheduler.wakeUp(event, context);
