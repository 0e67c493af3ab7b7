import { randomUUID } from 'node:crypto';
import { Clock } from '../clock';
import { DEFAULT_VARIANTS, EventVariants } from '../platform_variants';
import { Prng } from '../prng';

/**
 * Forge async events (`@forge/events` 3.x), emulated behind the real SDK. The
 * SDK's `Queue.push` posts through `__requestAtlassianAsApp`, that is through
 * `__forge_fetch__` with `{ type: 'fpp', provider: 'app', remote: 'stargate' }`,
 * to `/webhook/queue/publish/{contextAri}/{environmentId}/{appId}/{appVersion}`
 * (the placeholders are literal; Forge's proxy fills them in). This answers that
 * request as Forge documents it (FORGE_FACTS §11):
 *
 *   - 201 when accepted; 400 for a request the SDK would not have built (no such
 *     queue, no events, more than 50, a delay outside 0..900 s, a body that is not
 *     an object); 413 past 200 KB; 429 past 500 events a minute per installation;
 *     405 past 1,000 push requests in one chain of invocations (the cyclic
 *     invocation limit: a push from a consumer belongs to the chain of the event
 *     that started it).
 *   - Accepted events are delivered at `delayInSeconds` on the injectable clock,
 *     to the consumer whose `queue` they were pushed to, with `jobId`, `eventId`
 *     and, on a redelivery, `retryContext` (`retryCount`, `retryReason`,
 *     `retryData`, `retentionWindow: { startTime, remainingTimeMs }`).
 *   - Delivery is at least once within a retention window (24 h from the push;
 *     the `events.retentionWindowMs` variant extends it up to 96 h). Until an
 *     event is delivered successfully it is delivered again: after `retryAfter`
 *     seconds (1..900) when the consumer returned an InvocationError (`{ _retry:
 *     true, retryOptions }`), and with Forge's own exponential backoff (doubling
 *     from EVENT_RETRIES.firstBackoffMs, capped at about 15 minutes) when it threw
 *     or was stopped at its timeout. There is no cap on the number of retries: an
 *     event is dropped only when its next delivery would fall after the window.
 *   - Lifecycle events (`avi:forge:installed:app`) follow the product-event rule
 *     instead: redelivered after an InvocationError's `retryAfter`, at most four
 *     times, and never for a throw.
 *   - A push made by a consumer invocation that then failed is delivered, or with
 *     the `events.pushFromFailedConsumer: 'dropped'` variant discarded with it.
 *
 * And everything Forge allows itself, drawn from a seeded generator so a run can
 * be replayed: refused pushes (429, 202 with every event failed, 500, 405, a
 * transport error), accepted events that are never delivered, delivered twice,
 * or delivered late.
 */

export interface EventFaults {
  /** Probability that an accepted event is never delivered. */
  lossRate?: number;
  /** Probability that an accepted event is delivered twice (at the same instant). */
  duplicateRate?: number;
  /** Probability that a delivery comes late, and by how much at most (uniform, ms). */
  lateRate?: number;
  maxLatenessMs?: number;
  /** Probability that a push request is refused; which way is drawn from `pushFailures`. */
  pushFailureRate?: number;
  pushFailures?: PushFailureKind[];
  seed?: number;
}

export type PushFailureKind = 'rate-limited' | 'partial' | 'server-error' | 'invocation-limit' | 'transport';
export const PUSH_FAILURE_KINDS: readonly PushFailureKind[] = [
  'rate-limited',
  'partial',
  'server-error',
  'invocation-limit',
  'transport',
];

export const EVENT_LIMITS = {
  maxEventsPerPush: 50,
  maxPayloadBytes: 200 * 1024,
  maxDelaySeconds: 900,
  eventsPerMinutePerInstallation: 500,
  pushRequestsPerChain: 1000,
  maxRetryAfterSeconds: 900,
  /** Product and lifecycle events only (events-reference/product_events); async events have no cap. */
  lifecycleMaxRetries: 4,
} as const;

/**
 * Forge's own redelivery of an async event whose consumer threw or timed out:
 * "exponential backoff, up to about 15 minutes apart". The first step is not
 * documented; a minute, doubling, reaches the cap on the fifth retry.
 */
export const EVENT_RETRIES = {
  firstBackoffMs: 60_000,
  maxBackoffMs: 900_000,
} as const;

/** How a consumer's invocation ended, as Forge sees it. */
export type DeliveryEnd = 'returned' | 'threw' | 'timed-out';

/**
 * The `retryReason` Forge gives a redelivery it made on its own. A timeout is
 * InvocationErrorCode.FUNCTION_TIME_OUT; what a throw is called is not documented,
 * and this name is the emulator's own (docs/assumption_register.md, A14).
 */
export const FORGE_RETRY_REASONS: Record<Exclude<DeliveryEnd, 'returned'>, string> = {
  threw: 'FUNCTION_ERROR',
  'timed-out': 'FUNCTION_TIME_OUT',
};

export const PUSH_PATH = '/webhook/queue/publish/{contextAri}/{environmentId}/{appId}/{appVersion}';

interface PushEvent {
  body: Record<string, unknown>;
  delayInSeconds?: number;
  concurrency?: unknown;
}

/** One delivery waiting for its instant. */
export interface PendingDelivery {
  at: number;
  /** When it would have arrived without injected lateness. */
  scheduledAt: number;
  /** When the event was pushed: its retention window starts here. */
  enqueuedAt: number;
  installationId: string;
  queueName: string;
  jobId: string;
  eventId: string;
  event: PushEvent;
  /** The chain of invocations it belongs to (for the cyclic invocation limit). */
  chain: string;
  /** The invocation that pushed it, if one did. */
  pushedBy?: string;
  retryCount: number;
  retryReason?: string;
  retryData?: unknown;
  /** An injected duplicate (the original is another PendingDelivery). */
  duplicate: boolean;
  /** A lifecycle event's type (its redelivery goes to the `trigger` module subscribed to it), not an async event. */
  lifecycle?: string;
}

export interface EventStats {
  pushRequests: number;
  pushesRefused: number;
  eventsAccepted: number;
  eventsLost: number;
  eventsDuplicated: number;
  eventsLate: number;
  deliveries: number;
  retries: number;
  /** Events dropped because their next delivery would have fallen after the retention window. */
  eventsExpired: number;
  /** Events dropped with the failed consumer invocation that pushed them (the 'dropped' variant). */
  eventsDroppedWithPusher: number;
}

export interface PushCaller {
  installationId: string;
  /** The chain the pushing invocation belongs to. */
  chain: string;
  /** The pushing invocation. */
  invocationId?: string;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

export class AsyncEventsEmulator {
  readonly stats: EventStats = {
    pushRequests: 0,
    pushesRefused: 0,
    eventsAccepted: 0,
    eventsLost: 0,
    eventsDuplicated: 0,
    eventsLate: 0,
    deliveries: 0,
    retries: 0,
    eventsExpired: 0,
    eventsDroppedWithPusher: 0,
  };
  private pending: PendingDelivery[] = [];
  private faults: EventFaults;
  private random: Prng;
  /** Events accepted per installation, by minute, for the rate limit. */
  private perMinute = new Map<string, { minute: number; count: number }>();
  private pushesPerChain = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    /** The queues consumers listen on (manifest.yml's `consumer` modules). */
    private readonly queues: ReadonlySet<string>,
    faults: EventFaults = {},
    readonly variants: EventVariants = DEFAULT_VARIANTS.events,
  ) {
    this.faults = faults;
    this.random = new Prng(faults.seed ?? 0xe7e7);
  }

  setFaults(faults: EventFaults | undefined): void {
    this.faults = faults ?? {};
    if (faults?.seed !== undefined) this.random = new Prng(faults.seed);
  }

  /** Serve one push request from the seam. */
  async handle(caller: PushCaller, path: string, init: { method?: string; body?: string }): Promise<Response> {
    if (path !== PUSH_PATH) return json(404, { message: `No such async events endpoint: ${path}` });
    if ((init.method ?? 'GET').toUpperCase() !== 'POST') return json(405, { message: 'POST only' });
    this.stats.pushRequests++;
    let request: { queueName?: unknown; jobId?: unknown; type?: unknown; payload?: unknown };
    try {
      request = JSON.parse(init.body ?? '') as typeof request;
    } catch {
      return json(400, { message: 'Request body is not JSON' });
    }
    const bad = this.invalid(request);
    if (bad) return json(400, { message: bad });
    const events = request.payload as PushEvent[];
    if (Buffer.byteLength(JSON.stringify(events)) > EVENT_LIMITS.maxPayloadBytes) {
      return json(413, { errorMessage: `The maximum payload size is ${EVENT_LIMITS.maxPayloadBytes / 1024}KB.` });
    }

    const chainPushes = (this.pushesPerChain.get(caller.chain) ?? 0) + 1;
    this.pushesPerChain.set(caller.chain, chainPushes);
    if (chainPushes > EVENT_LIMITS.pushRequestsPerChain) return this.refuse(405, 'cyclic invocation limit reached');
    const now = this.clock.now();
    const minute = Math.floor(now / 60_000);
    const window = this.perMinute.get(caller.installationId);
    const used = window && window.minute === minute ? window.count : 0;
    if (used + events.length > EVENT_LIMITS.eventsPerMinutePerInstallation)
      return this.refuse(429, 'Too many requests');

    const injected = this.injectedPushFailure();
    if (injected === 'transport') {
      this.stats.pushesRefused++;
      throw new TypeError('fetch failed (injected transport failure)');
    }
    if (injected === 'rate-limited') return this.refuse(429, 'Too many requests');
    if (injected === 'server-error') return this.refuse(500, 'Internal server error');
    if (injected === 'invocation-limit') return this.refuse(405, 'cyclic invocation limit reached');
    if (injected === 'partial') {
      this.stats.pushesRefused++;
      return json(202, {
        failedEvents: events.map((_, index) => ({ index: String(index), errorMessage: 'Event could not be queued' })),
      });
    }

    this.perMinute.set(caller.installationId, { minute, count: used + events.length });
    const jobId = String(request.jobId);
    for (const event of events) this.accept(caller, String(request.queueName), jobId, event, now);
    return json(201, { jobId });
  }

  private invalid(request: { queueName?: unknown; jobId?: unknown; type?: unknown; payload?: unknown }): string | null {
    if (typeof request.queueName !== 'string' || !/^[a-zA-Z0-9-_]+$/.test(request.queueName))
      return 'Invalid queue name';
    if (!this.queues.has(request.queueName)) return `No consumer listens on queue ${request.queueName}`;
    if (typeof request.jobId !== 'string' || request.jobId === '') return 'jobId missing';
    if (request.type !== 'avi:forge:app:event') return 'Unsupported event type';
    if (!Array.isArray(request.payload) || request.payload.length === 0) return 'No events pushed.';
    if (request.payload.length > EVENT_LIMITS.maxEventsPerPush)
      return `This push contains more than the ${EVENT_LIMITS.maxEventsPerPush} events allowed.`;
    for (const e of request.payload as unknown[]) {
      const event = e as PushEvent;
      if (typeof e !== 'object' || e === null || Array.isArray(e)) return 'Event must be an object.';
      if (typeof event.body !== 'object' || event.body === null || Array.isArray(event.body))
        return 'Event body must be an object.';
      const delay = event.delayInSeconds;
      if (delay !== undefined && (typeof delay !== 'number' || delay < 0 || delay > EVENT_LIMITS.maxDelaySeconds))
        return 'The delayInSeconds setting must be between 0 and 900.';
    }
    return null;
  }

  private refuse(status: number, message: string): Response {
    this.stats.pushesRefused++;
    return json(status, { message });
  }

  private injectedPushFailure(): PushFailureKind | null {
    const rate = this.faults.pushFailureRate ?? 0;
    if (rate <= 0 || !this.random.chance(rate)) return null;
    const kinds = this.faults.pushFailures?.length ? this.faults.pushFailures : PUSH_FAILURE_KINDS;
    return kinds[this.random.int(0, kinds.length - 1)];
  }

  private accept(caller: PushCaller, queueName: string, jobId: string, event: PushEvent, now: number): void {
    this.stats.eventsAccepted++;
    if (this.faults.lossRate && this.random.chance(this.faults.lossRate)) {
      this.stats.eventsLost++;
      return;
    }
    const scheduledAt = now + Math.round((event.delayInSeconds ?? 0) * 1000);
    const copies = this.faults.duplicateRate && this.random.chance(this.faults.duplicateRate) ? 2 : 1;
    if (copies > 1) this.stats.eventsDuplicated++;
    for (let c = 0; c < copies; c++) {
      let at = scheduledAt;
      if (this.faults.lateRate && this.random.chance(this.faults.lateRate)) {
        this.stats.eventsLate++;
        at += this.random.int(0, this.faults.maxLatenessMs ?? 60_000);
      }
      this.pending.push({
        at,
        scheduledAt,
        enqueuedAt: now,
        installationId: caller.installationId,
        queueName,
        jobId,
        eventId: randomUUID(),
        event: structuredClone(event),
        chain: caller.chain,
        pushedBy: caller.invocationId,
        retryCount: 0,
        duplicate: c > 0,
      });
    }
  }

  /** The instant of the next delivery, if any. */
  nextAt(): number | null {
    return this.pending.reduce<number | null>((min, d) => (min === null || d.at < min ? d.at : min), null);
  }

  /** Remove and return every delivery due at or before `t`, earliest first. */
  takeDue(t: number): PendingDelivery[] {
    const due = this.pending.filter((d) => d.at <= t).sort((a, b) => a.at - b.at);
    this.pending = this.pending.filter((d) => d.at > t);
    this.stats.deliveries += due.length;
    return due;
  }

  /** What the consumer sees: the pushed event, plus Forge's identifiers and, on a retry, its context. */
  asyncEvent(d: PendingDelivery): Record<string, unknown> {
    const retentionEnd = d.enqueuedAt + this.variants.retentionWindowMs;
    return {
      ...structuredClone(d.event),
      queueName: d.queueName,
      jobId: d.jobId,
      eventId: d.eventId,
      contextToken: 'local-context-token',
      ...(d.retryCount > 0
        ? {
            retryContext: {
              retryCount: d.retryCount,
              retryReason: d.retryReason,
              retryData: d.retryData,
              retentionWindow: {
                startTime: new Date(d.enqueuedAt).toISOString(),
                remainingTimeMs: Math.max(0, retentionEnd - this.clock.now()),
              },
            },
          }
        : {}),
    };
  }

  /**
   * A lifecycle event's first delivery, as a delivery the answer can be recorded
   * against (it is not queued: the caller delivers it now).
   */
  lifecycleDelivery(installationId: string, eventType: string): PendingDelivery {
    const now = this.clock.now();
    return {
      at: now,
      scheduledAt: now,
      enqueuedAt: now,
      installationId,
      queueName: '',
      jobId: randomUUID(),
      eventId: randomUUID(),
      event: { body: {} },
      chain: randomUUID(),
      retryCount: 0,
      duplicate: false,
      lifecycle: eventType,
    };
  }

  /**
   * How the consumer's invocation of a delivery ended: it returned `result`, threw,
   * or was stopped at its timeout. Anything but a plain return (or a return of an
   * InvocationError) delivers the event successfully and ends it. Otherwise it comes
   * again (see the header for when) while its retention window lasts, and under the
   * 'dropped' variant what the failed invocation pushed is discarded. Returns whether
   * the event will come again.
   */
  answered(d: PendingDelivery, result: unknown, end: DeliveryEnd = 'returned', invocationId?: string): boolean {
    const r = result as {
      _retry?: unknown;
      retryOptions?: { retryAfter?: unknown; retryReason?: unknown; retryData?: unknown };
    } | null;
    const asked = end === 'returned' && r !== null && typeof r === 'object' && r._retry === true;
    if (end === 'returned' && !asked) return false;
    if (invocationId !== undefined && this.variants.pushFromFailedConsumer === 'dropped') {
      const dropped = this.pending.filter((p) => p.pushedBy === invocationId);
      if (dropped.length > 0) {
        this.stats.eventsDroppedWithPusher += dropped.length;
        this.pending = this.pending.filter((p) => p.pushedBy !== invocationId);
      }
    }
    if (d.lifecycle && (!asked || d.retryCount >= EVENT_LIMITS.lifecycleMaxRetries)) return false;

    let delayMs: number;
    let retryReason: string;
    let retryData: unknown;
    if (asked) {
      const after = Number(r?.retryOptions?.retryAfter ?? 1);
      delayMs = 1000 * Math.min(EVENT_LIMITS.maxRetryAfterSeconds, Math.max(1, Number.isFinite(after) ? after : 1));
      retryReason =
        typeof r?.retryOptions?.retryReason === 'string' ? r.retryOptions.retryReason : 'FUNCTION_RETRY_REQUEST';
      retryData = r?.retryOptions?.retryData;
    } else {
      delayMs = Math.min(EVENT_RETRIES.maxBackoffMs, EVENT_RETRIES.firstBackoffMs * 2 ** d.retryCount);
      retryReason = FORGE_RETRY_REASONS[end as Exclude<DeliveryEnd, 'returned'>];
      retryData = undefined;
    }
    const at = this.clock.now() + delayMs;
    if (!d.lifecycle && at > d.enqueuedAt + this.variants.retentionWindowMs) {
      this.stats.eventsExpired++;
      return false;
    }
    this.stats.retries++;
    this.pending.push({
      ...d,
      at,
      scheduledAt: at,
      retryCount: d.retryCount + 1,
      retryReason,
      retryData,
      duplicate: false,
    });
    return true;
  }

  /**
   * Deliveries an earlier run left waiting (a `--kvs-file` world keeps them), to be delivered at
   * their instants as if this emulator had accepted them.
   */
  restore(deliveries: readonly PendingDelivery[]): void {
    this.pending.push(...deliveries.map((d) => structuredClone(d)));
  }

  /** Forget every waiting delivery and the limits' counters (a world reused for another history). */
  clear(): void {
    this.pending = [];
    this.perMinute.clear();
    this.pushesPerChain.clear();
  }

  /** Deliveries still waiting (for tests and reports). */
  waiting(): readonly PendingDelivery[] {
    return this.pending;
  }
}
