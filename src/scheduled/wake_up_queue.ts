import { InvocationError, InvocationErrorCode, Queue } from '@forge/events';
import { WakeUpPushError } from '../errors';
import { parseIsoInstant, toIso } from '../time';
import type { WakeUpRetry } from './decisions';

/**
 * The one place the app pushes async events (`@forge/events`), and the queue
 * its wake-up consumer listens on (manifest.yml names the same key).
 *
 * A wake-up says only "look again at about this instant". The consumer decides
 * from storage and the clock, exactly as a scheduled tick does, so the body is
 * informative: `wake_at` for the log line, `cloud_id` so a delivery to the wrong
 * site is refused (resolveWakeUpTenant). Neither may widen what the consumer does.
 */
export const WAKE_UP_QUEUE = 'phase5-wake-up';

export interface WakeUpBody {
  [field: string]: unknown;
  cloud_id: string;
  wake_at: string;
}

let queue: Queue | undefined;

/**
 * Push one wake-up to arrive after `delayInSeconds`. Any failure (rate limit,
 * partial success, invocation limit, transport) becomes a WakeUpPushError with
 * the SDK's error as `cause`: whether the event went out is then unknown, and
 * either way is safe, as a lost wake-up costs lateness, never a report.
 */
export async function pushWakeUp(body: WakeUpBody, delayInSeconds: number): Promise<string> {
  try {
    queue ??= new Queue({ key: WAKE_UP_QUEUE });
    const { jobId } = await queue.push({ body, delayInSeconds });
    return jobId;
  } catch (err) {
    const kind = err instanceof Error ? err.constructor.name : typeof err;
    throw new WakeUpPushError(`Wake-up push failed (${kind})`, { cause: err });
  }
}

/** What a consumer returns to have Forge deliver the same event again (`InvocationError` in @forge/events). */
export type RetryLaterResponse = ReturnType<typeof retryLaterResponse>;

/** The consumer's own mark on a retry it asks for, so that the redelivery can tell it from Forge's own retries. */
const ASKED_MARK = 'storage_refused_at';

/**
 * Ask Forge to deliver the event again after `retryAfterSeconds`, marking the request
 * as this consumer's (`retryData`, returned in the redelivery's `retryContext`).
 */
export function retryLaterResponse(retryAfterSeconds: number, refusedAt: number) {
  return new InvocationError({
    retryAfter: retryAfterSeconds,
    retryReason: InvocationErrorCode.FUNCTION_RETRY_REQUEST,
    retryData: { [ASKED_MARK]: toIso(refusedAt) },
  }) as unknown as {
    _retry: true;
    retryOptions: { retryAfter: number; retryReason: string; retryData: Record<string, string> };
  };
}

/**
 * The `retryContext` Forge puts on a redelivered async event, as the decisions read
 * it; null on a first delivery. Fields Forge leaves out or garbles read as unknown
 * (a count as 0 only when absent, since a count that is not a number says nothing).
 */
export function wakeUpRetryOf(event: unknown): WakeUpRetry | null {
  const context = isObject(event) ? event.retryContext : undefined;
  if (!isObject(context)) return null;
  const count = context.retryCount;
  const window = isObject(context.retentionWindow) ? context.retentionWindow : {};
  const remaining = window.remainingTimeMs;
  return {
    retryCount: typeof count === 'number' && Number.isFinite(count) && count >= 0 ? Math.floor(count) : 0,
    askedByUs: isObject(context.retryData) && typeof context.retryData[ASKED_MARK] === 'string',
    retentionStartedAt: typeof window.startTime === 'string' ? parseIsoInstant(window.startTime) : null,
    retentionRemainingMs: typeof remaining === 'number' && Number.isFinite(remaining) ? remaining : null,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
