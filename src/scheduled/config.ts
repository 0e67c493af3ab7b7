/**
 * Scheduler timing, in one place. All durations are milliseconds; all instants
 * in the app's code are epoch milliseconds (ISO-8601 strings appear only in
 * stored records and log lines).
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const SCHEDULER = {
  /** The manifest's `interval: fiveMinute`. */
  intervalMs: 5 * MINUTE,
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
