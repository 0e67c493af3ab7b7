import { SCHEDULER } from '../../src/scheduled/config';
import { HOUR, MINUTE, SchedulerWorld } from '../support/scheduler_world';

/**
 * The wake-up consumer under Forge's real async-event semantics: an event whose
 * consumer threw, timed out or returned an InvocationError is delivered again for
 * 24 h, with no cap. Through the manifest's handlers on the local runtime, whose
 * events emulator redelivers that way (tests/local/events/redelivery.contract.test.ts).
 */

const SECOND = 1000;
let w: SchedulerWorld;
afterEach(() => w.dispose());

const refused = () =>
  new Response(JSON.stringify({ code: 'INTERNAL_SERVER_ERROR', message: 'injected' }), { status: 500 });

describe('a wake-up that storage refuses', () => {
  it('asks Forge for one retry a minute later, marked as its own, and stores the report then', async () => {
    w = new SchedulerWorld();
    const installedAt = await w.installedHoursAgo(12 - 5 / 60);
    await w.run(); // pushes a wake-up for the 12 h instant
    let refusals = 0;
    w.addFault((call) => (call.service === 'kvs' && refusals++ === 0 ? refused() : undefined));

    const deliveries = await w.deliver(installedAt + 12 * HOUR + 10 * MINUTE);

    expect(deliveries.map((d) => [d.delivery.retryCount, d.retried, d.body?.reason ?? 'retry asked'])).toEqual([
      [0, true, 'retry asked'],
      [1, false, 'GENERATED'],
    ]);
    expect(deliveries[1].delivery.at - deliveries[0].delivery.at).toBe(60 * SECOND);
    expect(deliveries[1].delivery.retryData).toEqual({
      storage_refused_at: new Date(installedAt + 12 * HOUR).toISOString(),
    });
  });

  it('asks no more when the retry is refused too: Forge is done with it, and the next tick stores the report', async () => {
    w = new SchedulerWorld();
    const installedAt = await w.installedHoursAgo(12 - 5 / 60);
    const tick = await w.run();
    const restore = w.failKvs('batch/get');

    const deliveries = await w.deliver(installedAt + 12 * HOUR + 30 * MINUTE);
    restore();
    w.app.clock.set(installedAt + 12 * HOUR - 5 * MINUTE + SCHEDULER.intervalMs);
    const next = await w.run();

    expect(tick.body?.reason).toBe('NO_TRIGGER_DUE');
    expect(deliveries.map((d) => [d.delivery.retryCount, d.retried, d.statusCode])).toEqual([
      [0, true, undefined],
      [1, false, 503],
    ]);
    expect(deliveries[1].invocation.logs.map((l) => l.line)).toContain(
      '[Phase5Scheduler] Not asking Forge to deliver this wake-up again: the next scheduled tick will do as well',
    );
    expect(w.app.events.waiting()).toEqual([]);
    expect(next.body?.reason).toBe('GENERATED');
  });
});

describe('a wake-up Forge redelivers on its own', () => {
  it('after a timeout: answered at once, touching nothing, and not delivered again', async () => {
    w = new SchedulerWorld();
    const installedAt = await w.installedHoursAgo(12 - 5 / 60);
    await w.run();
    let hung = false;
    w.addFault((call) => {
      if (call.service !== 'kvs' || call.invocation.moduleKey !== 'phase5-wake-up-consumer' || hung) return;
      hung = true;
      call.invocation.kill(); // stopped at its timeout while waiting on storage
    });

    const deliveries = await w.deliver(installedAt + 13 * HOUR);

    expect(deliveries.map((d) => [d.killed, d.delivery.retryCount, d.delivery.retryReason ?? null])).toEqual([
      [true, 0, null],
      [false, 1, 'FUNCTION_TIME_OUT'],
    ]);
    expect(deliveries[1].body).toMatchObject({ reason: 'WAKE_UP_SUPERSEDED', cloud_id: w.inst.cloudId });
    expect(deliveries[1].invocation.stats).toMatchObject({ kvsRequests: 0, eventPushes: 0 });
    expect(deliveries[1].retried).toBe(false);
    expect(w.reports()).toEqual([]);
  });
});

describe('a storage outage from 12 h to 20 h, through the manifest handlers, over 30 h', () => {
  it('looks again every 15 minutes, at most 6 in any hour, and stores the report within 15 minutes of its end', async () => {
    w = new SchedulerWorld();
    const installedAt = await w.installedHoursAgo(0);
    const end = installedAt + 20 * HOUR;
    w.addFault((call) => {
      const now = w.app.clock.now();
      if (call.service === 'kvs' && now >= installedAt + 12 * HOUR && now < end) return refused();
    });
    w.advance(23 * MINUTE);

    const seen = await w.live(installedAt + 30 * HOUR - 1, SCHEDULER.intervalMs);

    const inOutage = seen.filter((s) => s.at >= installedAt + 12 * HOUR && s.at < end);
    const perHour = (from: number) => inOutage.filter((s) => s.at >= from && s.at < from + HOUR).length;
    const busiest = Math.max(...inOutage.map((s) => perHour(s.at)));
    // Each refused tick: itself, its wake-up 15 minutes on, and that wake-up's two retries 15 minutes apart;
    // the hour storage goes also runs the 12 h wake-up already on its way, and its one retry.
    expect(busiest).toBeLessThanOrEqual(6);
    expect(inOutage.filter((s) => s.source === 'tick').length).toBe(8);
    expect(inOutage.length).toBeLessThanOrEqual(4 * 8 + 2);
    // From the first refused tick on (before it, the 12 h wake-up and its retry a minute later).
    const chained = inOutage.slice(inOutage.findIndex((s) => s.source === 'tick'));
    const gaps = chained.slice(1).map((s, i) => s.at - chained[i].at);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(15 * MINUTE);
    const report = w.stored().get(w.keys.report12) as { generated_at: string };
    expect(Date.parse(report.generated_at) - end).toBeLessThanOrEqual(15 * MINUTE);
    expect(w.reports().sort()).toEqual([w.keys.report12, w.keys.report24].sort());
  });
});

describe('a tick that storage refuses', () => {
  it('pushes one wake-up 15 minutes on, retried 15 minutes apart until the next tick: a refusal costs minutes, not the hour', async () => {
    w = new SchedulerWorld();
    const installedAt = await w.installedHoursAgo(12 + 5 / 60);
    const restore = w.failKvs('get');
    const tickAt = w.app.clock.now();

    const tick = await w.run();
    const first = await w.deliver(tickAt + 31 * MINUTE);
    restore();
    const second = await w.deliver(tickAt + 59 * MINUTE);

    expect(tick.statusCode).toBe(503);
    expect(first.map((d) => [d.delivery.at - tickAt, d.statusCode ?? 'retry asked'])).toEqual([
      [15 * MINUTE, 'retry asked'],
      [30 * MINUTE, 'retry asked'],
    ]);
    expect(second.map((d) => [d.delivery.at - tickAt, d.body?.reason])).toEqual([[45 * MINUTE, 'GENERATED']]);
    // Storage trouble before generation counts no attempt: the first attempt is the one that stored it.
    expect(second[0].body).toMatchObject({ attempt: 1 });
    expect(installedAt).toBeLessThan(tickAt);
  });
});
