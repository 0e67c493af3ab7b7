import fc from 'fast-check';
import { SCHEDULER } from '../../../src/scheduled/config';
import { FaultWorld, keysFor, TRIGGERS } from './fault_world';
import {
  AdminPlan,
  CallAction,
  CallSite,
  describeHistory,
  History,
  HOUR,
  INTERVAL_MS,
  InvocationPlan,
  KvsFault,
  MINUTE,
  PlannedAction,
  readable,
  Step,
} from './history';

/**
 * Liveness (issue 25 item 5): histories whose hosts' clocks agree within seconds, with
 * duplicate deliveries, lost and garbled replies, refusals and admin actions; in the
 * `generation` flavour also Jira down and invocations that crash. Every wake-up pushed is
 * delivered (possibly twice), at its instant, during the faults as after them.
 */

const STORAGE_FAULTS: KvsFault[] = [
  'throttled-429',
  'server-500',
  'transport',
  'lost-reply-500',
  'garbled-2xx',
  'partial-2xx',
];
const STORAGE_SITES: CallSite[] = ['read', 'claim', 'claim-read', 'commit', 'done-read', 'state-save', 'report-read'];

function actionsArb(generation: boolean): fc.Arbitrary<PlannedAction[]> {
  const storage = fc.record({
    site: fc.constantFrom(...STORAGE_SITES),
    nth: fc.integer({ min: 0, max: 2 }),
    action: fc.constantFrom(...STORAGE_FAULTS).map((fault): CallAction => ({ kind: 'fault', fault })),
  });
  const crash = fc.record({
    site: fc.constantFrom<CallSite>('jira', 'commit', 'claim'),
    nth: fc.integer({ min: 0, max: 3 }),
    action: fc.constant<CallAction>({ kind: 'crash' }),
  });
  return fc.uniqueArray(
    generation ? fc.oneof({ weight: 3, arbitrary: storage }, { weight: 1, arbitrary: crash }) : storage,
    {
      maxLength: 3,
      selector: (a) => `${a.site}#${a.nth}`,
    },
  );
}

const skewArb = fc.integer({ min: -5_000, max: 5_000 });

function tickArb(generation: boolean): fc.Arbitrary<Step> {
  return fc
    .record({
      plans: fc.array(fc.record({ actions: actionsArb(generation), skewMs: skewArb }), { minLength: 1, maxLength: 3 }),
      jiraDown: generation ? fc.boolean() : fc.constant(false),
      admin: fc.array(
        fc.record({
          action: fc.constantFrom<AdminPlan['action']>('retry-12h', 'retry-24h', 'manual'),
          actions: actionsArb(false),
          skewMs: skewArb,
        }),
        { maxLength: 1 },
      ),
    })
    .map(({ plans, jiraDown, admin }) => ({
      kind: 'tick' as const,
      jiraDown,
      invocations: plans.map((p, i): InvocationPlan => ({ name: 'ABC'[i], ...p })),
      admin: admin.map((a, i): AdminPlan => ({ name: `M${i}`, ...a })),
    }));
}

/* No clock jumps: a jump skips ticks, which is event loss, not storage trouble. */

/**
 * `storage`: storage-only trouble, starting anywhere from 11h30 to 25 h. `generation`: Jira
 * down and crashes too, in a fault phase that ends before AUTO_12H's last hour begins.
 */
export function livenessHistoryArb(flavour: 'storage' | 'generation'): fc.Arbitrary<History> {
  const generation = flavour === 'generation';
  return fc
    .record({
      startAgeMs: generation
        ? fc.integer({ min: 11 * HOUR + 30 * MINUTE, max: 22 * HOUR })
        : fc.integer({ min: 11 * HOUR + 30 * MINUTE, max: 25 * HOUR }),
      tickOffsetMs: fc.integer({ min: 0, max: INTERVAL_MS - 1_000 }),
      steps: fc.array(tickArb(generation), {
        minLength: 1,
        maxLength: 12,
      }),
      recoveryDuplicates: fc.integer({ min: 1, max: 3 }),
      eventFaults: fc.record({
        lossRate: fc.constant(0),
        duplicateRate: fc.constantFrom(0, 0.5),
        lateRate: fc.constant(0),
      }),
    })
    .map((h) => readable(h, describeHistory));
}

/** Bound of (b): once storage-only trouble ends, a report owed is stored within this. */
export const STORAGE_RECOVERY_BOUND_MS = 30 * MINUTE;

function generatedAt(world: FaultWorld, key: string): number | null {
  const r = world.stored().get(key) as { generated_at?: unknown } | undefined;
  const at = typeof r?.generated_at === 'string' ? Date.parse(r.generated_at) : NaN;
  return Number.isFinite(at) ? at : null;
}

/**
 * (a) AUTO_12H is stored when its last hour was healthy: no fault, Jira up, no crash, from
 * 60 minutes before its window closes until it closes (here: the fault phase ended before).
 * (b) After storage-only trouble, each report is stored by max(due, trouble's end) + 30 min
 * (AUTO_12H only where that comes before its window closes).
 */
export function livenessViolations(world: FaultWorld, flavour: 'storage' | 'generation'): string[] {
  const broken: string[] = [];
  const tenant = world.tenants[0];
  const k = keysFor(tenant.inst.cloudId);
  const close = tenant.installedAt + SCHEDULER.auto24hAfterMs;
  const lastHour = close - HOUR;
  const at12 = generatedAt(world, k.report('AUTO_12H'));
  const ended = world.faultsStoppedAt;
  const hour = (t: number) => `${((t - tenant.installedAt) / HOUR).toFixed(3)} h`;
  if (flavour === 'generation' && ended <= lastHour) {
    if (at12 === null || at12 >= close) {
      broken.push(
        `(a) faults ended at ${hour(ended)}, the last hour was healthy, yet AUTO_12H was ${at12 === null ? 'not stored' : `stored at ${hour(at12)}`}`,
      );
    }
  }
  if (flavour === 'storage') {
    for (const t of TRIGGERS) {
      const due = tenant.installedAt + (t === 'AUTO_12H' ? SCHEDULER.auto12hAfterMs : SCHEDULER.auto24hAfterMs);
      const bound = Math.max(due, ended) + STORAGE_RECOVERY_BOUND_MS;
      if (t === 'AUTO_12H' && bound >= close) continue;
      const at = generatedAt(world, k.report(t));
      if (at === null || at > bound) {
        broken.push(
          `(b) ${t} due ${hour(due)}, storage trouble ended ${hour(ended)}: ${at === null ? 'not stored' : `stored at ${hour(at)}`}, bound ${hour(bound)}`,
        );
      }
    }
  }
  return broken;
}
