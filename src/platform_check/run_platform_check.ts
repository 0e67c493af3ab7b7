import { randomBytes } from 'node:crypto';
import { describeError, StorageWriteError } from '../errors';
import { SCHEDULER } from '../scheduled/config';
import { isRecord } from '../scheduled/scheduler_state';
import { keys, store } from '../storage';
import { parseIsoInstant, toIso } from '../time';
import type { PlatformCheckReport, ProbeResult } from './check_report';
import { BudgetExhausted, OutOfTime, ProbeContext, ProbeDeps } from './probe_context';
import { PROBES, ProbeShared } from './probes';

/**
 * Runs every probe once, in order, within a small request budget, under a scratch
 * prefix of its own (`platform-check:{runId}:`), and deletes what it wrote before
 * answering. It never writes a key the scheduler or the admin page uses; the only
 * other key it reads is the installation evidence. A probe that fails in any way
 * answers COULD_NOT_CHECK with why; once the run holds its lock it never throws
 * (taking the lock throws a storage error when storage cannot say who holds it).
 *
 * Nothing it writes outlives it for long, whatever storage does: scratch keys carry
 * a TTL of an hour, the run sends no probe request past `stopAt` (the caller keeps
 * the end of the resolver's time for clean-up and the audit entry), clean-up is one
 * batch delete, and one run at a time holds a lock that expires too.
 *
 * Budget: 17 probes need 24 KVS requests and 3 Jira requests (measured on the
 * local runtime), plus the lock's create and one batch delete at clean-up; the
 * caps leave room for the platform answering in unexpected ways.
 */
export const PLATFORM_CHECK_BUDGET = { kvsRequests: 30, jiraRequests: 4 } as const;

const defaultDeps: ProbeDeps = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
};

export type PlatformCheckRun =
  | { ran: true; report: PlatformCheckReport }
  /** Another check holds the lock; `since` is when it started, when its lock says so believably. */
  | { ran: false; since: number | null };

/**
 * The check's lock. Its lease is longer than a resolver can live (25 s), so once it has run
 * out by every clock its holder is certainly gone; its TTL adds the clock allowance, so the
 * platform drops it once nobody can hold it.
 */
export const PLATFORM_CHECK_LOCK_MS = 60_000;
const LOCK_TTL = {
  value: (PLATFORM_CHECK_LOCK_MS + SCHEDULER.maxClockDisagreementMs) / 1000,
  unit: 'SECONDS',
} as const;

/**
 * Takes the check's lock, or says who holds it. A lock whose lease has run out by every
 * clock belongs to a check that is certainly over (a resolver lives 25 s): it is taken
 * over, since the platform may go on showing an expired entry for up to 48 h. Two checks
 * taking over one expired lock at the same instant could both run; each still touches
 * only its own scratch keys. The create is not read back as a claim's is: the check is
 * the tool that tells a vendor `get` does not read its own writes, so it must run where
 * that is so, and a lock misread as won costs at most a second check's requests.
 */
async function takeLock(runId: string, now: number): Promise<true | { since: number | null }> {
  const lockKey = keys.platformCheckLock();
  const lock = { run_id: runId, started_at: toIso(now), lease_expires_at: toIso(now + PLATFORM_CHECK_LOCK_MS) };
  const created = await store.rawKvs.set(lockKey, lock, { failIfExists: true, ttlSeconds: LOCK_TTL.value });
  if (created.ok) return true;
  if (created.status !== 409) {
    throw new StorageWriteError(`KVS create-if-absent of ${lockKey} failed: ${created.status} ${created.code}`, [
      lockKey,
    ]);
  }
  const held = await store.read(lockKey);
  const since = isRecord(held) ? parseIsoInstant(held.started_at) : null;
  const until = isRecord(held) ? parseIsoInstant(held.lease_expires_at) : null;
  const believable = until !== null && until <= now + PLATFORM_CHECK_LOCK_MS + SCHEDULER.maxClockDisagreementMs;
  // Absent after a 409: its holder wrote it a moment ago, and this read does not show it yet.
  if (held === undefined) return { since: null };
  if (believable && now < until + SCHEDULER.maxClockDisagreementMs) return { since };
  await store.write(lockKey, lock, LOCK_TTL);
  return true;
}

export async function runPlatformCheck(
  cloudId: string,
  stopAt: number = Infinity,
  deps: ProbeDeps = defaultDeps,
): Promise<PlatformCheckRun> {
  const startedAt = deps.now();
  const runId = `${startedAt.toString(36)}-${randomBytes(3).toString('hex')}`;
  const locked = await takeLock(runId, startedAt);
  if (locked !== true) return { ran: false, since: locked.since };
  const ctx = new ProbeContext(runId, cloudId, PLATFORM_CHECK_BUDGET, deps, stopAt);
  const shared: ProbeShared = {};
  const results: ProbeResult[] = [];
  for (const probe of PROBES) {
    const before = ctx.kvsUsed + ctx.jiraUsed;
    let outcome;
    try {
      outcome = await probe.run(ctx, shared);
    } catch (err) {
      const why =
        err instanceof BudgetExhausted
          ? `the ${err.message} was used up`
          : err instanceof OutOfTime
            ? "the check ran out of time: it keeps the end of the resolver's time to clean up"
            : `the probe failed: ${describeError(err)}`;
      outcome = { verdict: 'COULD_NOT_CHECK' as const, observed: why };
    }
    results.push({
      id: probe.id,
      question: probe.question,
      expected: probe.expected,
      ...outcome,
      requests: ctx.kvsUsed + ctx.jiraUsed - before,
    });
  }
  let leftBehind: string[];
  try {
    leftBehind = await ctx.cleanUp([keys.platformCheckLock()]);
  } catch {
    leftBehind = [...ctx.written];
  }
  return {
    ran: true,
    report: {
      runId,
      startedAt: toIso(startedAt),
      finishedAt: toIso(deps.now()),
      scratchPrefix: ctx.prefix,
      budget: { ...PLATFORM_CHECK_BUDGET },
      used: { kvsRequests: ctx.kvsUsed, jiraRequests: ctx.jiraUsed },
      results,
      leftBehind,
    },
  };
}
