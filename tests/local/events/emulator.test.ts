import {
  InvalidPushSettingsError,
  InternalServerError,
  InvocationLimitReachedError,
  PartialSuccessError,
  Queue,
  RateLimitError,
  TooManyEventsError,
} from '@forge/events';
import { LocalApp } from '../../../local/runtime/local_app';
import type { Installation } from '../../../local/runtime/forge_runtime';
import { WAKE_UP_QUEUE } from '../../../src/scheduled/wake_up_queue';

/**
 * The async events emulator behind the real @forge/events SDK: what a push is
 * answered with, and what the consumer then receives, as Forge documents it.
 */

let app: LocalApp;
let inst: Installation;
afterEach(() => app.dispose());

function world(opts: ConstructorParameters<typeof LocalApp>[0] = {}): void {
  app = new LocalApp(opts);
  inst = app.newInstallation();
}

/** Push from inside an invocation of this installation (optionally as part of an existing chain). */
async function push(events: Parameters<Queue['push']>[0], queue = WAKE_UP_QUEUE, chain?: string) {
  const run = await app.runtime.run(inst, 'test-pusher', 60_000, () => new Queue({ key: queue }).push(events), {
    chain,
  });
  if (run.killed) throw new Error('killed');
  return { jobId: run.result.jobId, invocation: run.invocation };
}

describe('pushing', () => {
  it('delivers an accepted event to the consumer of its queue at its delay, with Forge identifiers', async () => {
    world();
    const start = app.clock.now();
    const { jobId } = await push({ body: { cloud_id: inst.cloudId, wake_at: 'x' }, delayInSeconds: 120 });

    const early = await app.deliverEvents(start + 119_999);
    const delivered = await app.deliverEvents(start + 10 * 60_000);

    expect(early).toEqual([]);
    expect(delivered).toHaveLength(1);
    expect(delivered[0].delivery.at).toBe(start + 120_000);
    expect(delivered[0].invocation.moduleKey).toBe('phase5-wake-up-consumer');
    expect(app.events.asyncEvent(delivered[0].delivery)).toMatchObject({
      body: { cloud_id: inst.cloudId },
      delayInSeconds: 120,
      queueName: WAKE_UP_QUEUE,
      jobId,
      eventId: expect.any(String),
    });
  });

  it('is refused by the SDK before any request for more than 50 events or a delay over 900 s', async () => {
    world();
    const many = Array.from({ length: 51 }, () => ({ body: {} }));

    await expect(push(many)).rejects.toThrow(TooManyEventsError);
    await expect(push({ body: {}, delayInSeconds: 901 })).rejects.toThrow(InvalidPushSettingsError);
    expect(app.events.stats.pushRequests).toBe(0);
  });

  it('answers a push to a queue no consumer listens on with an error', async () => {
    world();

    await expect(push({ body: {} }, 'no-such-queue')).rejects.toThrow(InternalServerError);
    expect(app.events.waiting()).toEqual([]);
  });

  it('refuses more than 500 events a minute for one installation (RateLimitError), and takes them again a minute later', async () => {
    world();
    const fifty = Array.from({ length: 50 }, () => ({ body: {} }));
    for (let i = 0; i < 10; i++) await push(fifty);

    await expect(push({ body: {} })).rejects.toThrow(RateLimitError);
    app.clock.advance(60_000);
    await expect(push({ body: {} })).resolves.toMatchObject({ jobId: expect.any(String) });
  });

  it('refuses the 1,001st push request of one chain of invocations (InvocationLimitReachedError)', async () => {
    world();
    for (let i = 0; i < 1000; i++) {
      if (i % 400 === 0) app.clock.advance(60_000); // stay under the per-minute limit
      await push({ body: {} }, WAKE_UP_QUEUE, 'chain-1');
    }

    await expect(push({ body: {} }, WAKE_UP_QUEUE, 'chain-1')).rejects.toThrow(InvocationLimitReachedError);
    await expect(push({ body: {} }, WAKE_UP_QUEUE, 'chain-2')).resolves.toMatchObject({ jobId: expect.any(String) });
  });

  it('reports a partial success with the events that failed', async () => {
    world({ eventFaults: { pushFailureRate: 1, pushFailures: ['partial'] } });

    const error = await push([{ body: { n: 1 } }, { body: { n: 2 } }]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PartialSuccessError);
    // The SDK's types call it `event`; the SDK itself sets `payload` (validators.js).
    const failed = (error as PartialSuccessError).failedEvents as unknown as Array<{ payload: unknown }>;
    expect(failed.map((f) => f.payload)).toEqual([{ body: { n: 1 } }, { body: { n: 2 } }]);
    expect(app.events.waiting()).toEqual([]);
  });
});

describe('delivering', () => {
  it('loses, duplicates and delays events as asked, each from a seeded draw', async () => {
    world({ eventFaults: { lossRate: 0.3, duplicateRate: 0.3, lateRate: 0.5, maxLatenessMs: 5_000, seed: 3 } });
    const start = app.clock.now();
    for (let i = 0; i < 20; i++) await push(Array.from({ length: 10 }, () => ({ body: {}, delayInSeconds: 10 })));

    const delivered = await app.deliverEvents(start + 60_000);

    const s = app.events.stats;
    expect(s.eventsAccepted).toBe(200);
    expect(s.eventsLost).toBeGreaterThan(0);
    expect(s.eventsDuplicated).toBeGreaterThan(0);
    expect(delivered).toHaveLength(200 - s.eventsLost + s.eventsDuplicated);
    const lateness = delivered.map((d) => d.delivery.at - (start + 10_000));
    expect(Math.min(...lateness)).toBe(0);
    expect(Math.max(...lateness)).toBeGreaterThan(0);
    expect(Math.max(...lateness)).toBeLessThanOrEqual(5_000);
  });

  it("delivers again when the consumer returns an InvocationError, with the retry's context and retention window", async () => {
    world({ kvsFaults: { errorRate: 1, seed: 1 } });
    const start = app.clock.now();
    await push({ body: { cloud_id: inst.cloudId } });

    const delivered = await app.deliverEvents(start + 60 * 60_000);

    expect(delivered[0].retried).toBe(true);
    expect(delivered[1].delivery.at - delivered[0].delivery.at).toBe(60_000);
    expect(app.events.asyncEvent(delivered[1].delivery)).toMatchObject({
      retryContext: {
        retryCount: 1,
        retryReason: 'FUNCTION_RETRY_REQUEST',
        retentionWindow: {
          startTime: new Date(start).toISOString(),
          remainingTimeMs: start + 24 * 3_600_000 - app.clock.now(),
        },
      },
    });
  });
});
