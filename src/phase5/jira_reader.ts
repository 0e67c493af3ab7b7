import api, { route } from '@forge/api';
import { describeError } from '../errors';

/**
 * Reads from Jira as the app, within a deadline. Every answer is untrusted: a
 * body is used only after a shape check, and anything that is not a usable
 * answer comes back as a reason, never as a number we would have to guess.
 */

export type UnavailableReason =
  | 'NOT_PERMITTED'
  | 'RATE_LIMITED'
  | 'REMOVED_ENDPOINT'
  | 'TIMED_OUT'
  | 'SERVER_ERROR'
  | 'UNEXPECTED_RESPONSE'
  /** Not asked: the generation's request budget was spent (on retries, usually). */
  | 'OVER_BUDGET';

export type JiraResult<T> = { ok: true; value: T } | { ok: false; reason: UnavailableReason; detail: string };

export type Guard<T> = (body: unknown) => body is T;

type Route = ReturnType<typeof route>;
type JiraAnswer = Awaited<ReturnType<ReturnType<typeof api.asApp>['requestJira']>>;

export interface JiraReaderOptions {
  /** Epoch ms by which every request must have been answered. */
  deadlineAt: number;
  now: () => number;
  /** One request may take at most this long (real time) before it counts as timed out. */
  requestTimeoutMs?: number;
  /** Honour a 429's Retry-After only up to this wait; longer ones are reported as rate limited. */
  maxRetryAfterMs?: number;
  /** Retries after 429 per request. */
  maxRetries?: number;
  /** Requests in flight at once: enough to finish quickly, few enough not to provoke Jira's rate limiter. */
  maxConcurrent?: number;
  /** Requests one reader sends at most, retries included; any beyond are answered OVER_BUDGET unsent. */
  maxRequests?: number;
}

const TIMEOUT = Symbol('timeout');
const OUT_OF_BUDGET = Symbol('out of budget');
const OVER_REQUEST_BUDGET = Symbol('over the request budget');

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMEOUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMEOUT), Math.max(0, ms));
    // A timer must not keep a finished process alive; the race only matters while someone awaits it.
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After is seconds (or an HTTP date); anything unreadable means "not told". */
function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

export class JiraReader {
  /** Requests sent, including retries. */
  requests = 0;
  private readonly opts: Required<JiraReaderOptions>;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(opts: JiraReaderOptions) {
    this.opts = {
      requestTimeoutMs: 10_000,
      maxRetryAfterMs: 10_000,
      maxRetries: 2,
      maxConcurrent: 4,
      maxRequests: Infinity,
      ...opts,
    };
  }

  /** Requests this reader may still send. */
  get requestsLeft(): number {
    return Math.max(0, this.opts.maxRequests - this.requests);
  }

  private async slot<T>(work: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.opts.maxConcurrent) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
    try {
      return await work();
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }

  get<T>(path: Route, guard: Guard<T>): Promise<JiraResult<T>> {
    return this.request(path, { method: 'GET', headers: { Accept: 'application/json' } }, guard);
  }

  post<T>(path: Route, body: unknown, guard: Guard<T>): Promise<JiraResult<T>> {
    return this.request(
      path,
      {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      },
      guard,
    );
  }

  private async request<T>(path: Route, init: RequestInit, guard: Guard<T>): Promise<JiraResult<T>> {
    for (let retry = 0; ; retry++) {
      let response;
      try {
        response = await this.slot<JiraAnswer | typeof TIMEOUT | typeof OUT_OF_BUDGET | typeof OVER_REQUEST_BUDGET>(
          () => {
            // Checked once a slot is free: a request that waited its turn past the deadline is not sent.
            const remaining = this.opts.deadlineAt - this.opts.now();
            if (remaining <= 0) return Promise.resolve(OUT_OF_BUDGET);
            if (this.requests >= this.opts.maxRequests) return Promise.resolve(OVER_REQUEST_BUDGET);
            this.requests++;
            return withTimeout(
              api.asApp().requestJira(path, init as Parameters<ReturnType<typeof api.asApp>['requestJira']>[1]),
              Math.min(this.opts.requestTimeoutMs, remaining),
            );
          },
        );
      } catch (err) {
        return { ok: false, reason: 'SERVER_ERROR', detail: describeError(err) };
      }
      if (response === OUT_OF_BUDGET)
        return { ok: false, reason: 'TIMED_OUT', detail: 'generation time budget used up' };
      if (response === OVER_REQUEST_BUDGET)
        return { ok: false, reason: 'OVER_BUDGET', detail: `request budget of ${this.opts.maxRequests} used up` };
      if (response === TIMEOUT) return { ok: false, reason: 'TIMED_OUT', detail: 'Jira did not answer in time' };

      const status = response.status;
      if (status === 429) {
        const wait = retryAfterMs(response.headers.get('Retry-After'), this.opts.now());
        const fits =
          wait !== null && wait <= this.opts.maxRetryAfterMs && this.opts.now() + wait < this.opts.deadlineAt;
        if (retry < this.opts.maxRetries && fits) {
          await sleep(wait);
          continue;
        }
        return {
          ok: false,
          reason: 'RATE_LIMITED',
          detail: `429 from Jira${wait === null ? '' : `; Retry-After ${Math.round(wait / 1000)} s`}${retry > 0 ? ` after ${retry} retr${retry === 1 ? 'y' : 'ies'}` : ''}`,
        };
      }
      if (status === 401 || status === 403)
        return { ok: false, reason: 'NOT_PERMITTED', detail: `${status} from Jira` };
      if (status === 410) return { ok: false, reason: 'REMOVED_ENDPOINT', detail: '410 Gone from Jira' };
      if (status >= 500) return { ok: false, reason: 'SERVER_ERROR', detail: `${status} from Jira` };
      if (status !== 200) return { ok: false, reason: 'UNEXPECTED_RESPONSE', detail: `${status} from Jira` };

      let body: unknown;
      try {
        body = await response.json();
      } catch {
        return { ok: false, reason: 'UNEXPECTED_RESPONSE', detail: 'response was not JSON' };
      }
      if (!guard(body))
        return { ok: false, reason: 'UNEXPECTED_RESPONSE', detail: 'response did not have the expected shape' };
      return { ok: true, value: body };
    }
  }
}
