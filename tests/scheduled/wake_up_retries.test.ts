import { SCHEDULER } from '../../src/scheduled/config';
import { RETRY } from '../../src/storage/retry';
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

/** When the 12 h report was generated, by its record. */
const generatedAt = (world: SchedulerWorld): number =>
  Date.parse((world.stored().get(world.keys.report12) as { generated_at: string }).generated_at);

const refused = () =>
  new Response(JSON.stringify({ code: 'INTERNAL_SERVER_ERROR', message: 'injected' }), { status: 500 });

describe('a wake-up that storage refuses', () => {
  it('asks Forge for one retry a minute later, marked as its own, and stores the report then', async () => {
    w = new SchedulerWorld();
    const installedAt = await w.installedHoursAgo(12 - 5 / 60);
    await w.run(); // pushes a wake-up for the 12 h instant
    // The first read refused through all the storage module's in-invocation tries (RETRY.pausesMs).
    const tries = RETRY.pausesMs.length + 1;
    let refusals = 0;
    w.addFault((call) => (call.service === 'kvs' && refusals++ < tries ? refused() : undefined));

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

  it('asks once more a quarter of an hour on when that retry is refused too, and stores the report then', async () => {
    w = new SchedulerWorld();
    const installedAt = await w.installedHoursAgo(12 - 5 / 60);
    await w.run(); // pushes a wake-up for the 12 h instant
    const dueAt = installedAt + 12 * HOUR;
    // Storage refuses every read for the first 5 minutes past the 12 h instant.
    w.addFault((call) => (call.service === 'kvs' && w.app.clock.now() < dueAt + 5 * MINUTE ? refused() : undefined));

    const deliveries = await w.deliver(dueAt + 30 * MINUTE);

    expect(deliveries.map((d) => [d.delivery.at - dueAt, d.delivery.retryCount, d.retried, d.body?.reason])).toEqual([
      [0, 0, true, undefined],
      [60 * SECOND, 1, true, undefined],
      [(60 + 900) * SECOND, 2, false, 'GENERATED'],
    ]);
    // Each retry carries the mark of the delivery that asked for it.
    expect(deliveries.slice(1).map((d) => d.delivery.retryData)).toEqual([
      { storage_refused_at: new Date(dueAt).toISOString() },
      { storage_refused_at: new Date(dueAt + 60 * SECOND).toISOString() },
    ]);
    expect(generatedAt(w) - dueAt).toBe(16 * MINUTE);
    expect(w.app.events.waiting()).toEqual([]);
  });

  it('asks no more when both retries are refused too: Forge is done with it, and the next tick stores the report', async () => {
    w = new SchedulerWorld();
    const installedAt = await w.installedHoursAgo(12 - 5 / 60);
    const tick = await w.run();
    const restore = w.failKvs('batch/get');

    const deliveries = await w.deliver(installedAt + 12 * HOUR + 45 * MINUTE);
    restore();
    w.app.clock.set(installedAt + 12 * HOUR - 5 * MINUTE + SCHEDULER.intervalMs);
    const next = await w.run();

    expect(tick.body?.reason).toBe('NO_TRIGGER_DUE');
    expect(
      deliveries.map((d) => [
        d.delivery.at - (installedAt + 12 * HOUR),
        d.delivery.retryCount,
        d.retried,
        d.statusCode,
      ]),
    ).toEqual([
      [0, 0, true, undefined],
      [60 * SECOND, 1, true, undefined],
      [(60 + 900) * SECOND, 2, false, 503],
    ]);
    expect(deliveries[2].invocation.logs.map((l) => l.line)).toContain(
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
  it('looks 15 and 30 minutes past each tick, 6 in the hour storage goes and 3 in each later one, and stores the report within 30 minutes of its end', async () => {
    w = new SchedulerWorld();
    const installedAt = await w.installedHoursAgo(0);
    const goes = installedAt + 12 * HOUR;
    const end = installedAt + 20 * HOUR;
    w.addFault((call) => {
      const now = w.app.clock.now();
      if (call.service === 'kvs' && now >= goes && now < end) return refused();
    });
    w.advance(23 * MINUTE);

    const seen = await w.live(installedAt + 30 * HOUR - 1, SCHEDULER.intervalMs);

    const inOutage = seen.filter((s) => s.at >= goes && s.at < end);
    const inHourFrom = (from: number) => inOutage.filter((s) => s.at >= from && s.at < from + HOUR).length;
    // The hour storage goes: the 12 h wake-up already on its way and its retries 1 and 16 minutes on (3),
    // and the refused tick with its storage chain's two looks, 15 and 30 minutes past it (3).
    expect(inOutage.filter((s) => s.at < goes + HOUR).map((s) => [s.source, (s.at - goes) / MINUTE])).toEqual([
      ['wake-up', 0],
      ['wake-up', 1],
      ['wake-up', 16],
      ['tick', 23],
      ['wake-up', 38],
      ['wake-up', 53],
    ]);
    expect(Math.max(...inOutage.map((s) => inHourFrom(s.at)))).toBe(6);
    // Every later hour: the tick and its chain's two looks.
    const settled = inOutage.filter((s) => s.at >= goes + HOUR);
    expect(Math.max(...settled.map((s) => settled.filter((o) => o.at >= s.at && o.at < s.at + HOUR).length))).toBe(3);
    expect(inOutage.filter((s) => s.source === 'tick').length).toBe(8);
    expect(inOutage.length).toBe(3 * 8 + 3);
    // From the first refused tick on: a look 15 and 30 minutes past each tick, then 30 minutes to the next tick.
    const chained = inOutage.slice(inOutage.findIndex((s) => s.source === 'tick'));
    const gaps = chained.slice(1).map((s, i) => (s.at - chained[i].at) / MINUTE);
    expect(new Set(gaps)).toEqual(new Set([15, 30]));
    const report = w.stored().get(w.keys.report12) as { generated_at: string };
    const storedAfterEnd = Date.parse(report.generated_at) - end;
    expect(storedAfterEnd).toBeGreaterThanOrEqual(0);
    expect(storedAfterEnd).toBeLessThanOrEqual(30 * MINUTE);
    expect(w.reports().sort()).toEqual([w.keys.report12, w.keys.report24].sort());
  });
});

describe('a tick that storage refuses', () => {
  it('pushes one wake-up 15 minutes on, retried once 15 minutes later: a refusal costs minutes, not the hour', async () => {
    w = new SchedulerWorld();
    const installedAt = await w.installedHoursAgo(12 + 5 / 60);
    const restore = w.failKvs('get');
    const tickAt = w.app.clock.now();

    const tick = await w.run();
    const first = await w.deliver(tickAt + 16 * MINUTE);
    restore();
    const second = await w.deliver(tickAt + 59 * MINUTE);

    expect(tick.statusCode).toBe(503);
    expect(first.map((d) => [d.delivery.at - tickAt, d.statusCode ?? 'retry asked'])).toEqual([
      [15 * MINUTE, 'retry asked'],
    ]);
    expect(second.map((d) => [d.delivery.at - tickAt, d.delivery.retryCount, d.body?.reason])).toEqual([
      [30 * MINUTE, 1, 'GENERATED'],
    ]);
    // Storage trouble before generation counts no attempt: the first attempt is the one that stored it.
    expect(second[0].body).toMatchObject({ attempt: 1 });
    expect(installedAt).toBeLessThan(tickAt);
  });

  it('asks no more once that one retry is refused too: the next tick, 30 minutes on, stores the report', async () => {
    w = new SchedulerWorld();
    await w.installedHoursAgo(12 + 5 / 60);
    const restore = w.failKvs('get');
    const tickAt = w.app.clock.now();

    const tick = await w.run();
    const chain = await w.deliver(tickAt + 59 * MINUTE);
    restore();
    w.app.clock.set(tickAt + SCHEDULER.intervalMs);
    const next = await w.run();

    expect(tick.statusCode).toBe(503);
    expect(chain.map((d) => [d.delivery.at - tickAt, d.delivery.retryCount, d.statusCode ?? 'retry asked'])).toEqual([
      [15 * MINUTE, 0, 'retry asked'],
      [30 * MINUTE, 1, 503],
    ]);
    expect(chain[1].invocation.logs.map((l) => l.line)).toContain(
      '[Phase5Scheduler] Not asking Forge to deliver this wake-up again: the next scheduled tick will do as well',
    );
    expect(w.app.events.waiting()).toEqual([]);
    expect(next.body).toMatchObject({ reason: 'GENERATED', attempt: 1 });
  });
});
