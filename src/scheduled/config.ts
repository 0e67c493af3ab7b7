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
  /**
   * A wake-up that found storage refusing (503) asks Forge to deliver it again, once after
   * each of these waits in turn (InvocationError `retryAfter`; 900 s is Forge's longest).
   * Forge puts no cap on async event retries (it redelivers for 24 h, up to 96 h), so this
   * list is the only one. The first rides out a refusal that lasts seconds; the second
   * looks again a quarter of an hour on, so a report due at the wake-up's instant is not
   * left for the next tick, up to an hour away. With a tick's own storage chain
   * (`storageChainRetries`) that keeps an installation within 6 invocations an hour during
   * a storage outage (SCHEDULER_HARDENING_DESIGN.md §4.5).
   */
  wakeUpRetryAfterSeconds: [60, 900] as readonly number[],
  /** AUTO_12H is due from 12 h after installation until 24 h; AUTO_24H from 24 h on. */
  auto12hAfterMs: 12 * HOUR,
  auto24hAfterMs: 24 * HOUR,
  /**
   * How long before AUTO_12H's window closes its last attempt is made, when the backoff
   * ladder would carry the next one past (or into this last stretch of) the window.
   * One hour is the longest tick interval the app supports: even with the wake-up for
   * that instant lost, the installation's next tick still comes before the window
   * closes. A wider margin would only move the last attempt further from the close,
   * giving Jira less time to recover. SCHEDULER_HARDENING_DESIGN.md §3, property 4.
   */
  lastChanceMarginMs: HOUR,
  /**
   * After a failure recorded at or past AUTO_12H's last chance, the next attempt comes this
   * long after it if that is still before the close. Such a failure is the last-chance
   * attempt failing, or a holder that started before it and died, found over once its lease
   * ran out (up to 16 min into the last hour, later by the finder's clock): without a retry
   * the report is missed though the last hour was healthy. Fifteen minutes is Forge's
   * longest event delay, so the invocation recording the failure reaches it with one
   * wake-up; it retries a failure up to 23h45, and it bounds the last hour to four attempts
   * (23h, 23h15, 23h30, 23h45) when Jira stays down (SCHEDULER_HARDENING_DESIGN.md §3, property 4).
   */
  lateRetryMs: 15 * MINUTE,
  /** The scheduler function's `timeoutSeconds` in manifest.yml; Forge kills the invocation then. */
  functionTimeoutMs: 120_000,
  /**
   * How long report generation may run. Well below the function timeout so a slow
   * Jira yields a partial report plus a commit, not a killed invocation.
   */
  generationBudgetMs: 60_000,
  /**
   * A claim's lease: when other invocations stop waiting for its holder and take the
   * trigger over. Liveness only: a holder that outlives its lease by any amount cannot
   * commit after a take-over, because its commit is conditional on the record it
   * claimed, which the take-over moved on (SCHEDULER_HARDENING_DESIGN.md §2). Longer
   * than the longest timeout Forge allows any function (900 s), so a take-over does not
   * normally cost a live holder its work.
   */
  claimLeaseMs: 16 * MINUTE,
  /**
   * A tick that storage refused (503) pushes a wake-up this long after it (Forge's longest
   * delay and longest `retryAfter`), and that wake-up, refused too, asks Forge for up to
   * `storageChainRetries` retries as far apart: so during storage trouble an installation
   * looks again 15 and 30 minutes past each tick, and once the trouble ends the next look
   * comes within 30 minutes (SCHEDULER_HARDENING_DESIGN.md §4.5).
   */
  storageRetryMs: 15 * MINUTE,
  storageChainRetries: 1,
  /**
   * KVS requests one commit may spend: the transaction, and after a refusal a read
   * of its record (did it land after all?) before each resend. A 429 is resent by the
   * storage module itself; twelve is six sends, each refusal read back, so with KVS
   * failing one transaction in ten with a 5xx a generated report is lost to storage
   * alone about once in a million commits (with eight, four sends: once in ten
   * thousand, each a 30-minute backoff for a report already generated).
   */
  commitRequestBudget: 12,
  /**
   * How many times a claim, or a failure's record, is sent when each refusal is known
   * not to have landed (read back: the record is still as read). Each send is conditional
   * on the record as read, so resending is safe; four keeps a claim lost to storage alone
   * rarer than one in a thousand even when KVS refuses one request in five.
   */
  transitionTries: 4,
  /** Installation timestamps up to this far in the future are clock skew, not garbage. */
  clockSkewAllowanceMs: 5 * MINUTE,
  /**
   * The most any Forge host's clock is assumed to be off true time (UTC), either way.
   * Used only to tell a garbled stored instant from a slow clock, and by the one-time
   * upgrade from the keys of earlier versions (ledger_upgrade.ts), which must wait out
   * their claims' leases because those claims carry no condition to defeat. Nothing in
   * the ledger's safety depends on it.
   */
  maxClockSkewMs: 60_000,
  /** So two hosts' clocks may disagree by up to twice that. */
  maxClockDisagreementMs: 120_000,
  /**
   * An earlier version's Reset fence (a claim key): the resolver that took it is
   * stopped by Forge after 25 s, so after this lease it is certainly gone. Read only by
   * the upgrade from those versions.
   */
  resetFenceLeaseMs: 60_000,
  /**
   * Bounds on stored numbers. An attempt count or a reset count beyond these cannot be
   * true (one attempt per 24 h backoff for 27 years; a reset a day for as long) and
   * marks the record as corrupt, like a value of the wrong type.
   */
  maxAttempts: 10_000,
  maxEpoch: 10_000,
} as const;
