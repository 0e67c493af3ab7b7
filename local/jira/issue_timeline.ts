/**
 * The issues of one project, modelled as a formula instead of rows.
 *
 * A large site has millions of issues; storing them would make the emulator slow
 * to build and the tests slow to run. Instead issue n (0-based) of a project is:
 *
 *   created(n)  = firstCreatedAt + n * intervalMs          (a steady creation rate)
 *   worked(n)   = created(n) + updateLagMs <= now            (touched once, after a lag)
 *   updated(n)  = worked ? created(n) + updateLagMs : created(n)
 *   issuetype   = issueTypeIds[n mod T]
 *   status      = worked ? finalStatusIds[n mod S] : initialStatusId
 *
 * An issue exists once created(n) <= now, so a site keeps growing, and issues
 * keep moving to their final status, as the clock advances. Both time conditions
 * of a JQL query become ranges of n (at most one per "worked" cohort), and the
 * type/status conditions depend only on n mod lcm(T, S). Counting a query is
 * therefore O(1) per project once the residue masks are built, whatever the
 * number of issues, and a page of results is produced by walking n upwards
 * from a cursor.
 */

// Module-level aliases: under jest's vm sandbox every access to a global such
// as `Math` goes through the context's property interceptors, a cost paid
// several times per project on every count. Locals keep the hot path free of it.
const { floor, ceil, min, max } = Math;

/** Half-open range of epoch milliseconds, [from, to). Unbounded sides are ±Infinity. */
export interface TimeRange {
  from: number;
  to: number;
}

export const ALL_TIME: TimeRange = { from: -Infinity, to: Infinity };

/** The part of a JQL query that is evaluated per issue, already resolved to ids. */
export interface IssueQuery {
  /** Projects to search, by id; null means every project on the site. */
  projectIds: ReadonlySet<string> | null;
  created: TimeRange;
  updated: TimeRange;
  /** The type/status conditions of the query. */
  accepts(issueTypeId: string, statusId: string): boolean;
}

/** A run of issue numbers [lo, hi) that share the same "worked" state. */
interface Slice {
  lo: number;
  hi: number;
  worked: boolean;
}

export interface TimelineShape {
  firstCreatedAt: number;
  intervalMs: number;
  updateLagMs: number;
  issueTypeIds: readonly string[];
  initialStatusId: string;
  finalStatusIds: readonly string[];
}

export class ProjectTimeline implements TimelineShape {
  readonly firstCreatedAt: number;
  readonly intervalMs: number;
  readonly updateLagMs: number;
  readonly issueTypeIds: readonly string[];
  readonly initialStatusId: string;
  readonly finalStatusIds: readonly string[];
  /** Type and status repeat with this period in n. */
  readonly period: number;
  /** Identify the residue masks this timeline shares with same-shaped ones. */
  private readonly workedMaskKey: string;
  private readonly freshMaskKey: string;

  constructor(shape: TimelineShape) {
    if (!Number.isInteger(shape.intervalMs) || shape.intervalMs < 1) {
      throw new RangeError(`intervalMs must be a positive integer, got ${shape.intervalMs}`);
    }
    this.firstCreatedAt = shape.firstCreatedAt;
    this.intervalMs = shape.intervalMs;
    this.updateLagMs = shape.updateLagMs;
    this.issueTypeIds = shape.issueTypeIds;
    this.initialStatusId = shape.initialStatusId;
    this.finalStatusIds = shape.finalStatusIds;
    this.period = lcm(shape.issueTypeIds.length, shape.finalStatusIds.length);
    const cycles = JSON.stringify([shape.issueTypeIds, shape.finalStatusIds]);
    this.workedMaskKey = `worked:${cycles}`;
    this.freshMaskKey = `fresh:${shape.initialStatusId}:${shape.issueTypeIds.join(',')}`;
  }

  createdAt(n: number): number {
    return this.firstCreatedAt + n * this.intervalMs;
  }

  isWorked(n: number, now: number): boolean {
    return this.createdAt(n) + this.updateLagMs <= now;
  }

  updatedAt(n: number, now: number): number {
    return this.isWorked(n, now) ? this.createdAt(n) + this.updateLagMs : this.createdAt(n);
  }

  issueTypeId(n: number): string {
    return this.issueTypeIds[n % this.issueTypeIds.length];
  }

  statusId(n: number, now: number): string {
    return this.isWorked(n, now) ? this.finalStatusIds[n % this.finalStatusIds.length] : this.initialStatusId;
  }

  /** How many issues exist at `now`. */
  issueCount(now: number): number {
    return this.createdBefore(now + 1);
  }

  /**
   * The latest `updated` among existing issues: the newest issue, or the newest
   * worked one (its lag may carry it past every issue created after it).
   */
  lastUpdatedAt(now: number): number | undefined {
    const existing = this.issueCount(now);
    if (existing === 0) return undefined;
    const worked = min(existing, this.createdBefore(now - this.updateLagMs + 1));
    const newestWorked = worked > 0 ? this.createdAt(worked - 1) + this.updateLagMs : -Infinity;
    return max(this.updatedAt(existing - 1, now), newestWorked);
  }

  count(now: number, query: IssueQuery): number {
    const b = this.bounds(now, query);
    let total = 0;
    if (b[1] > b[0]) total += this.acceptedIn(b[0], b[1], this.mask(true, query));
    if (b[3] > b[2]) total += this.acceptedIn(b[2], b[3], this.mask(false, query));
    return total;
  }

  /** Issue numbers matching the query at `now`, ascending, starting at `fromN`. */
  *matching(now: number, query: IssueQuery, fromN = 0): Generator<number> {
    for (const slice of this.slices(now, query)) {
      const { accepted, perPeriod } = this.mask(slice.worked, query);
      if (perPeriod === 0) continue;
      for (let n = max(slice.lo, fromN); n < slice.hi; n++) {
        if (accepted[n % this.period]) yield n;
      }
    }
  }

  /** Number of issues with created(n) < t. */
  private createdBefore(t: number): number {
    if (t <= this.firstCreatedAt) return 0;
    return ceil((t - this.firstCreatedAt) / this.intervalMs);
  }

  /**
   * The n-ranges whose created and updated times fall in the query's ranges,
   * as [workedLo, workedHi, freshLo, freshHi]. Issues [0, worked) carry
   * updated = created + lag; issues [worked, existing) carry updated = created.
   * Each cohort's updated time is monotonic in n, so each range condition cuts
   * a cohort down to one contiguous range.
   */
  private bounds(now: number, query: IssueQuery): Float64Array {
    const existing = this.createdBefore(now + 1);
    const worked = min(existing, this.createdBefore(now - this.updateLagMs + 1));
    const createdLo = this.createdBefore(query.created.from);
    const createdHi = this.createdBefore(query.created.to);
    const lag = this.updateLagMs;
    BOUNDS[0] = max(0, createdLo, this.createdBefore(query.updated.from - lag));
    BOUNDS[1] = min(worked, createdHi, this.createdBefore(query.updated.to - lag));
    BOUNDS[2] = max(worked, createdLo, this.createdBefore(query.updated.from));
    BOUNDS[3] = min(existing, createdHi, this.createdBefore(query.updated.to));
    return BOUNDS;
  }

  private slices(now: number, query: IssueQuery): Slice[] {
    const [workedLo, workedHi, freshLo, freshHi] = this.bounds(now, query);
    const slices: Slice[] = [];
    if (workedHi > workedLo) slices.push({ lo: workedLo, hi: workedHi, worked: true });
    if (freshHi > freshLo) slices.push({ lo: freshLo, hi: freshHi, worked: false });
    return slices;
  }

  /** How many n in [lo, hi) the mask accepts, in O(1): whole periods, then the partial one. */
  private acceptedIn(lo: number, hi: number, mask: ResidueMask): number {
    const p = this.period;
    return (
      floor(hi / p) * mask.perPeriod + mask.before[hi % p] - (floor(lo / p) * mask.perPeriod + mask.before[lo % p])
    );
  }

  /**
   * Which residues r (n mod period) satisfy the type/status conditions. Only the
   * cycles matter, and a site has few distinct ones, so masks are memoised per
   * query: a count over thousands of projects evaluates `accepts` a few hundred
   * times, not once per project and residue.
   */
  private mask(worked: boolean, query: IssueQuery): ResidueMask {
    let memo = MASKS.get(query);
    if (!memo) {
      memo = new Map();
      MASKS.set(query, memo);
    }
    const key = worked ? this.workedMaskKey : this.freshMaskKey;
    let mask = memo.get(key);
    if (!mask) {
      const accepted = new Uint8Array(this.period);
      const before = new Uint32Array(this.period + 1);
      for (let r = 0; r < this.period; r++) {
        const statusId = worked ? this.finalStatusIds[r % this.finalStatusIds.length] : this.initialStatusId;
        accepted[r] = query.accepts(this.issueTypeIds[r % this.issueTypeIds.length], statusId) ? 1 : 0;
        before[r + 1] = before[r] + accepted[r];
      }
      mask = { accepted, before, perPeriod: before[this.period] };
      memo.set(key, mask);
    }
    return mask;
  }
}

interface ResidueMask {
  /** accepted[r] is 1 when issues with n mod period = r match. */
  accepted: Uint8Array;
  /** before[r] = how many residues below r are accepted (prefix sums, length period + 1). */
  before: Uint32Array;
  /** Accepted residues per full period. */
  perPeriod: number;
}

/**
 * Scratch space for bounds(). Counting a large site visits thousands of
 * projects per request; returning fresh arrays from each visit made garbage
 * collection pauses dominate the request time. Safe because bounds() is
 * synchronous and every caller reads the result before the next call.
 */
const BOUNDS = new Float64Array(4);

/** Masks per query, dropped with the query. */
const MASKS = new WeakMap<IssueQuery, Map<string, ResidueMask>>();

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}
