import { recordInstallationByAdmin } from '../../src/phase4/installation_evidence';
import { HOUR, SchedulerWorld } from '../support/scheduler_world';

let w: SchedulerWorld;
beforeEach(() => {
  w = new SchedulerWorld();
});
afterEach(() => w.dispose());

/** The installed event delivered again, as Forge does after an InvocationError, with its retryContext. */
const redelivery = (retryCount: number, retryData: unknown) =>
  w.app.invoker.installed(w.inst, '1.0.0', {}, { retryCount, retryReason: 'FUNCTION_RETRY_REQUEST', retryData });

describe('Phase-4 installation evidence from avi:forge:installed:app', () => {
  it('records the time the event is handled, its source and the app version', async () => {
    const run = await w.app.invoker.installed(w.inst, '2.3.0');

    expect(run.killed).toBe(false);
    expect(w.stored().get(w.keys.evidence)).toMatchObject({
      installation_timestamp: new Date(w.app.clock.now()).toISOString(),
      source: 'avi:forge:installed:app',
      app_version: '2.3.0',
      installation_id: w.inst.installationId,
    });
  });

  it.each([
    ['a time after now', (now: number) => new Date(now + 1000).toISOString()],
    ['a time older than any redelivery can come', (now: number) => new Date(now - 3 * HOUR).toISOString()],
    ['no ISO instant', () => 'yesterday'],
    ['nothing at all', () => undefined],
  ])('a redelivery whose retryData holds %s records the time it is handled', async (_name, firstAt) => {
    const now = w.app.clock.now();
    await redelivery(1, { first_delivery_at: firstAt(now) });
    expect(w.stored().get(w.keys.evidence)).toMatchObject({ installation_timestamp: new Date(now).toISOString() });
  });

  it('a redelivery whose retryData holds the first delivery, 20 minutes ago, records that time', async () => {
    const now = w.app.clock.now();
    const firstAt = new Date(now - 20 * 60_000).toISOString();
    await redelivery(4, { first_delivery_at: firstAt });
    expect(w.stored().get(w.keys.evidence)).toMatchObject({
      installation_timestamp: firstAt,
      recorded_at: new Date(now).toISOString(),
    });
  });

  it('a duplicate or late event never moves the installation time', async () => {
    await w.app.invoker.installed(w.inst);
    const first = w.stored().get(w.keys.evidence);
    w.advance(3 * 60_000);

    await w.app.invoker.installed(w.inst);

    expect(w.stored().get(w.keys.evidence)).toEqual(first);
  });

  it('an event naming no usable site writes nothing', async () => {
    const run = await w.app.runtime.run(w.inst, 'phase4-installed', 55_000, async () => {
      const { installedEventHandler } = await import('../../src/installed_entry');
      return installedEventHandler({ id: 'x', app: { version: '1' } }, { installContext: 'not-an-ari' });
    });
    expect(w.stored().size).toBe(0);
    expect(run.invocation.logs[0].line).toContain('FAIL_CLOSED');
  });

  it('an event whose context disagrees with the installContext writes nothing', async () => {
    const { installedEventHandler } = await import('../../src/installed_entry');
    await w.app.runtime.run(w.inst, 'phase4-installed', 55_000, () =>
      installedEventHandler(
        { context: 'ari:cloud:jira::site/0a0b0c0d-0000-4000-8000-000000000000' },
        { installContext: w.inst.siteAri },
      ),
    );
    expect(w.stored().size).toBe(0);
  });

  it('asks Forge to retry the event when the write fails, and the retry records it', async () => {
    const restore = w.failKvs('set', 500);
    const failed = await w.app.invoker.installed<{ retryOptions: { retryAfter: number; retryReason: string } }>(w.inst);
    restore();
    const retried = await w.app.invoker.installed(w.inst);

    expect(!failed.killed && failed.result.retryOptions).toEqual({
      retryAfter: 60,
      retryReason: 'FUNCTION_RETRY_REQUEST',
      retryData: { first_delivery_at: '2026-11-02T09:00:00.000Z' },
    });
    expect(retried.killed).toBe(false);
    expect(w.stored().has(w.keys.evidence)).toBe(true);
  });

  it('feeds the scheduler: 12 hours after the event, the AUTO_12H report is stored', async () => {
    await w.app.invoker.installed(w.inst);
    w.advance(12 * HOUR);
    const run = await w.run();
    expect(run.body).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H' });
  });
});

describe('recording the installation time by an administrator', () => {
  it('records the time the admin entered, attributed to them with when they did it, and never overwrites', async () => {
    const now = w.app.clock.now();
    const first = await w.app.runtime.run(w.inst, 'admin', 25_000, () =>
      recordInstallationByAdmin(w.inst.cloudId, 'admin-account', now - 3 * HOUR, now, '1.0.0'),
    );
    const second = await w.app.runtime.run(w.inst, 'admin', 25_000, () =>
      recordInstallationByAdmin(w.inst.cloudId, 'someone-else', now, now + HOUR, '1.0.0'),
    );

    expect(!first.killed && first.result.recorded).toBe(true);
    expect(!second.killed && second.result.recorded).toBe(false);
    expect(w.stored().get(w.keys.evidence)).toEqual({
      installation_timestamp: new Date(now - 3 * HOUR).toISOString(),
      source: 'admin',
      app_version: '1.0.0',
      recorded_at: new Date(now).toISOString(),
      recorded_by: 'admin-account',
    });
  });
});
