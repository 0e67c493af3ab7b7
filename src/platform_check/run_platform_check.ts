import { randomBytes } from 'node:crypto';
import { describeError } from '../errors';
import { toIso } from '../time';
import type { PlatformCheckReport, ProbeResult } from './check_report';
import { BudgetExhausted, ProbeContext, ProbeDeps } from './probe_context';
import { PROBES, ProbeShared } from './probes';

/**
 * Runs every probe once, in order, within a small request budget, under a scratch
 * prefix of its own (`platform-check:{runId}:`), and deletes what it wrote before
 * answering. It never writes a key the scheduler or the admin page uses; the only
 * other key it reads is the installation evidence. A probe that fails in any way
 * answers COULD_NOT_CHECK with why; the run itself never throws.
 *
 * Budget: 15 probes need 20 KVS requests and 3 Jira requests (measured on the
 * local runtime), plus one delete per scratch key at clean-up; the caps
 * leave room for the platform answering in unexpected ways, and for a resolver's
 * 25 s (the TTL probes wait 2.5 s).
 */
export const PLATFORM_CHECK_BUDGET = { kvsRequests: 30, jiraRequests: 4 } as const;

const defaultDeps: ProbeDeps = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
};

export async function runPlatformCheck(cloudId: string, deps: ProbeDeps = defaultDeps): Promise<PlatformCheckReport> {
  const startedAt = deps.now();
  const runId = `${startedAt.toString(36)}-${randomBytes(3).toString('hex')}`;
  const ctx = new ProbeContext(runId, cloudId, PLATFORM_CHECK_BUDGET, deps);
  const shared: ProbeShared = {};
  const results: ProbeResult[] = [];
  for (const probe of PROBES) {
    const before = ctx.kvsUsed + ctx.jiraUsed;
    let outcome;
    try {
      outcome = await probe.run(ctx, shared);
    } catch (err) {
      const why =
        err instanceof BudgetExhausted ? `the ${err.message} was used up` : `the probe failed: ${describeError(err)}`;
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
    leftBehind = await ctx.cleanUp();
  } catch {
    leftBehind = [...ctx.written];
  }
  return {
    runId,
    startedAt: toIso(startedAt),
    finishedAt: toIso(deps.now()),
    scratchPrefix: ctx.prefix,
    budget: { ...PLATFORM_CHECK_BUDGET },
    used: { kvsRequests: ctx.kvsUsed, jiraRequests: ctx.jiraUsed },
    results,
    leftBehind,
  };
}
