import { InvocationError, InvocationErrorCode, Queue } from '@forge/events';
import { EVENT_RETRIES, FORGE_RETRY_REASONS } from '../../../local/events/emulator';
import type { Installation } from '../../../local/runtime/forge_runtime';
import { EventDelivery, LocalApp, LocalAppOptions } from '../../../local/runtime/local_app';
import { WAKE_UP_QUEUE } from '../../../src/scheduled/wake_up_queue';

/**
 * How the local runtime redelivers events, as Forge documents it (FORGE_FACTS §11,
 * corrected): an async event whose consumer threw, timed out or returned an
 * InvocationError is delivered again, with exponential backoff up to about 15
 * minutes apart (or the InvocationError's `retryAfter`), for as long as its 24 h
 * retention window lasts (up to 96 h when extended), with no cap on the number
 * of retries; the "four retries" rule is the lifecycle event's alone.
 *
 * The consumer here is a stand-in put in place of the manifest's wake-up consumer
 * function (`Invoker.replaceHandler`), so each test can make it throw, hang or ask
 * for a retry on demand: these are the runtime's contract, not the app's behaviour
 * (tests/scheduled/wake_up_retries.test.ts holds the app to it).
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const CONSUMER_FN = 'phase5-wake-up-fn';

let app: LocalApp;
let inst: Installation;
afterEach(() => app.dispose());

type Behaviour = (event: Record<string, unknown>) => unknown;

/** A world whose wake-up consumer does what `behaviour` says with each event it receives. */
function world(behaviour: Behaviour, opts: LocalAppOptions = {}): Array<Record<string, unknown>> {
  app = new LocalApp(opts);
  inst = app.newInstallation();
  const received: Array<Record<string, unknown>> = [];
  app.invoker.replaceHandler(CONSUMER_FN, (event: unknown) => {
    received.push(event as Record<string, unknown>);
    return behaviour(event as Record<string, unknown>);
  });
  return received;
}

async function push(body: Record<string, unknown> = { n: 1 }, delayInSeconds = 0): Promise<void> {
  const run = await app.runtime.run(inst, 'test-pusher', 60_000, () =>
    new Queue({ key: WAKE_UP_QUEUE }).push({ body, delayInSeconds }),
  );
  if (run.killed) throw new Error('the push was killed');
}

const gaps = (deliveries: EventDelivery[]) =>
  deliveries.slice(1).map((d, i) => (d.delivery.at - deliveries[i].delivery.at) / SECOND);

describe('an async event whose consumer fails', () => {
  it('that threw is delivered again with backoff doubling from a minute to about 15 minutes, beyond four retries', async () => {
    const received = world(() => {
      throw new Error('consumer bug');
    });
    const start = app.clock.now();
    await push();

    const deliveries = await app.deliverEvents(start + 2 * HOUR);

    expect(deliveries.every((d) => d.threw && d.retried)).toBe(true);
    expect(gaps(deliveries).slice(0, 8)).toEqual([60, 120, 240, 480, 900, 900, 900, 900]);
    expect(deliveries.length).toBeGreaterThan(5);
    expect(received[1].retryContext).toMatchObject({
      retryCount: 1,
      retryReason: FORGE_RETRY_REASONS.threw,
      retentionWindow: { startTime: new Date(start).toISOString(), remainingTimeMs: 24 * HOUR - MINUTE },
    });
    expect(received[0]).not.toHaveProperty('retryContext');
  });

  it('that was stopped at its timeout is delivered again, its retry context saying so', async () => {
    const received = world(() => {
      app.runtime.currentInvocation()!.kill();
      return new Promise(() => undefined);
    });
    const start = app.clock.now();
    await push();

    const deliveries = await app.deliverEvents(start + 10 * MINUTE);

    expect(deliveries.map((d) => [d.killed, d.threw, d.retried])).toEqual([
      [true, false, true],
      [true, false, true],
      [true, false, true],
      [true, false, true],
    ]);
    expect(gaps(deliveries)).toEqual([60, 120, 240]);
    expect(received[2].retryContext).toMatchObject({ retryCount: 2, retryReason: 'FUNCTION_TIME_OUT' });
  });

  it('that returned an InvocationError comes again after its retryAfter (at most 900 s), with its retryData, as often as it asks', async () => {
    const received = world(
      (event) =>
        new InvocationError({
          retryAfter: (event.retryContext as { retryCount?: number } | undefined)?.retryCount === 2 ? 5_000 : 30,
          retryReason: InvocationErrorCode.FUNCTION_RETRY_REQUEST,
          retryData: { asked: ((event.retryContext as { retryCount?: number })?.retryCount ?? 0) + 1 },
        }),
    );
    const start = app.clock.now();
    await push();

    const deliveries = await app.deliverEvents(start + 30 * MINUTE);

    expect(gaps(deliveries).slice(0, 6)).toEqual([30, 30, 900, 30, 30, 30]);
    expect(deliveries.length).toBeGreaterThan(5);
    expect(received[3].retryContext).toMatchObject({
      retryCount: 3,
      retryReason: 'FUNCTION_RETRY_REQUEST',
      retryData: { asked: 3 },
    });
  });

  it('is retried only while its 24 h retention window lasts, and then dropped', async () => {
    world(() => {
      throw new Error('always');
    });
    const start = app.clock.now();
    await push();

    const deliveries = await app.deliverEvents(start + 30 * HOUR);

    const last = deliveries[deliveries.length - 1];
    expect(last.delivery.at).toBeLessThanOrEqual(start + 24 * HOUR);
    expect(last.delivery.at + EVENT_RETRIES.maxBackoffMs).toBeGreaterThan(start + 24 * HOUR);
    expect(last.retried).toBe(false);
    expect(app.events.stats.eventsExpired).toBe(1);
    expect(app.events.waiting()).toEqual([]);
    // The first delivery, five retries reaching the cap 30 min in, then one every 15 minutes for the rest of the day.
    expect(deliveries.length).toBe(1 + 5 + Math.floor((24 * HOUR - 30 * MINUTE) / (15 * MINUTE)));
  });

  it('is retried for up to 96 h when the retention window is extended', async () => {
    world(
      () => {
        throw new Error('always');
      },
      { variants: { events: { retentionWindowMs: 96 * HOUR } } },
    );
    const start = app.clock.now();
    await push();

    const deliveries = await app.deliverEvents(start + 100 * HOUR);

    expect(deliveries[deliveries.length - 1].delivery.at).toBeGreaterThan(start + 95 * HOUR);
    expect(deliveries[deliveries.length - 1].delivery.at).toBeLessThanOrEqual(start + 96 * HOUR);
    expect(() => new LocalApp({ variants: { events: { retentionWindowMs: 97 * HOUR } } })).toThrow(RangeError);
  });

  it('that returned anything else is done: not delivered again', async () => {
    world(() => ({ statusCode: 503, body: 'storage unavailable' }));
    const start = app.clock.now();
    await push();

    const deliveries = await app.deliverEvents(start + HOUR);

    expect(deliveries.map((d) => d.retried)).toEqual([false]);
  });
});

describe('a push made by a consumer invocation that then fails', () => {
  async function pushThenThrow(pushFromFailedConsumer: 'delivered' | 'dropped') {
    const received = world(
      async (event) => {
        if ((event.body as { n?: number }).n === 1) {
          await new Queue({ key: WAKE_UP_QUEUE }).push({ body: { n: 2 }, delayInSeconds: 10 });
          throw new Error('after the push');
        }
        return undefined;
      },
      { variants: { events: { pushFromFailedConsumer } } },
    );
    const start = app.clock.now();
    await push({ n: 1 });
    await app.deliverEvents(start + 5 * MINUTE);
    return received.map((e) => (e.body as { n: number }).n);
  }

  it("is delivered under the default answer ('delivered'), and the failed event is retried too", async () => {
    // The retry pushes its own second event, and fails again: each push is delivered.
    expect(await pushThenThrow('delivered')).toEqual([1, 2, 1, 2, 1, 2]);
  });

  it("is discarded with the failed delivery under 'dropped'; the failed event is still retried", async () => {
    expect(await pushThenThrow('dropped')).toEqual([1, 1, 1]);
    expect(app.events.stats.eventsDroppedWithPusher).toBe(3);
  });
});

describe('the installed lifecycle event', () => {
  it('is redelivered after its InvocationError, at most four times', async () => {
    app = new LocalApp({ kvsFaults: { errorRate: 1, operations: ['set'] } });
    inst = app.newInstallation();
    const start = app.clock.now();

    const first = await app.deliverInstalled<{ retryOptions?: { retryAfter: number } }>(inst);
    const redeliveries = await app.deliverEvents(start + 2 * HOUR);

    expect(!first.killed && first.result.retryOptions?.retryAfter).toBe(60);
    expect(redeliveries.map((d) => [d.delivery.retryCount, d.retried])).toEqual([
      [1, true],
      [2, true],
      [3, true],
      [4, false],
    ]);
    expect(gaps(redeliveries)).toEqual([60, 60, 60]);
    expect(redeliveries[0].invocation.moduleKey).toBe('phase4-installed');
  });

  it('records the installation time on a redelivery once storage answers again', async () => {
    app = new LocalApp();
    inst = app.newInstallation();
    app.kvs.setFaults({ errorRate: 1, operations: ['set'] });
    const start = app.clock.now();
    await app.deliverInstalled(inst);
    app.kvs.setFaults(undefined);

    const redeliveries = await app.deliverEvents(start + 10 * MINUTE);

    expect(redeliveries.map((d) => d.retried)).toEqual([false]);
    expect(app.stored(inst).has(`phase4:evidence:installation:${inst.cloudId}`)).toBe(true);
  });

  it("records the first delivery's time, carried in its retryData, when a redelivery gets the write through", async () => {
    app = new LocalApp();
    inst = app.newInstallation();
    app.kvs.setFaults({ errorRate: 1, operations: ['set'] });
    const start = app.clock.now();
    const first = await app.deliverInstalled<{ retryOptions?: { retryData?: unknown } }>(inst);
    const failedAgain = await app.deliverEvents(start + MINUTE);
    app.kvs.setFaults(undefined);

    const redeliveries = await app.deliverEvents(start + 10 * MINUTE);

    expect(!first.killed && first.result.retryOptions?.retryData).toEqual({
      first_delivery_at: new Date(start).toISOString(),
    });
    expect(failedAgain.map((d) => d.delivery.retryCount)).toEqual([1]);
    expect(redeliveries.map((d) => [d.delivery.retryCount, d.retried])).toEqual([[2, false]]);
    // Stored two minutes after the first delivery, with the first delivery's time: the installation
    // happened then, and both reports fall due from it.
    expect(app.stored(inst).get(`phase4:evidence:installation:${inst.cloudId}`)).toMatchObject({
      installation_timestamp: new Date(start).toISOString(),
      recorded_at: new Date(start + 2 * MINUTE).toISOString(),
    });
  });

  it('is not redelivered after a throw', async () => {
    app = new LocalApp();
    inst = app.newInstallation();
    app.invoker.replaceHandler('phase4-installed-fn', () => {
      throw new Error('lifecycle bug');
    });
    const start = app.clock.now();

    const first = await app.deliverInstalled(inst);
    const redeliveries = await app.deliverEvents(start + 2 * HOUR);

    expect(first.killed && first.threw).toBeTruthy();
    expect(redeliveries).toEqual([]);
  });
});
