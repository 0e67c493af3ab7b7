import { randomUUID } from 'node:crypto';
import { describeError, StorageReadError, StorageWriteError, WakeUpPushError } from '../errors';
import { handleAutoTrigger } from '../phase5/handle_auto_trigger';
import type { Phase5Report } from '../phase5/report';
import type { AutoTrigger } from '../storage/keys';
import { parseIsoInstant, toIso } from '../time';
import {
  abandonedAt,
  AUTO_TRIGGERS,
  backoffActive,
  Claim,
  claimMayBeLive,
  decideDueTrigger,
  DoneMarker,
  DoneMarkers,
  emptyState,
  FailureOutcome,
  forgetUnstoredReports,
  generationDeadline,
  inEpochs,
  mayCommit,
  newClaim,
  nextActionableAt,
  recordDoneFromMarker,
  recordFailure,
  recordMissed,
  recordSuccess,
  SchedulerState,
  wakeUpDelaySeconds,
  wakeUpDeliveryRuns,
  wakeUpRetryAfterSeconds,
} from './decisions';
import {
  claimAttempt,
  claimExists,
  commitReport,
  doneMarkersFrom,
  epochFrom,
  installationTimestampFrom,
  loadSchedulerSnapshot,
  parseState,
  readClaim,
  recordFailedAttempt,
  saveSchedulerState,
} from './scheduler_state';
import { SCHEDULER } from './config';
import { resolveTenant, resolveWakeUpTenant, Tenant } from './tenant';
import { pushWakeUp, retryLaterResponse, RetryLaterResponse, WakeUpBody, wakeUpRetryOf } from './wake_up_queue';

/**
 * The Phase-5 scheduler, run by a Forge scheduled trigger every interval
 * (SCHEDULER.interval) and by wake-up events timed for the instants a tick
 * would reach late. Both enter the same path: the integration guide's nine
 * steps, marked below, with two strengthenings: each attempt is claimed with an
 * atomic create-if-absent before anything is generated, and the report, its
 * DONE key and the state are committed in one transaction.
 * SCHEDULER_HARDENING_DESIGN.md argues why that makes a second stored report for
 * a trigger impossible, however many ticks and wake-ups arrive at once.
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

/** A crashed holder's claim is skipped within the same invocation at most this many times. */
const MAX_ABANDONED_CLAIMS_PER_INVOCATION = 5;

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

/** Bring the state in line with every DONE key it did not know about; DONE keys are authoritative. */
function reconcile(state: SchedulerState, done: DoneMarkers, now: number): SchedulerState {
  let next = state;
  for (const t of AUTO_TRIGGERS) {
    const marker = done[t];
    if (marker && next.triggers[t].generatedAt === null) next = recordDoneFromMarker(next, t, marker, now);
  }
  return next;
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
  async function scheduleWakeUp(cloudId: string, known: Known): Promise<void> {
    const now = deps.now();
    const wakeAt = nextActionableAt(known.installedAt, now, known.state, known.done);
    const delay = wakeUpDelaySeconds(wakeAt, now, SCHEDULER.intervalMs);
    if (wakeAt === null || delay === null) return;
    try {
      await deps.pushWakeUp({ cloud_id: cloudId, wake_at: toIso(wakeAt) }, delay);
      log.info(`${TAG} Wake-up pushed for ${cloudId} in ${delay}s (next action at ${toIso(wakeAt)})`);
    } catch (err) {
      const detail = err instanceof WakeUpPushError && err.cause ? `: ${describeError(err.cause)}` : '';
      log.warn(`${TAG} ${describeError(err)}${detail}; the next scheduled tick covers ${toIso(wakeAt)}`);
    }
  }

  function logBackoff(f: FailureOutcome): void {
    log.warn(
      `${TAG} Backoff ${f.backoffMs}ms (${Math.round(f.backoffMs / 60_000)} minute(s)) applied; ` +
        `next eligible at ${toIso(f.nextEligibleAt)}`,
    );
  }

  /**
   * Step 8's commit. Its failure would throw a finished report away and cost the
   * trigger an attempt, so a refused commit is sent again while the claim's lease
   * covers it, within a budget of KVS requests. A refusal may hide a commit that
   * landed (a 5xx after the fact), so before every resend the holder reads its own
   * claim back: the commit releases the claim in the same transaction, so a
   * released claim proves the commit landed, and only a claim still unreleased
   * (read positively, not a failed read) allows a resend. The DONE key would not do:
   * a Reset may remove it after the commit landed, and a resend would then bring
   * back what the Reset set aside. Returns true, or why the report was not stored
   * and whether the commit may have landed all the same.
   */
  async function commit(
    cloudId: string,
    trigger: AutoTrigger,
    epoch: number,
    report: Phase5Report,
    next: SchedulerState,
    claim: Claim,
  ): Promise<true | { error: string; mayHaveLanded: boolean }> {
    let error = 'Report commit not attempted';
    let unsure = false;
    let sent = false;
    for (let spent = 0; spent < SCHEDULER.commitRequestBudget && mayCommit(claim, deps.now()); spent++) {
      try {
        if (unsure) {
          const found = await readClaim(cloudId, trigger, epoch, claim.attempt);
          const mine = found === 'absent' ? null : found;
          if (mine?.invocationId !== claim.invocationId) {
            // Not the claim we took: it cannot say whether the commit landed, so never resend over it.
            return {
              error: `${error}; attempt #${claim.attempt}'s claim no longer reads as ours`,
              mayHaveLanded: true,
            };
          }
          if (mine.released?.outcome === 'generated') return true;
          unsure = false;
        } else {
          sent = true;
          await commitReport(cloudId, trigger, epoch, report, next, claim);
          return true;
        }
      } catch (err) {
        if (!(err instanceof StorageWriteError || err instanceof StorageReadError)) throw err;
        if (!unsure) {
          error = `Report commit failed: ${describeError(err.cause ?? err)}`;
          log.warn(`${TAG} ${trigger} ${error}; checking whether it landed before sending it again`);
        }
        unsure = true;
      }
    }
    return { error, mayHaveLanded: sent && unsure };
  }

  /** One invocation, tick or wake-up: steps 1 to 9, then the wake-up decision. */
  async function run(tenant: Tenant, source: SchedulerSource, wakeAtClaimed?: unknown): Promise<SchedulerResponse> {
    let cloudId: string | undefined;
    let known: Known | null = null;
    const response = await nineSteps(tenant, source, wakeAtClaimed, (k) => {
      cloudId = tenant.ok ? tenant.cloudId : undefined;
      known = k;
    });
    if (cloudId && known && response.statusCode !== 500 && response.statusCode !== 503) {
      await scheduleWakeUp(cloudId, known);
    }
    return response;
  }

  /** The guide's nine steps, in order; `remember` receives what the wake-up decision will need. */
  async function nineSteps(
    tenant: Tenant,
    source: SchedulerSource,
    wakeAtClaimed: unknown,
    remember: (known: Known) => void,
  ): Promise<SchedulerResponse> {
    let cloudId: string | undefined;
    // A state change decided but not yet stored; saved on every exit path, including the unexpected one.
    let unsaved: SchedulerState | null = null;
    const save = async (): Promise<void> => {
      if (unsaved && cloudId) {
        await saveSchedulerState(cloudId, unsaved);
        unsaved = null;
      }
    };

    try {
      // Step 1. Validate tenant identity (resolved by the entry point, tick or wake-up): fail closed, touch nothing.
      if (!tenant.ok) {
        log.error(`${TAG} FAIL_CLOSED: Tenant identity unavailable (${tenant.detail})`);
        return respond(400, { reason: tenant.errorCode, error_code: tenant.errorCode, message: tenant.detail });
      }
      cloudId = tenant.cloudId;
      const now = deps.now();
      // A wake-up's body says when it was meant for; that is for the log, never for a decision.
      const wakeNote =
        source === 'wake-up'
          ? ` (wake-up for ${typeof wakeAtClaimed === 'string' ? wakeAtClaimed.slice(0, 30).replace(/[^0-9A-Za-z:.+-]/g, '?') : 'an unstated instant'})`
          : '';
      log.info(`${TAG} Starting for cloudId: ${cloudId} at ${toIso(now)}${wakeNote}`);

      // Step 2. Load the installation timestamp from Phase-4 evidence. The same single KVS
      // request also brings the state (step 3) and both DONE keys (step 5).
      const snapshot = await loadSchedulerSnapshot(cloudId);
      const installation = installationTimestampFrom(snapshot.evidence, now);
      if (!installation.ok) {
        const why = { MISSING: 'not found', INVALID: 'not a valid ISO-8601 instant', IN_FUTURE: 'in the future' };
        log.warn(`${TAG} FAIL_CLOSED: Installation timestamp ${why[installation.reason]} for ${cloudId}`);
        return respond(200, {
          reason: 'INSTALLATION_TIMESTAMP_UNAVAILABLE',
          message: 'Installation timestamp not available',
          error_code: `INSTALLATION_TIMESTAMP_${installation.reason}`,
          cloud_id: cloudId,
        });
      }
      const { installedAt } = installation;

      // Step 3. Load scheduler state. An invalid one is replaced, and the DONE keys say what was done.
      // The epoch keys say which reset each trigger is in; progress of an earlier epoch is void.
      const done = doneMarkersFrom(snapshot, now);
      const epochOf = { AUTO_12H: epochFrom(snapshot.epoch.AUTO_12H), AUTO_24H: epochFrom(snapshot.epoch.AUTO_24H) };
      const epochs = { AUTO_12H: epochOf.AUTO_12H ?? 0, AUTO_24H: epochOf.AUTO_24H ?? 0 };
      let state = inEpochs(emptyState(), epochs);
      if (snapshot.state !== undefined) {
        const parsed = parseState(snapshot.state, now);
        if (parsed.ok) {
          state = inEpochs(forgetUnstoredReports(parsed.value, done), epochs);
        } else {
          log.warn(`${TAG} Scheduler state for ${cloudId} is invalid (${parsed.reason}); rebuilding it from DONE keys`);
          state = reconcile(state, done, now);
          unsaved = state;
        }
      }
      // What the wake-up decision reads once the path is over: the state as last decided,
      // and the DONE keys including one this invocation commits.
      let doneAfter = done;
      remember({
        installedAt,
        get state() {
          return state;
        },
        get done() {
          return doneAfter;
        },
      });

      // Step 4. Decide the due trigger.
      const due = decideDueTrigger(installedAt, now, state, done);
      if (due.newlyMissed) {
        log.warn(`${TAG} ${due.newlyMissed} window closed without a report for ${cloudId}; recorded as missed`);
        state = recordMissed(state, due.newlyMissed, now);
        unsaved = state;
      }
      if (due.due === null) {
        log.info(`${TAG} No trigger due for ${cloudId}; ${doneFlags(state, done)}`);
        await save();
        return respond(200, {
          reason: 'NO_TRIGGER_DUE',
          message: 'No trigger due',
          cloud_id: cloudId,
          next_eligible_at: due.nextDueAt === null ? null : toIso(due.nextDueAt),
        });
      }
      const trigger = due.due;

      // Step 5. The DONE key is authoritative: never regenerate.
      if (done[trigger] !== null) {
        log.info(`${TAG} ${trigger} DONE key exists for ${cloudId}; not generating`);
        const reconciled = reconcile(state, done, now);
        if (reconciled !== state) unsaved = state = reconciled;
        await save();
        return respond(200, {
          reason: 'DONE_KEY_EXISTS',
          message: `${trigger} already done`,
          cloud_id: cloudId,
          trigger,
        });
      }

      // An epoch key that is not an epoch cannot say where this trigger's claims are; claiming
      // anywhere could be claiming in an epoch a Reset has closed. Fail closed, loudly.
      const epoch = epochOf[trigger];
      if (epoch === null) {
        log.error(`${TAG} ${trigger} epoch key for ${cloudId} is not an epoch; not generating`);
        await save();
        return respond(500, {
          reason: 'SCHEDULER_ERROR',
          error_code: 'EPOCH_UNREADABLE',
          message: `${trigger}'s epoch key does not hold an epoch`,
          cloud_id: cloudId,
          trigger,
        });
      }

      // Step 6. Backoff, per trigger.
      if (backoffActive(state.triggers[trigger], now)) {
        const until = state.triggers[trigger].backoffUntil!;
        log.info(`${TAG} ${trigger} in backoff for ${cloudId} until ${toIso(until)}`);
        await save();
        return respond(200, {
          reason: 'BACKOFF_ACTIVE',
          message: `${trigger} is backing off`,
          cloud_id: cloudId,
          trigger,
          attempt: state.triggers[trigger].attemptCount,
          next_eligible_at: toIso(until),
        });
      }

      // Step 7a. Claim the attempt: exactly one invocation may generate it. A claim left by a
      // holder that died (its lease has run out) counts as that attempt failing.
      let claim: Claim | null = null;
      const held = (attempt: number, message: string) =>
        respond(200, { reason: 'CLAIM_HELD', message, cloud_id: cloudId, trigger, attempt });
      for (let probe = 0; claim === null; probe++) {
        const attempt = state.triggers[trigger].attemptCount + 1;
        const candidate = newClaim(attempt, deps.now(), deps.newInvocationId());
        if (await claimAttempt(cloudId, trigger, epoch, candidate)) {
          claim = candidate;
          break;
        }
        const found = await readClaim(cloudId, trigger, epoch, attempt);
        const checkedAt = deps.now();
        // The create was refused, so the claim exists; a read that cannot see it lags behind
        // the holder's write. That holder is as good as live: recording its attempt as
        // abandoned would overwrite the state it is about to commit, for nothing.
        const holder = found === 'absent' ? null : found;
        if (holder?.kind === 'reset') {
          // A Reset closed this epoch at this number (or is closing it): nothing more is claimed here.
          if (holder.released !== null || claimMayBeLive(holder, checkedAt)) {
            log.info(`${TAG} ${trigger} is being reset for ${cloudId}; not generating`);
            await save();
            return held(attempt, 'An administrator reset this trigger; the next run starts its new epoch');
          }
          // A Reset that died before its transaction: its number is used up, and it was no attempt.
          const progress = { ...state.triggers[trigger], attemptCount: attempt };
          unsaved = state = { ...state, triggers: { ...state.triggers, [trigger]: progress } };
          if (probe + 1 >= MAX_ABANDONED_CLAIMS_PER_INVOCATION) {
            await save();
            return held(attempt, 'Abandoned claims walked; the next run goes on');
          }
          continue;
        }
        if (holder?.released?.outcome === 'generated') {
          // It committed after our read: the DONE key is there now.
          log.info(`${TAG} ${trigger} attempt #${attempt} has just been committed for ${cloudId}`);
          await save();
          return held(attempt, `Attempt #${attempt} has just committed its report`);
        }
        if (found === 'absent' || (holder !== null && claimMayBeLive(holder, checkedAt))) {
          log.info(`${TAG} ${trigger} attempt #${attempt} is being generated by another invocation for ${cloudId}`);
          await save();
          return held(attempt, 'Another invocation holds the claim');
        }
        const failure = recordFailure(
          state,
          trigger,
          {
            attempt,
            at: abandonedAt(holder, checkedAt),
            message: holder?.released
              ? `Attempt #${attempt} failed`
              : `Attempt #${attempt} did not finish within its lease`,
          },
          checkedAt,
          installedAt,
        );
        log.warn(`${TAG} ${trigger} generation failed (attempt #${attempt}): did not finish within its lease`);
        logBackoff(failure);
        state = failure.state;
        unsaved = state;
        // The backoff just recorded runs from the lease's end, or from now for a claim that
        // does not say believably when that was, so with the state lost it can lie well after
        // the one this attempt really had. Attempts are claimed in order, though: if the next
        // one's claim exists, this attempt and its backoff were over before it began, so go on
        // to that one (without this, every garbled claim would cost its backoff again).
        const waiting =
          backoffActive(state.triggers[trigger], checkedAt) &&
          !(await claimExists(cloudId, trigger, epoch, attempt + 1));
        if (waiting || probe + 1 >= MAX_ABANDONED_CLAIMS_PER_INVOCATION) {
          await save();
          return respond(200, {
            reason: 'BACKOFF_ACTIVE',
            message: `${trigger} attempt #${attempt} was abandoned by its holder`,
            cloud_id: cloudId,
            trigger,
            attempt,
            next_eligible_at: toIso(failure.nextEligibleAt),
          });
        }
        // That attempt's backoff has passed, or a later attempt exists: try the next one now.
      }

      // Step 7b. Generate the report via handleAutoTrigger, the only generation path.
      const attempt = claim.attempt;
      log.info(`${TAG} Attempting ${trigger} generation for ${cloudId} (attempt #${attempt})`);
      const result = await handleAutoTrigger(trigger, {
        cloudId,
        installedAt,
        attempt,
        now: deps.now,
        deadlineAt: generationDeadline(claim, claim.claimedAt),
      });

      // Step 8. Commit report + DONE key + state in one transaction, only on success and only
      // while the claim's lease still covers us.
      let error: string;
      let mayHaveLanded = false;
      if (!result.success) {
        error = result.error;
      } else if (!mayCommit(claim, deps.now())) {
        error = 'Generation outlasted the claim lease; report discarded uncommitted';
      } else {
        const generatedAt = parseIsoInstant(result.report.generated_at) ?? deps.now();
        const next = recordSuccess(state, trigger, attempt, generatedAt);
        const committed = await commit(cloudId, trigger, epoch, result.report, next, claim);
        if (committed === true) {
          unsaved = null;
          state = next;
          const marker: DoneMarker = { generatedAt, attempt, epoch };
          doneAfter = { ...done, [trigger]: marker };
          log.info(`${TAG} ${trigger} report generated successfully for ${cloudId}`);
          return respond(200, {
            reason: 'GENERATED',
            message: `${trigger} report stored`,
            cloud_id: cloudId,
            trigger,
            attempt,
          });
        }
        error = committed.error;
        mayHaveLanded = committed.mayHaveLanded;
      }

      // Step 9 (failure). Back off this trigger, save state, return. When the commit certainly
      // did not land, the claim is released with the failure, so that nobody (a Reset, the
      // admin page) has to wait for its lease; otherwise it is left to run out.
      const failedAt = deps.now();
      const failure = recordFailure(state, trigger, { attempt, at: failedAt, message: error }, failedAt, installedAt);
      log.warn(`${TAG} ${trigger} generation failed (attempt #${attempt}): ${error}`);
      logBackoff(failure);
      unsaved = state = failure.state;
      if (mayHaveLanded) {
        await save();
      } else {
        await recordFailedAttempt(cloudId, trigger, epoch, failure.state, claim, failedAt);
        unsaved = null;
      }
      return respond(502, {
        reason: 'GENERATION_FAILED',
        message: error,
        cloud_id: cloudId,
        trigger,
        attempt,
        next_eligible_at: toIso(failure.nextEligibleAt),
      });
    } catch (err) {
      const storage = err instanceof StorageReadError || err instanceof StorageWriteError;
      const detail = storage && err.cause ? `${describeError(err)}: ${describeError(err.cause)}` : describeError(err);
      log.error(`${TAG} Scheduler error: ${detail}`);
      try {
        await save();
      } catch (saveErr) {
        log.error(`${TAG} Scheduler error: state not saved: ${describeError(saveErr)}`);
      }
      return respond(storage ? 503 : 500, {
        reason: storage ? 'STORAGE_UNAVAILABLE' : 'SCHEDULER_ERROR',
        error_code: storage ? 'STORAGE_UNAVAILABLE' : 'SCHEDULER_ERROR',
        message: `Scheduler error: ${detail}`,
        ...(cloudId ? { cloud_id: cloudId } : {}),
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
     * it (the one outcome another look soon would fix) asks for one retry a minute
     * later, unless the next tick will do as well; a redelivery it did not ask for is
     * answered at once, touching nothing. Any other answer ends the event.
     */
    async wakeUp(event?: unknown, context?: unknown): Promise<SchedulerResponse | RetryLaterResponse> {
      const body = typeof event === 'object' && event !== null ? (event as { body?: unknown }).body : undefined;
      const wakeAt = typeof body === 'object' && body !== null ? (body as { wake_at?: unknown }).wake_at : undefined;
      const retry = wakeUpRetryOf(event);
      const tenant = resolveWakeUpTenant(event, context);
      if (!wakeUpDeliveryRuns(retry)) {
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
      const retryAfter = wakeUpRetryAfterSeconds(retry, now, parseIsoInstant(wakeAt), SCHEDULER.intervalMs);
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
