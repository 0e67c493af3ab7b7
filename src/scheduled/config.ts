/**
 * Scheduler timing, in one place. All durations are milliseconds; all instants
 * in the app's code are epoch milliseconds (ISO-8601 strings appear only in
 * stored records and log lines).
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The scheduled trigger's `interval` in manifest.yml, and what it means in time.
 * Changing the manifest means changing this line too (a conformance test compares
 * them). `hour` is the default: 720 runs a month instead of 8,640, and wake-up
 * events bring each due instant's attempt forward to the second. `fiveMinute`
 * works unchanged for a vendor who prefers fewer moving parts to cost.
 */
export const TRIGGER_INTERVALS = { fiveMinute: 5 * MINUTE, hour: HOUR } as const;
export type TriggerInterval = keyof typeof TRIGGER_INTERVALS;
/** The interval in words, for the admin page and messages ("every hour"). */
export const INTERVAL_WORDS: Record<TriggerInterval, string> = { fiveMinute: '5 minutes', hour: 'hour' };
const INTERVAL: TriggerInterval = 'hour';

export const SCHEDULER = {
  /** The manifest's scheduled trigger `interval`, by name (shown on the admin page). */
  interval: INTERVAL,
  /** How far apart the scheduled ticks come for one installation. */
  intervalMs: TRIGGER_INTERVALS[INTERVAL],
  /**
   * The largest `delayInSeconds` Forge accepts on a pushed event. A due instant
   * further away than this is reached in hops: each wake-up pushes the next.
   */
  maxWakeUpDelaySeconds: 900,
  /** A wake-up that found storage refusing asks Forge to deliver it again after this long (InvocationError). */
  wakeUpRetryAfterSeconds: 60,
  /** AUTO_12H is due from 12 h after installation until 24 h; AUTO_24H from 24 h on. */
  auto12hAfterMs: 12 * HOUR,
  auto24hAfterMs: 24 * HOUR,
  /** The scheduler function's `timeoutSeconds` in manifest.yml; Forge kills the invocation then. */
  functionTimeoutMs: 120_000,
  /**
   * How long report generation may run. Well below the function timeout so a slow
   * Jira yields a partial report plus a commit, not a killed invocation.
   */
  generationBudgetMs: 60_000,
  /**
   * A claim's lease. Longer than the longest timeout Forge allows any function
   * (900 s), so a holder is always dead before its lease ends, even if someone
   * raises `timeoutSeconds` later without reading this.
   */
  claimLeaseMs: 16 * MINUTE,
  /** A holder does not begin its commit with less than this left on its lease. */
  commitMarginMs: 60_000,
  /**
   * KVS requests one commit may spend: the transaction, and after a refusal a read
   * of the DONE key (did it land after all?) before each resend. Seven keeps the
   * chance of losing an attempt to storage alone under 1 % even when KVS refuses
   * one request in five.
   */
  commitRequestBudget: 7,
  /** Claims are kept for a month (for the admin page's history), then Forge expires them. */
  claimTtlDays: 30,
  /** Installation timestamps up to this far in the future are clock skew, not garbage. */
  clockSkewAllowanceMs: 5 * MINUTE,
} as const;
