import type { AdminPageView } from '../../src/admin/contract';
import type { SchedulerOutcome } from '../../src/scheduled/phase5_scheduler';
import type { VariantOverrides } from '../../local/platform_variants';
import { HOUR, SchedulerWorld } from '../support/scheduler_world';

/**
 * KVS cannot store null, so a read that answers `value: null` (an item of a batch read, or
 * a single `get`) has not read a stored value; nothing documents that it means "absent"
 * either. Such an answer is unknown, and a key read as unknown is a failed read: the
 * scheduler must never take a null DONE key for a stored report (issue 23, item 1). Driven
 * through the manifest's scheduler and the admin page's resolver, against the local runtime
 * answering missing keys with null (local/platform_variants.ts) or a fault answering one key so.
 */

const ADMIN = '5b10a2844c20165700ede21g';
const PAGE = 'phase5-admin-page';

let w: SchedulerWorld;
afterEach(() => w.dispose());

function world(kvs: VariantOverrides['kvs'] = {}): SchedulerWorld {
  w = new SchedulerWorld({ variants: { kvs }, jiraAdmins: [ADMIN] });
  return w;
}

type PageAnswer = { ok: boolean; view?: AdminPageView; error?: { code: string; message: string } };
async function page(): Promise<PageAnswer> {
  const run = await w.app.invoker.resolver<PageAnswer>(w.inst, PAGE, 'getAdminPage', {}, ADMIN);
  if (run.killed) throw new Error('getAdminPage was killed');
  return run.result;
}
const statusOf = (answer: PageAnswer, trigger: string) => answer.view?.triggers.find((t) => t.trigger === trigger);

async function tick(): Promise<SchedulerOutcome> {
  const run = await w.run();
  if (run.killed || !run.body) throw new Error('the scheduler gave no answer');
  return run.body;
}

describe('a batch read that answers a missing key as { key, value: null }', () => {
  it('does not make a DONE key of it: the 12-hour report is generated when due, and only then shown as done', async () => {
    world({ batchGetMissing: 'nullValue' });
    await w.installedHoursAgo(11);
    const before = await page();

    w.advance(HOUR);
    const due = await tick();
    const after = await page();

    expect(statusOf(before, 'AUTO_12H')?.status).toBe('waiting');
    expect(due).toMatchObject({ reason: 'GENERATED', trigger: 'AUTO_12H', attempt: 1 });
    expect(w.reports()).toEqual([w.keys.report12]);
    expect(statusOf(after, 'AUTO_12H')?.status).toBe('done');
    expect(statusOf(after, 'AUTO_24H')?.status).toBe('waiting');
  });
});

describe('a single get that answers value: null', () => {
  it('is a failed read, not a DONE key: the scheduler stores nothing and answers STORAGE_UNAVAILABLE', async () => {
    // The batch fails the DONE key on its own, so it is read again with get, which answers null.
    w = new SchedulerWorld({ jiraAdmins: [ADMIN] });
    await w.installedHoursAgo(12);
    w.addFault(async (call) => {
      if (call.service !== 'kvs') return undefined;
      if (call.path === '/api/v1/batch/get' && call.body?.includes(w.keys.done12)) {
        const real = await w.app.kvs.handle(w.inst.installationId, call.path, { method: 'POST', body: call.body });
        const answer = (await real.json()) as { successfulKeys: unknown[]; failedKeys: Array<{ key: string }> };
        const others = answer.failedKeys.filter((f) => f.key !== w.keys.done12);
        const transient = { key: w.keys.done12, error: { code: 'INTERNAL_SERVER_ERROR', message: 'injected' } };
        return Response.json({ ...answer, failedKeys: [...others, transient] });
      }
      if (call.path === '/api/v1/get' && call.body?.includes(`"${w.keys.done12}"`)) {
        return Response.json({ key: w.keys.done12, value: null });
      }
      return undefined;
    });

    const before = JSON.stringify([...w.stored()].sort());
    const outcome = await tick();

    expect(outcome).toMatchObject({ reason: 'STORAGE_UNAVAILABLE' });
    expect(JSON.stringify([...w.stored()].sort())).toBe(before);
    expect(w.reports()).toEqual([]);
  });

  it('under a platform answering every missing key with null, nothing is ever read as done', async () => {
    world({ batchGetMissing: 'nullValue', getMissing: 'nullValue' });
    await w.installedHoursAgo(12);

    const outcome = await tick();
    const answer = await page();

    expect(outcome).toMatchObject({ reason: 'STORAGE_UNAVAILABLE' });
    expect([...w.stored().keys()].sort()).toEqual([w.keys.evidence]);
    expect(statusOf(answer, 'AUTO_12H')?.status).not.toBe('done');
    expect(answer).toMatchObject({ ok: false, error: { code: 'STORAGE_UNAVAILABLE' } });
  });
});
