import { installedEventHandler } from '../../src/phase4/installation_evidence';
import { SchedulerWorld } from '../support/scheduler_world';

/**
 * Which site an `avi:forge:installed:app` event is about, and what the handler
 * tells whoever reads `forge logs`. Forge names the site in the event's
 * `context` and in the handler's `installContext`; either one is enough, both
 * must agree, and anything that is not exactly a site ARI names no site.
 */

let w: SchedulerWorld;
beforeEach(() => {
  w = new SchedulerWorld();
});
afterEach(() => w.dispose());

/** Call the deployed handler inside an invocation for this installation, with arguments of our choosing. */
async function deliver(event: unknown, context: unknown) {
  const run = await w.app.runtime.run(w.inst, 'phase4-installed', 55_000, () => installedEventHandler(event, context));
  if (run.killed) throw new Error('the installed handler was killed');
  return { result: run.result, logs: run.invocation.logs.map((l) => `${l.level} ${l.line}`) };
}

const evidence = () => w.stored().get(w.keys.evidence) as Record<string, unknown> | undefined;
const nowIso = () => new Date(w.app.clock.now()).toISOString();

describe('the site an installed event is about', () => {
  it('is taken from the event alone when the handler gets no installContext', async () => {
    await deliver({ context: w.inst.siteAri, app: { version: '4.0.0' } }, undefined);

    expect(evidence()).toMatchObject({ installation_timestamp: nowIso(), app_version: '4.0.0' });
  });

  it('is taken from the installContext alone when the event carries no body', async () => {
    await deliver(null, { installContext: w.inst.siteAri });

    expect(evidence()).toMatchObject({
      installation_timestamp: nowIso(),
      source: 'avi:forge:installed:app',
      event_fields: [],
    });
  });

  it('is taken from the installContext when the event names no site', async () => {
    await deliver({ id: 'evt-1' }, { installContext: w.inst.siteAri });

    expect(evidence()).toMatchObject({ installation_timestamp: nowIso(), installation_id: 'evt-1' });
  });

  it.each([
    ['text before the ARI', (ari: string) => `x${ari}`],
    ['text after the site id', (ari: string) => `${ari}0`],
    ['a path after the site id', (ari: string) => `${ari}/extra`],
  ])('is not named by an ARI with %s: nothing is recorded for any site', async (_what, garble) => {
    const { logs } = await deliver({ context: garble(w.inst.siteAri) }, null);

    expect(w.stored().size).toBe(0);
    expect(logs).toEqual([
      'error [Phase4Evidence] FAIL_CLOSED: installed event names no usable site; nothing recorded',
    ]);
  });

  it('records no app version or installation id it was not given as text', async () => {
    await deliver({ context: w.inst.siteAri, id: 42, app: { version: 3 } }, { installContext: w.inst.siteAri });

    expect(evidence()).toEqual({
      installation_timestamp: nowIso(),
      source: 'avi:forge:installed:app',
      app_version: null,
      recorded_at: nowIso(),
      event_fields: ['app', 'context', 'id'],
    });
  });

  it('records which fields the event carried, by name only, leaving out names no platform field would have', async () => {
    const odd = { '9lives': 1, 'with space': 2, ['x'.repeat(41)]: 3, ['y'.repeat(40)]: 'secret value', zeta: 4 };

    await deliver({ context: w.inst.siteAri, ...odd }, null);

    expect(evidence()?.event_fields).toEqual(['context', 'y'.repeat(40), 'zeta']);
    expect(JSON.stringify(evidence())).not.toContain('secret value');
  });

  it('records at most 20 field names, the first in sorted order', async () => {
    const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`f${String(24 - i).padStart(2, '0')}`, i]));

    await deliver({ context: w.inst.siteAri, ...many }, null);

    expect(evidence()?.event_fields).toEqual([
      'context',
      ...Array.from({ length: 19 }, (_, i) => `f${String(i).padStart(2, '0')}`),
    ]);
  });
});

describe('what the installed handler logs', () => {
  it('says for which site and at what time it recorded the installation', async () => {
    const { logs } = await deliver({ context: w.inst.siteAri }, { installContext: w.inst.siteAri });

    expect(logs).toEqual([`info [Phase4Evidence] Installation recorded for ${w.inst.cloudId} at ${nowIso()}`]);
  });

  it('says a repeated event left the recorded time unchanged', async () => {
    await deliver({ context: w.inst.siteAri }, { installContext: w.inst.siteAri });
    w.advance(60_000);

    const { logs } = await deliver({ context: w.inst.siteAri }, { installContext: w.inst.siteAri });

    expect(logs).toEqual([
      `info [Phase4Evidence] Installation evidence already exists for ${w.inst.cloudId}; left unchanged`,
    ]);
  });

  it('says the write failed, why, and that Forge will retry the event', async () => {
    w.failKvs('set', 500);

    const { logs } = await deliver({ context: w.inst.siteAri }, { installContext: w.inst.siteAri });

    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(
      new RegExp(`^error \\[Phase4Evidence\\] Recording installation for ${w.inst.cloudId} failed: .+; retrying$`),
    );
  });
});
