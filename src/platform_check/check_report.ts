/**
 * What the platform check answers. Types and constants only: the admin page's
 * frontend renders and downloads it as it is.
 */

export type ProbeVerdict = 'HOLDS' | 'DIFFERS' | 'COULD_NOT_CHECK';

export type ProbeId =
  | 'batch-get-missing-key'
  | 'get-missing-key'
  | 'get-reads-own-write'
  | 'batch-get-reads-own-write'
  | 'query-limit-100'
  | 'ttl-expired-entry-gone'
  | 'fail-if-exists-on-expired'
  | 'fail-if-exists-conflict'
  | 'transaction-concurrent-write'
  | 'condition-refusal-answer'
  | 'condition-on-absent-entity'
  | 'batch-items-independent'
  | 'batch-get-items-answered'
  | 'installed-event-shape'
  | 'app-project-visibility'
  | 'approximate-count-open-ended'
  | 'scheduled-trigger-status';

export interface ProbeResult {
  id: ProbeId;
  /** The question, as the assumption register asks it. */
  question: string;
  /** The answer the app's main path and the local runtime's defaults assume. */
  expected: string;
  verdict: ProbeVerdict;
  /** What was observed (DIFFERS, HOLDS) or why it could not be (COULD_NOT_CHECK). */
  observed: string;
  /** Requests this probe sent (KVS and Jira). */
  requests: number;
}

export interface PlatformCheckReport {
  runId: string;
  startedAt: string;
  finishedAt: string;
  /** Every scratch key lives under this prefix; nothing else is written. */
  scratchPrefix: string;
  budget: { kvsRequests: number; jiraRequests: number };
  used: { kvsRequests: number; jiraRequests: number };
  results: ProbeResult[];
  /** Scratch keys still stored after clean-up (empty when clean-up succeeded). */
  leftBehind: string[];
}
