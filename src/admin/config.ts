/**
 * Limits of the admin page, in one place (milliseconds, like src/scheduled/config.ts).
 */
export const ADMIN = {
  /**
   * Forge stops a resolver at 25 s. A manual report gets 15 s of it for Jira
   * reads; the rest covers the permission check, the claim and the commit.
   */
  manualGenerationBudgetMs: 15_000,
  /**
   * A manual generation's claim. Longer than the 25 s a resolver can live, so
   * once it has run out its holder is certainly dead; short, so a killed
   * generation does not block the next one for long.
   */
  manualClaimLeaseMs: 60_000,
  /** Claims abandoned by killed generations skipped at most this many times in one call. */
  maxAbandonedManualClaims: 5,
  /** Manual reports kept; generating one more deletes the oldest in the same transaction. */
  manualReportsKept: 10,
  /** Reports set aside by resets kept; older ones are deleted. */
  replacedReportsKept: 5,
  /** Forge stops a UI module's resolver after 25 s, whatever its function's timeout. */
  resolverLimitMs: 25_000,
  /**
   * The platform check sends no probe request with less than this left of the resolver's
   * 25 s: its clean-up (one batch delete) and its audit entry (one write) need the rest.
   */
  platformCheckReserveMs: 8_000,
  /** Audit entries expire after a year, the longest TTL Forge KVS allows. */
  auditTtlDays: 365,
  /** The page shows this many of the newest audit entries. */
  auditShown: 50,
  /**
   * The app's first deployment: no installation of it can be older, so an administrator cannot record an
   * installation time before it. Set it to the day of the first production `forge deploy` (README,
   * "Deploying"); until then it is the day before the local runtime's simulated installations begin.
   */
  firstDeployedAt: '2026-11-01T00:00:00.000Z',
} as const;
