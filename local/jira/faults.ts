/**
 * The failures a real Jira site inflicts on an app, on demand and repeatably:
 * a dataset the app's user cannot read (403), rate limiting (429 with
 * Retry-After) and slow responses. Randomised faults draw from a Prng seeded by
 * `faults.seed`, so "10% of requests are throttled" hits the same requests on
 * every run.
 */
import { Prng } from '../prng';

export type JiraDataset = 'projects' | 'issues' | 'fields' | 'issuetypes' | 'statuses';

export interface JiraFaults {
  /** Datasets whose endpoints answer 403. */
  forbidden?: JiraDataset[];
  /** Throttle every Nth request (1-based), and/or each request with probability `rate`. */
  rateLimit?: { everyNth?: number; rate?: number; retryAfterSeconds: number };
  /** Fixed delay, or uniform in [min, max], before each response. */
  latencyMs?: number | { min: number; max: number };
  seed?: number;
}

export class FaultInjector {
  // Separate streams, so turning latency on does not change which requests are throttled.
  private readonly throttleDraws: Prng;
  private readonly latencyDraws: Prng;
  private requests = 0;

  constructor(private readonly faults: JiraFaults = {}) {
    this.throttleDraws = new Prng(faults.seed ?? 0);
    this.latencyDraws = new Prng((faults.seed ?? 0) ^ 0x5bd1e995);
  }

  /** Counts the request; returns Retry-After seconds if it is to be throttled. */
  throttle(): number | undefined {
    this.requests++;
    const rule = this.faults.rateLimit;
    if (!rule) return undefined;
    const nth = rule.everyNth !== undefined && rule.everyNth > 0 && this.requests % rule.everyNth === 0;
    // Draw on every request, hit or not, so one rule's hits do not shift the other's.
    const random = rule.rate !== undefined && this.throttleDraws.chance(rule.rate);
    return nth || random ? rule.retryAfterSeconds : undefined;
  }

  isForbidden(dataset: JiraDataset): boolean {
    return (this.faults.forbidden ?? []).includes(dataset);
  }

  latency(): number {
    const latency = this.faults.latencyMs;
    if (latency === undefined) return 0;
    if (typeof latency === 'number') return Math.max(0, latency);
    return Math.max(0, latency.min + this.latencyDraws.next() * (latency.max - latency.min));
  }
}
