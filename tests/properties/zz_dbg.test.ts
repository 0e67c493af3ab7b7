import fc from 'fast-check';
import { FaultWorld, sharedApp } from './support/fault_world';
import { historyArb } from './support/history';
import { violations } from './support/invariants';
beforeAll(() =>
  jest.useFakeTimers({ doNotFake: ['Date', 'setImmediate', 'nextTick', 'queueMicrotask', 'performance', 'hrtime'] }),
);
afterAll(() => jest.useRealTimers());
it('replay', async () => {
  const app = sharedApp();
  const out: string[] = [];
  await fc.check(
    fc.asyncProperty(historyArb(), fc.scheduler(), async (h, s) => {
      const w = new FaultWorld({ app });
      try {
        await w.play(h, s);
        const v = violations(w);
        if (v.length) {
          const I = w.tenants[0].installedAt;
          const rel = (t: number) =>
            `${Math.floor((t - I) / 3600000)}h${String(Math.floor(((t - I) % 3600000) / 60000)).padStart(2, '0')}m${String(Math.floor(((t - I) % 60000) / 1000)).padStart(2, '0')}`;
          out.length = 0;
          for (const inv of w.invocations) {
            const b = (inv.response as { body?: string } | undefined)?.body;
            out.push(
              `${inv.label} @${rel(inv.startedAt)} ${b ? JSON.parse(b).reason + ' ' + (JSON.parse(b).next_eligible_at ? rel(Date.parse(JSON.parse(b).next_eligible_at)) : '') : 'killed'} | ${inv.calls
                .filter((c) => c.site !== 'jira')
                .map(
                  (c) =>
                    `${c.site}:${c.keys
                      .map((k) => k.split(':').slice(-2).join(':'))
                      .join('+')
                      .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, 'C')}:${c.serviceStatus ?? c.action}@${rel(c.at)}`,
                )
                .join(' ')}`,
            );
          }
          out.push('T=' + rel(w.faultsStoppedAt), ...v);
          throw new Error('broken');
        }
      } finally {
        w.dispose();
        jest.clearAllTimers();
      }
    }),
    { seed: Number(process.env.SEED), path: process.env.PATH_, endOnFailure: true },
  );
  process.stdout.write(out.join('\n') + '\n');
});
