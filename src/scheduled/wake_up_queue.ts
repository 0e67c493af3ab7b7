import { InvocationError, InvocationErrorCode, Queue } from '@forge/events';
import { WakeUpPushError } from '../errors';

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

export function retryLaterResponse(retryAfterSeconds: number) {
  return new InvocationError({
    retryAfter: retryAfterSeconds,
    retryReason: InvocationErrorCode.FUNCTION_RETRY_REQUEST,
  }) as unknown as { _retry: true; retryOptions: { retryAfter: number; retryReason: string } };
}
