import { PushFailureKind } from '../../local/events/emulator';
import { SCHEDULER } from '../../src/scheduled/config';
import { RETRY } from '../../src/storage/retry';
import { HOUR, MINUTE, SchedulerWorld } from '../support/scheduler_world';

/**
 * Wake-up events: a tick that sees a due instant coming before the next tick
 * pushes an event timed for it, and the consumer runs the scheduler's own path.
 * Against the deployed handlers (resolved from manifest.yml), the real
 * @forge/events and @forge/kvs SDKs, and the local async events and KVS
 * emulators, on a simulated clock; the tick interval is the manifest's.
 */

const INTERVAL = SCHEDULER.intervalMs;
const SECOND = 1000;
let w: SchedulerWorld;
afterEach(() => w.dispose());

function generatedAt(world: SchedulerWorld, key: string): number {
  const report = world.stored().get(key) as { generated_at: string } | undefined;
  if (!report) throw new Error(`${key} is not stored`);
  return Date.parse(report.generated_at);
}

function doneCommits(world: SchedulerWorld, doneKey: string): number {
  return world
    .transactions()
    .filter((c) => (JSON.parse(c.body ?? '{}') as { set?: Array<{ key: string }> }).set?.some((s) => s.key === doneKey))
    .length;
}

describe('the tick decides from the one snapshot read', () => {
  it('pushes nothing, reads once and writes nothing when nothing falls due before the next tick', async () => {
    w = new SchedulerWorld();
    await w.installedHoursAgo(1);

    const run = await w.run();

    expect(run.body?.reason).toBe('NO_TRIGGER_DUE');
    expect(run.invocation.stats).toMatchObject({ kvsRequests: 1, kvsWriteRequests: 0, eventPushes: 0 });
    expect(w.app.events.waiting()).toEqual([]);
  });

  it('pushes one wake-up, still with one KVS request and no write, when the 12 h instant comes before the next tick', async () => {
    w = new SchedulerWorld();
    const installedAt = await w.installedHoursAgo(12 - 40 / 60);

    const run = await w.run();

    expect(run.body?.reason).toBe('NO_TRIGGER_DUE');
    expect(run.invocation.stats).toMatchObject({ kvsRequests: 1, kvsWriteRequests: 0, eventPushes: 1 });
    const [event] = w.app.events.waiting();
    // 40 minutes is more than one push may delay: the first hop is the longest allowed.
    expect(event.at - w.app.clock.now()).toBe(900 * SECOND);
    expect(event.event.body).toEqual({
      cloud_id: w.inst.cloudId,
      wake_at: new Date(installedAt + 12 * HOUR).toISOString(),
    });
  });
});

describe('delivered wake-ups', () => {
  it('store the 12 h and the 24 h report within a second of their due instants, in hops of at most 900 s', async () => {
    w = new SchedulerWorld();
    const installedAt = await w.installedHoursAgo(0);
    w.advance(17 * MINUTE + 23 * SECOND); // the tick's offset within the hour, not aligned with the due instants

    await w.live(installedAt + 25 * HOUR, INTERVAL);

    expect(generatedAt(w, w.keys.report12) - (installedAt + 12 * HOUR)).toBeLessThan(SECOND);
    expect(generatedAt(w, w.keys.report24) - (installedAt + 24 * HOUR)).toBeLessThan(SECOND);
    expect(generatedAt(w, w.keys.report12)).toBeGreaterThanOrEqual(installedAt + 12 * HOUR);
    const delays = w.calls
      .filter((c) => c.service === 'events')
      .flatMap((c) => (JSON.parse(c.body!) as { payload: Array<{ delayInSeconds: number }> }).payload)
      .map((e) => e.delayInSeconds);
    expect(delays.length).toBeGreaterThan(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(900);
  });

  it('retry a failed attempt when its backoff ends, not at the next tick', async () => {
    w = new SchedulerWorld();
    const installedAt = await w.installedHoursAgo(0);
    w.advance(12 * HOUR);
    const restore = w.failJira();
    const first = await w.run(); // fails at the due instant; 30 min backoff
    restore();

    await w.live(installedAt + 13 * HOUR, INTERVAL);

    expect(first.body?.reason).toBe('GENERATION_FAILED');
    expect(generatedAt(w, w.keys.report12) - (installedAt + 12 * HOUR + 30 * MINUTE)).toBeLessThan(SECOND);
  });

  it('store each report once when every wake-up arrives twice, late, and alongside duplicated ticks', async () => {
    w = new SchedulerWorld({ eventFaults: { duplicateRate: 1, lateRate: 1, maxLatenessMs: 30 * SECOND, seed: 7 } });
    const installedAt = await w.installedHoursAgo(0);
    w.advance(5 * MINUTE);

    while (w.app.clock.now() <= installedAt + 25 * HOUR) {
      const at = w.app.clock.now();
      await Promise.all([w.run(), w.run()]);
      await w.deliver(at + INTERVAL - 1);
      w.app.clock.set(at + INTERVAL);
    }

    expect(w.reports().sort()).toEqual([w.keys.report12, w.keys.report24]);
    expect(doneCommits(w, w.keys.done12)).toBe(1);
    expect(doneCommits(w, w.keys.done24)).toBe(1);
    expect(w.app.events.stats.eventsDuplicated).toBeGreaterThan(0);
    // Lateness of the events themselves is all the reports lose.
    expect(generatedAt(w, w.keys.report12) - (installedAt + 12 * HOUR)).toBeLessThanOrEqual(30 * SECOND);
  });

  it('store the report at the next tick when every wake-up is lost', async () => {
    w = new SchedulerWorld({ eventFaults: { lossRate: 1 } });
    const installedAt = await w.installedHoursAgo(0);
    w.advance(17 * MINUTE);

    await w.live(installedAt + 25 * HOUR, INTERVAL);

    expect(w.app.events.stats.eventsLost).toBeGreaterThan(0);
    const late12 = generatedAt(w, w.keys.report12) - (installedAt + 12 * HOUR);
    const late24 = generatedAt(w, w.keys.report24) - (installedAt + 24 * HOUR);
    expect(late12).toBeGreaterThanOrEqual(0);
    expect(late12).toBeLessThan(INTERVAL);
    expect(late24).toBeGreaterThanOrEqual(0);
    expect(late24).toBeLessThan(INTERVAL);
  });

  it.each([
    ['rate-limited', 'RateLimitError: Too many requests.'],
    ['partial', 'PartialSuccessError: Failed to process 1 event(s).'],
    ['server-error', 'InternalServerError: 500 : Internal server error'],
    ['invocation-limit', 'InvocationLimitReachedError: The limit on cyclic invocation has been reached.'],
    ['transport', 'TypeError: fetch failed (injected transport failure)'],
  ])(
    'cost only lateness when the push fails (%s): same tick outcome, a warning naming the failure, the report at the next tick',
    async (kind, failure) => {
      w = new SchedulerWorld({ eventFaults: { pushFailureRate: 1, pushFailures: [kind as PushFailureKind] } });
      const installedAt = await w.installedHoursAgo(12 - 10 / 60);
      const [name, detail] = failure.split(/: (.*)/);

      const tick = await w.run();

      expect(tick.statusCode).toBe(200);
      expect(tick.body?.reason).toBe('NO_TRIGGER_DUE');
      expect(tick.invocation.logs).toContainEqual({
        level: 'warn',
        line:
          `[Phase5Scheduler] Wake-up push failed (${name}): ${detail}; ` +
          `the next scheduled tick covers ${new Date(installedAt + 12 * HOUR).toISOString()}`,
      });
      w.advance(INTERVAL);
      const next = await w.run();
      expect(next.body?.reason).toBe('GENERATED');
      expect(generatedAt(w, w.keys.report12)).toBeGreaterThanOrEqual(installedAt + 12 * HOUR);
    },
  );

  it('are named in the log line of the invocation they start, with the instant they were pushed for', async () => {
    w = new SchedulerWorld();
    const installedAt = await w.installedHoursAgo(12 - 5 / 60);
    const tick = await w.run();

    const [delivery] = await w.deliver(installedAt + 12 * HOUR);

    const due = new Date(installedAt + 12 * HOUR).toISOString();
    expect(tick.invocation.logs).toContainEqual({
      level: 'info',
      line: `[Phase5Scheduler] Wake-up pushed for ${w.inst.cloudId} in 300s (next action at ${due})`,
    });
    expect(delivery.invocation.logs[0]).toEqual({
      level: 'info',
      line: `[Phase5Scheduler] Starting for cloudId: ${w.inst.cloudId} at ${due} (wake-up for ${due})`,
    });
    expect(delivery.body?.reason).toBe('GENERATED');
  });

  it('ask Forge to deliver again in a minute when storage refuses, and store the report then', async () => {
    w = new SchedulerWorld();
    const installedAt = await w.installedHoursAgo(12 - 5 / 60);
    await w.run(); // pushes a wake-up for the 12 h instant
    // One read refused: the storage module tries it again in the invocation (RETRY.pausesMs), so
    // the refusal has to outlast all of its tries before the wake-up itself is refused.
    const tries = RETRY.pausesMs.length + 1;
    let refused = 0;
    w.addFault((call) => {
      if (call.service !== 'kvs' || call.path !== '/api/v1/batch/get' || refused >= tries) return undefined;
      refused++;
      return new Response(JSON.stringify({ code: 'INTERNAL_SERVER_ERROR', message: 'injected' }), { status: 500 });
    });

    const deliveries = await w.deliver(installedAt + 12 * HOUR + 5 * MINUTE);

    expect(refused).toBe(4);
    expect(deliveries.map((d) => [d.retried, d.delivery.retryCount])).toEqual([
      [true, 0],
      [false, 1],
    ]);
    expect(deliveries[1].body?.reason).toBe('GENERATED');
    // The first of its retries (SCHEDULER.wakeUpRetryAfterSeconds: 60 s, then 900 s) stores it.
    expect(SCHEDULER.wakeUpRetryAfterSeconds[0]).toBe(60);
    expect(generatedAt(w, w.keys.report12) - (installedAt + 12 * HOUR)).toBe(60 * SECOND);
  });
});

describe('the consumer decides from storage and the clock, not from the event', () => {
  const site = (id: string) => ({ installContext: `ari:cloud:jira::site/${id}`, principal: undefined });
  const OTHER = '0a0b0c0d-0000-4000-8000-000000000000';

  it('generates nothing when an event claiming a due instant arrives before it, and wakes again for the real one', async () => {
    w = new SchedulerWorld();
    const installedAt = await w.installedHoursAgo(12 - 20 / 60);
    const event = { body: { cloud_id: w.inst.cloudId, wake_at: new Date(0).toISOString(), trigger: 'AUTO_12H' } };

    const { result, invocation } = await w.wakeUpWith(event, site(w.inst.cloudId));

    expect(JSON.parse((result as { body: string }).body).reason).toBe('NO_TRIGGER_DUE');
    expect(w.reports()).toEqual([]);
    expect(invocation.stats).toMatchObject({ kvsRequests: 1, kvsWriteRequests: 0, eventPushes: 1 });
    // Twenty minutes away: a first hop of 900 s, and the body names the instant the stored state implies.
    expect(w.app.events.waiting().map((d) => [d.at - w.app.clock.now(), d.event.body.wake_at])).toEqual([
      [900 * SECOND, new Date(installedAt + 12 * HOUR).toISOString()],
    ]);
  });

  it.each([
    ['no installContext and no cloudId', {}, 'TENANT_CONTEXT_UNAVAILABLE'],
    [
      'an installContext that is not a site ARI',
      { installContext: 'ari:cloud:jira::project/1' },
      'TENANT_CONTEXT_UNAVAILABLE',
    ],
    ['a cloudId that is not a cloud ID', { cloudId: 'abc/../def' }, 'TENANT_CONTEXT_UNAVAILABLE'],
    [
      'an installContext and a cloudId naming different sites',
      { ...site('SELF'), cloudId: OTHER },
      'TENANT_CONTEXT_MISMATCH',
    ],
    ['a body naming another site', { ...site('SELF'), body: OTHER }, 'TENANT_CONTEXT_MISMATCH'],
  ])('fails closed, touching nothing, on %s', async (_name, raw, expected) => {
    w = new SchedulerWorld();
    await w.installedHoursAgo(12);
    const context = JSON.parse(JSON.stringify(raw).replace('SELF', w.inst.cloudId)) as Record<string, unknown>;
    const claimed = typeof context.body === 'string' ? context.body : w.inst.cloudId;
    delete context.body;

    const { result, invocation } = await w.wakeUpWith({ body: { cloud_id: claimed } }, context);

    const body = JSON.parse((result as { body: string }).body) as { reason: string };
    expect(body.reason).toBe(expected);
    expect(invocation.stats).toMatchObject({ kvsRequests: 0, eventPushes: 0 });
    expect(w.reports()).toEqual([]);
  });

  it('runs for the site the platform names even when the body omits it', async () => {
    w = new SchedulerWorld();
    await w.installedHoursAgo(12);

    const { result } = await w.wakeUpWith({ body: {} }, site(w.inst.cloudId));

    expect(JSON.parse((result as { body: string }).body).reason).toBe('GENERATED');
    expect(w.reports()).toEqual([w.keys.report12]);
  });

  it.each([
    ['no body', {}, 'an unstated instant'],
    ['a wake_at that is not text', { body: { wake_at: 12 } }, 'an unstated instant'],
    ['an instant with an offset', { body: { wake_at: '2026-11-02T10:00:00.5+01:00' } }, '2026-11-02T10:00:00.5+01:00'],
    [
      'a wake_at carrying a line break and more than a line of text',
      { body: { wake_at: `2026-11-02T09:00:00Z\n[Phase5Scheduler] AUTO_12H report generated successfully` } },
      '2026-11-02T09:00:00Z??Phase5Sc',
    ],
  ])('logs what the event says it is for without letting it write the log: %s', async (_what, event, shown) => {
    w = new SchedulerWorld();
    await w.installedHoursAgo(1);

    const { invocation } = await w.wakeUpWith(event, site(w.inst.cloudId));

    expect(invocation.logs[0].line).toBe(
      `[Phase5Scheduler] Starting for cloudId: ${w.inst.cloudId} at ${new Date(w.app.clock.now()).toISOString()} (wake-up for ${shown})`,
    );
    expect(invocation.logs).toHaveLength(2);
  });

  it.each([
    ['null', null],
    ['missing', undefined],
    ['without a body', { body: null }],
  ])('answers an event that is %s like a tick for the site the platform names', async (_what, event) => {
    w = new SchedulerWorld();
    await w.installedHoursAgo(1);

    const { result, invocation } = await w.wakeUpWith(event, site(w.inst.cloudId));

    expect(result).toMatchObject({ statusCode: 200, statusText: 'NO_TRIGGER_DUE' });
    expect(invocation.logs[0].line).toMatch(/\(wake-up for an unstated instant\)$/);
  });
});
