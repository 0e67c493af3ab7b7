/**
 * What an installation costs the app's vendor, from measured per-invocation
 * usage and Forge's published usage-based prices (FORGE_FACTS §9, the prices
 * in force since 1 Jan 2026, allowance as raised in late June 2026). Pure
 * arithmetic: every input is either a measurement or a named assumption.
 */

export const FORGE_PRICES = {
  /** Function duration, per GB-second at the function's configured memory. */
  usdPerGbSecond: 0.000025,
  freeGbSecondsPerMonth: 200_000,
  usdPerKvsReadGb: 0.055,
  freeKvsReadGbPerMonth: 0.1,
  usdPerKvsWriteGb: 1.09,
  freeKvsWriteGbPerMonth: 0.1,
  usdPerLogGb: 1.005,
  freeLogGbPerMonth: 1,
  /** A read that finds nothing is billed as if it returned this much. */
  emptyReadBilledBytes: 1024,
} as const;

/** Forge does not say which gigabyte it bills; the decimal one gives the larger figure. */
export const BYTES_PER_GB = 1e9;

/**
 * Lambda gives a function one full vCPU at 1,769 MB and proportionally less
 * below; Forge's schema says more memory means more CPU. Our measurements come
 * from one local core, taken as one vCPU.
 */
export const FULL_VCPU_MEMORY_MB = 1769;

/** Usage of one invocation, as measured through the local runtime's counters. */
export interface InvocationUsage {
  /**
   * Time the handler spent waiting on KVS or Jira (the injected per-request
   * latency; overlapping waits of concurrent requests counted once).
   */
  waitMs: number;
  /** Everything else the handler took: its own CPU, and the local emulators'. */
  computeMs: number;
  kvsReadBytes: number;
  /** Keys read that did not exist (each billed as a 1 KB read). */
  kvsEmptyReads: number;
  kvsWriteBytes: number;
  logBytes: number;
}

export interface BillingAssumptions {
  memoryMB: number;
  /** Added to each invocation's measured duration: Forge's wrapper, context setup, log shipping, cold starts amortised. */
  platformOverheadMs: number;
}

export interface InvocationBill {
  billedSeconds: number;
  gbSeconds: number;
  kvsReadBytes: number;
  kvsWriteBytes: number;
  logBytes: number;
}

export function cpuSlowdown(memoryMB: number): number {
  return Math.max(1, FULL_VCPU_MEMORY_MB / memoryMB);
}

/** What Forge would meter for one invocation of this usage. */
export function billInvocation(usage: InvocationUsage, a: BillingAssumptions): InvocationBill {
  const billedMs = usage.waitMs + usage.computeMs * cpuSlowdown(a.memoryMB) + a.platformOverheadMs;
  const billedSeconds = billedMs / 1000;
  return {
    billedSeconds,
    gbSeconds: (a.memoryMB / 1024) * billedSeconds,
    kvsReadBytes: usage.kvsReadBytes + usage.kvsEmptyReads * FORGE_PRICES.emptyReadBilledBytes,
    kvsWriteBytes: usage.kvsWriteBytes,
    logBytes: usage.logBytes,
  };
}

export interface MonthlyUsage {
  invocations: number;
  gbSeconds: number;
  kvsReadGb: number;
  kvsWriteGb: number;
  logGb: number;
}

/** Sum of `count` invocations of each kind. */
export function monthlyUsage(mix: ReadonlyArray<{ count: number; bill: InvocationBill }>): MonthlyUsage {
  const total = { invocations: 0, gbSeconds: 0, kvsReadGb: 0, kvsWriteGb: 0, logGb: 0 };
  for (const { count, bill } of mix) {
    total.invocations += count;
    total.gbSeconds += count * bill.gbSeconds;
    total.kvsReadGb += (count * bill.kvsReadBytes) / BYTES_PER_GB;
    total.kvsWriteGb += (count * bill.kvsWriteBytes) / BYTES_PER_GB;
    total.logGb += (count * bill.logBytes) / BYTES_PER_GB;
  }
  return total;
}

export function scaleUsage(u: MonthlyUsage, factor: number): MonthlyUsage {
  return {
    invocations: u.invocations * factor,
    gbSeconds: u.gbSeconds * factor,
    kvsReadGb: u.kvsReadGb * factor,
    kvsWriteGb: u.kvsWriteGb * factor,
    logGb: u.logGb * factor,
  };
}

export interface MonthlyCharge {
  compute: number;
  kvsReads: number;
  kvsWrites: number;
  logs: number;
  total: number;
}

/**
 * The app's monthly charge for this usage. Allowances are per app and shared by
 * every installation and environment, so pass the whole app's usage; with
 * `allowances: false` the result is the marginal cost once the free pool is spent.
 */
export function monthlyCharge(u: MonthlyUsage, opts: { allowances: boolean }): MonthlyCharge {
  const p = FORGE_PRICES;
  const over = (used: number, free: number) => (opts.allowances ? Math.max(0, used - free) : used);
  const compute = over(u.gbSeconds, p.freeGbSecondsPerMonth) * p.usdPerGbSecond;
  const kvsReads = over(u.kvsReadGb, p.freeKvsReadGbPerMonth) * p.usdPerKvsReadGb;
  const kvsWrites = over(u.kvsWriteGb, p.freeKvsWriteGbPerMonth) * p.usdPerKvsWriteGb;
  const logs = over(u.logGb, p.freeLogGbPerMonth) * p.usdPerLogGb;
  return { compute, kvsReads, kvsWrites, logs, total: compute + kvsReads + kvsWrites + logs };
}
