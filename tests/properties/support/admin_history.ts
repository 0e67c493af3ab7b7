import fc from 'fast-check';
import { SCHEDULER } from '../../../src/scheduled/config';
import {
  AdminAction,
  AdminPlan,
  describeHistory,
  History,
  InvocationPlan,
  HOUR,
  jumpArb,
  longPlannedActionsArb,
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

/** How each invocation's host behaves: its clock, and whether a timeout stops it. */
interface Hosts {
  skew: fc.Arbitrary<number>;
  /** A plan on a host no timeout stops, with its own (long) stalls; `undefined` for none. */
  unbounded?: fc.Arbitrary<boolean>;
}

const BOUNDED: Hosts = { skew: skewArb };

/**
 * Hosts whose clocks are off true time by up to an hour either way (far beyond what
 * SCHEDULER.maxClockSkewMs assumes), one in three with no timeout at all, its calls
 * stalled by any amount: holders that outlive their lease by seconds, hours or a day.
 */
export const WILD_HOSTS: Hosts = {
  skew: fc.oneof(
    { weight: 1, arbitrary: fc.constant(0) },
    { weight: 2, arbitrary: fc.constantFrom(-HOUR, HOUR, -61_000, 61_000, -52 * 60_000, 52 * 60_000) },
    { weight: 4, arbitrary: fc.integer({ min: -HOUR, max: HOUR }) },
  ),
  unbounded: fc.oneof({ weight: 2, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
};

function planArb(name: string, hosts: Hosts): fc.Arbitrary<InvocationPlan> {
  return fc
    .record({ skewMs: hosts.skew, unbounded: hosts.unbounded ?? fc.constant(false) })
    .chain(({ skewMs, unbounded }) =>
      (unbounded ? longPlannedActionsArb : plannedActionsArb).map((actions) => ({
        name,
        actions,
        skewMs,
        ...(unbounded ? { unbounded } : {}),
      })),
    );
}

function adminPlanArb(name: string, hosts: Hosts, action?: AdminAction): fc.Arbitrary<AdminPlan> {
  return fc
    .record({ plan: planArb(name, hosts), action: action ? fc.constant(action) : adminActionArb })
    .map(({ plan, action: a }) => ({ ...plan, action: a }));
}

function adminTickArb(hosts: Hosts): fc.Arbitrary<Step> {
  return fc
    .record({
      schedulers: fc.integer({ min: 1, max: 4 }),
      admins: fc.integer({ min: 0, max: 3 }),
      jiraDown: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    })
    .chain(({ schedulers, admins, jiraDown }) =>
      fc
        .record({
          invocations: fc.tuple(...Array.from({ length: schedulers }, (_, i) => planArb(NAMES[i], hosts))),
          admin: fc.tuple(...Array.from({ length: admins }, (_, i) => adminPlanArb(ADMIN_NAMES[i], hosts))),
        })
        .map(({ invocations, admin }): Step => ({ kind: 'tick', jiraDown, invocations, admin: [...admin] })),
    );
}

const recordersArb = (hosts: Hosts) =>
  fc
    .integer({ min: 1, max: 3 })
    .chain((n) =>
      fc.tuple(...Array.from({ length: n }, (_, i) => adminPlanArb(`R${i + 1}`, hosts, 'record-installation'))),
    );

export function adminHistoryArb(opts: { maxSteps?: number; hosts?: Hosts } = {}): fc.Arbitrary<History> {
  const hosts = opts.hosts ?? BOUNDED;
  const stepArb: fc.Arbitrary<Step> = fc.oneof(
    { weight: 5, arbitrary: adminTickArb(hosts) },
    { weight: 2, arbitrary: jumpArb },
  );
  return fc
    .record({
      installation: fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: recordersArb(hosts).map((recorders) => ({ by: 'admin' as const, recorders })) },
      ),
      startAgeMs: startAgeArb,
      tickOffsetMs: fc.integer({ min: 0, max: 5 * 60_000 - 1_000 }),
      steps: fc.array(stepArb, { minLength: 1, maxLength: opts.maxSteps ?? 8 }),
      recoveryDuplicates: fc.integer({ min: 1, max: 3 }),
    })
    .map(({ installation, ...h }) => readable(installation ? { installation, ...h } : h, describeHistory));
}
