import fc from 'fast-check';
import { SCHEDULER } from '../../../src/scheduled/config';
import {
  AdminAction,
  AdminPlan,
  describeHistory,
  History,
  InvocationPlan,
  jumpArb,
  plannedActionsArb,
  readable,
  startAgeArb,
  Step,
} from './history';

/**
 * Histories in which administrators act while the scheduler runs: each tick
 * delivers 1-4 concurrent scheduler invocations (Forge's duplicates) and 0-3
 * admin page calls (Reset, Retry, Manual, Record installation), all interleaved
 * at every KVS and Jira call, each on a host whose clock is off by up to the
 * assumed bound either way, with KVS faults (including lost commit replies),
 * crashes and stalls planned per call. Some histories have no installed event, and
 * administrators record the installation time, several at once.
 */

const S = SCHEDULER.maxClockSkewMs;

export const skewArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.constantFrom(-S, S, -1_000, 1_000) },
  { weight: 3, arbitrary: fc.integer({ min: -S, max: S }) },
);

const adminActionArb: fc.Arbitrary<AdminAction> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<AdminAction>('reset-12h', 'reset-24h') },
  { weight: 1, arbitrary: fc.constantFrom<AdminAction>('retry-12h', 'retry-24h') },
  { weight: 2, arbitrary: fc.constant<AdminAction>('manual') },
  { weight: 1, arbitrary: fc.constant<AdminAction>('record-installation') },
);

const NAMES = 'ABCD';
const ADMIN_NAMES = 'XYZ';

function planArb(name: string): fc.Arbitrary<InvocationPlan> {
  return fc.record({ actions: plannedActionsArb, skewMs: skewArb }).map((p) => ({ name, ...p }));
}

function adminPlanArb(name: string, action?: AdminAction): fc.Arbitrary<AdminPlan> {
  return fc
    .record({ actions: plannedActionsArb, skewMs: skewArb, action: action ? fc.constant(action) : adminActionArb })
    .map((p) => ({ name, ...p }));
}

const adminTickArb: fc.Arbitrary<Step> = fc
  .record({
    schedulers: fc.integer({ min: 1, max: 4 }),
    admins: fc.integer({ min: 0, max: 3 }),
    jiraDown: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  })
  .chain(({ schedulers, admins, jiraDown }) =>
    fc
      .record({
        invocations: fc.tuple(...Array.from({ length: schedulers }, (_, i) => planArb(NAMES[i]))),
        admin: fc.tuple(...Array.from({ length: admins }, (_, i) => adminPlanArb(ADMIN_NAMES[i]))),
      })
      .map(({ invocations, admin }): Step => ({ kind: 'tick', jiraDown, invocations, admin: [...admin] })),
  );

const stepArb: fc.Arbitrary<Step> = fc.oneof({ weight: 5, arbitrary: adminTickArb }, { weight: 2, arbitrary: jumpArb });

const recordersArb = fc
  .integer({ min: 1, max: 3 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => adminPlanArb(`R${i + 1}`, 'record-installation'))));

export function adminHistoryArb(opts: { maxSteps?: number } = {}): fc.Arbitrary<History> {
  return fc
    .record({
      installation: fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: recordersArb.map((recorders) => ({ by: 'admin' as const, recorders })) },
      ),
      startAgeMs: startAgeArb,
      tickOffsetMs: fc.integer({ min: 0, max: 5 * 60_000 - 1_000 }),
      steps: fc.array(stepArb, { minLength: 1, maxLength: opts.maxSteps ?? 8 }),
      recoveryDuplicates: fc.integer({ min: 1, max: 3 }),
    })
    .map(({ installation, ...h }) => readable(installation ? { installation, ...h } : h, describeHistory));
}
