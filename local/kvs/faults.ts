/**
 * Deterministic trouble: errors, throttling and latency drawn from a seeded generator, so
 * a failing soak run can be replayed exactly by reusing its seed.
 */
import { Prng } from '../prng';
import { Violation } from './violation';

export interface KvsFaults {
  /** Probability of 500 INTERNAL_SERVER_ERROR per targeted request. */
  errorRate?: number;
  /** Probability of 429 (RATE_LIMIT_EXCEEDED; TOO_MANY_REQUESTS for transactions). */
  rateLimitRate?: number;
  /** Delay before the request is applied: fixed, or uniform integer ms in [min, max]. */
  latencyMs?: number | { min: number; max: number };
  /** Operations affected; default all of FAULTABLE_OPERATIONS. */
  operations?: string[];
  seed?: number;
}

export const FAULTABLE_OPERATIONS: readonly string[] = [
  'get',
  'set',
  'delete',
  'query',
  'batch/get',
  'batch/set',
  'batch/delete',
  'transaction',
  'entity/get',
  'entity/set',
  'entity/delete',
  'entity/query',
];

export interface FaultDecision {
  delayMs: number;
  /** Present when the request must be refused instead of applied. */
  violation?: Violation;
}

const DEFAULT_SEED = 0x5eed;

function seededRandom(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.next();
}

function checkRate(name: string, rate: number): void {
  if (!Number.isFinite(rate) || rate < 0 || rate > 1)
    throw new RangeError(`${name} must be within [0, 1], got ${rate}`);
}

function latencyRange(latency: KvsFaults['latencyMs']): { min: number; max: number } {
  const range = typeof latency === 'object' ? latency : { min: latency ?? 0, max: latency ?? 0 };
  if (!(range.min >= 0) || !(range.max >= range.min)) {
    throw new RangeError(`latencyMs must be >= 0 with min <= max, got ${JSON.stringify(latency)}`);
  }
  return range;
}

export class FaultInjector {
  private readonly random: () => number;
  private readonly targeted: ReadonlySet<string>;
  private readonly errorRate: number;
  private readonly rateLimitRate: number;
  private readonly latency: { min: number; max: number };

  constructor(faults: KvsFaults) {
    this.errorRate = faults.errorRate ?? 0;
    this.rateLimitRate = faults.rateLimitRate ?? 0;
    checkRate('errorRate', this.errorRate);
    checkRate('rateLimitRate', this.rateLimitRate);
    checkRate('errorRate + rateLimitRate', this.errorRate + this.rateLimitRate);
    this.latency = latencyRange(faults.latencyMs);
    const unknown = (faults.operations ?? []).filter((op) => !FAULTABLE_OPERATIONS.includes(op));
    // A misspelt operation would otherwise silently disable the faults a test relies on.
    if (unknown.length > 0) throw new RangeError(`Unknown KVS operations in faults: ${unknown.join(', ')}`);
    this.targeted = new Set(faults.operations ?? FAULTABLE_OPERATIONS);
    this.random = seededRandom(faults.seed ?? DEFAULT_SEED);
  }

  /**
   * Decided when the request arrives, not after its delay, so the sequence of outcomes
   * depends only on the order of requests and never on timer scheduling.
   */
  decide(operation: string): FaultDecision | undefined {
    if (!this.targeted.has(operation)) return undefined;
    const { min, max } = this.latency;
    const delayMs = min === max ? min : min + Math.floor(this.random() * (max - min + 1));
    if (this.errorRate + this.rateLimitRate === 0) return { delayMs };
    const roll = this.random();
    if (roll < this.errorRate) {
      return {
        delayMs,
        violation: new Violation(500, 'INTERNAL_SERVER_ERROR', 'An internal server error has occurred'),
      };
    }
    if (roll < this.errorRate + this.rateLimitRate) {
      // Forge reports a throttled transaction with its own code (limits-kvs-ce).
      const code = operation === 'transaction' ? 'TOO_MANY_REQUESTS' : 'RATE_LIMIT_EXCEEDED';
      return {
        delayMs,
        violation: new Violation(429, code, 'Rate limit exceeded (injected by the local KVS emulator)'),
      };
    }
    return { delayMs };
  }
}
