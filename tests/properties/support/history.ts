import fc from 'fast-check';
import { SCHEDULER } from '../../../src/scheduled/config';

/**
 * The histories the property suite generates: what happens to one installation
 * while storage misbehaves (the fault phase), described as data so that a failing
 * case shrinks to something a person can read. After the fault phase every
 * history continues fault-free (the recovery phase), which is where liveness is
 * judged.
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
/** The manifest's tick interval (a conformance test holds the two together). */
export const INTERVAL_MS = SCHEDULER.intervalMs;

/**
 * What storage does to one KVS call. "Refused" faults are answered before the
 * service applies anything; "after apply" faults let the service apply the call
 * and then spoil the reply on its way back, so the caller cannot know it landed.
 */
export type KvsFault =
  | 'throttled-429' // refused: RATE_LIMIT_EXCEEDED
  | 'server-500' // refused: INTERNAL_SERVER_ERROR
  | 'transport' // refused: the request never reached KVS (fetch rejects)
  | 'lost-reply-500' // applied, then answered 500
  | 'garbled-2xx' // applied, then answered 200 with a body that is not JSON
  | 'partial-2xx'; // applied, then answered 200 with JSON that leaves items out

export type CallAction =
  | { kind: 'fault'; fault: KvsFault }
  /** The invocation dies just before this call leaves (Forge killed it, the container went away). */
  | { kind: 'crash' }
  /** The call is held up this long before it is served; the simulated clock moves meanwhile. */
  | { kind: 'stall'; ms: number };

/** Where in an invocation a call is made; the seam classifies each call as one of these. */
export type CallSite =
  | 'read' // the one batch read: evidence, state, both DONE keys
  | 'claim' // create-if-absent of an attempt's claim
  | 'claim-read' // reading a claim someone else holds
  | 'jira' // report generation reading the site
  | 'report-read' // the 24 h report reading the 12 h one
  | 'commit' // the transaction: report + DONE + state
  | 'done-read' // after a refused commit: did it land after all? (the holder reads its claim back)
  | 'state-save'; // a state write outside the commit

/** An action at the nth (0-based) call an invocation makes at a site; every other call goes through untouched. */
export interface PlannedAction {
  site: CallSite;
  nth: number;
  action: CallAction;
}

export interface InvocationPlan {
  name: string;
  actions: readonly PlannedAction[];
  /** How far the host running it has its clock off true time (ms, + ahead); 0 when absent. */
  skewMs?: number;
  /** Runs on a host that enforces no timeout (frozen, or `forge tunnel`): it outlives its lease by any amount. */
  unbounded?: boolean;
}

/** What an administrator does on the admin page. */
export type AdminAction = 'reset-12h' | 'reset-24h' | 'retry-12h' | 'retry-24h' | 'manual' | 'record-installation';

/** One resolver call from the admin page, racing the tick's scheduler invocations. */
export interface AdminPlan extends InvocationPlan {
  action: AdminAction;
}

export type StateCorruption =
  'not-an-object' | 'wrong-types' | 'bad-instant' | 'far-future-backoff' | 'generated-without-done' | 'deleted';
export type EvidenceCorruption = 'not-an-object' | 'bad-instant' | 'far-future' | 'deleted';
export type ClaimCorruption = 'not-an-object' | 'far-future-lease';

export type Step =
  /** The next scheduled tick, delivered to 1-5 concurrent invocations (Forge's duplicates); Jira may be down throughout. */
  | { kind: 'tick'; invocations: InvocationPlan[]; jiraDown: boolean; admin?: AdminPlan[] }
  /** The clock jumps forward between ticks. */
  | { kind: 'jump'; ms: number }
  /** Jira is down for `attempts` attempts in a row, each tick coming just after the previous backoff (30 min, 2 h, 24 h...) ends. */
  | { kind: 'failing-attempts'; attempts: number; duplicates: number }
  | { kind: 'corrupt-state'; corruption: StateCorruption }
  | { kind: 'corrupt-evidence'; corruption: EvidenceCorruption }
  /** Overwrites the newest claim of the trigger most recently claimed (nothing if there is none). */
  | { kind: 'corrupt-claim'; corruption: ClaimCorruption }
  /** Any value at all under a DONE key counts as done; garble it if present. */
  | { kind: 'corrupt-done' };

export interface History {
  /**
   * Where the installation time comes from: the lifecycle event (default), or administrators
   * recording it from the admin page, `recorders` of them at once, racing a scheduled run.
   */
  installation?: { by: 'admin'; recorders: AdminPlan[] };
  /** Age of the installation when the fault phase begins. */
  startAgeMs: number;
  /** Forge fires an installation's trigger at a stable offset within the interval. */
  tickOffsetMs: number;
  steps: Step[];
  /** Concurrent invocations per tick once faults stop. */
  recoveryDuplicates: number;
  /**
   * What async events do to wake-ups once faults stop (those pushed during the
   * fault phase are delivered then too, late): the fraction lost, duplicated, late.
   */
  eventFaults?: { lossRate: number; duplicateRate: number; lateRate: number };
}

// ---------------------------------------------------------------------------
// Readable forms, used by fast-check when it reports a counterexample.

export function describeDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const h = Math.floor(rest / HOUR);
  rest -= h * HOUR;
  const m = Math.floor(rest / MINUTE);
  rest -= m * MINUTE;
  const s = Math.round(rest / 1000);
  return `${sign}${h}h${String(m).padStart(2, '0')}m${s ? `${String(s).padStart(2, '0')}s` : ''}`;
}

export function describeAction(a: CallAction): string {
  if (a.kind === 'fault') return a.fault;
  if (a.kind === 'crash') return 'crash';
  return `stall ${describeDuration(a.ms)}`;
}

export function describePlan(p: InvocationPlan): string {
  const skew =
    (p.skewMs ? `@${p.skewMs > 0 ? '+' : ''}${Math.round(p.skewMs / 1000)}s` : '') +
    (p.unbounded ? '(no timeout)' : '');
  const what = 'action' in p ? `${p.name}:${(p as AdminPlan).action}` : p.name;
  if (p.actions.length === 0) return `${what}${skew}`;
  const at = (a: PlannedAction) => `${a.site}${a.nth > 0 ? `#${a.nth + 1}` : ''}`;
  return `${what}${skew}{${p.actions.map((a) => `${describeAction(a.action)} at ${at(a)}`).join(', ')}}`;
}

export function describeStep(s: Step): string {
  switch (s.kind) {
    case 'tick':
      return (
        `tick x${s.invocations.length}${s.jiraDown ? ' (Jira down)' : ''}: ${s.invocations.map(describePlan).join(' ')}` +
        (s.admin?.length ? `; admin: ${s.admin.map(describePlan).join(' ')}` : '')
      );
    case 'jump':
      return `clock jumps +${describeDuration(s.ms)}`;
    case 'failing-attempts':
      return `Jira down for ${s.attempts} attempt(s) in a row, x${s.duplicates} per tick, each retried as its backoff ends`;
    case 'corrupt-state':
      return `state corrupted (${s.corruption})`;
    case 'corrupt-evidence':
      return `Phase-4 evidence corrupted (${s.corruption}); repaired when faults stop`;
    case 'corrupt-claim':
      return `newest claim corrupted (${s.corruption})`;
    case 'corrupt-done':
      return 'DONE marker value garbled';
  }
}

export function describeHistory(h: History): string {
  return [
    ...(h.installation
      ? [`installation time recorded by admins: ${h.installation.recorders.map(describePlan).join(' ')}`]
      : []),
    `installation ${describeDuration(h.startAgeMs)} old when faults begin; ticks at +${describeDuration(h.tickOffsetMs)} past each ${describeDuration(INTERVAL_MS)}`,
    ...h.steps.map((s, i) => `  ${i + 1}. ${describeStep(s)}`),
    `  then faults stop; ${h.recoveryDuplicates} invocation(s) per tick; wake-ups ${describeEventFaults(h.eventFaults)}`,
  ].join('\n');
}

export function describeEventFaults(f: History['eventFaults'] | undefined): string {
  if (!f) return 'delivered as pushed';
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  return `${pct(f.lossRate)} lost, ${pct(f.duplicateRate)} duplicated, ${pct(f.lateRate)} late`;
}

/** Attach the readable form where fast-check looks for it. */
export function readable<T extends object>(value: T, describe: (v: T) => string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => `\n${describe(value)}`, enumerable: false });
  return value;
}

// ---------------------------------------------------------------------------
// Arbitraries.

const faultArb: fc.Arbitrary<KvsFault> = fc.constantFrom(
  'server-500',
  'throttled-429',
  'transport',
  'lost-reply-500',
  'garbled-2xx',
  'partial-2xx',
);

/** Stalls on both sides of the function timeout (120 s) and of the claim lease (16 min). */
const stallArb = fc.oneof(
  fc.constantFrom(30_000, 61_000, 119_000, 121_000, 15 * MINUTE, 17 * MINUTE),
  fc.integer({ min: 1_000, max: 20 * MINUTE }),
);

const actionArb: fc.Arbitrary<CallAction> = fc.oneof(
  { weight: 5, arbitrary: faultArb.map((fault) => ({ kind: 'fault' as const, fault })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'crash' as const }) },
  { weight: 2, arbitrary: stallArb.map((ms) => ({ kind: 'stall' as const, ms })) },
);

const siteArb: fc.Arbitrary<{ site: CallSite; nth: number }> = fc.oneof(
  fc.record({ site: fc.constantFrom<CallSite>('read', 'claim', 'commit', 'state-save'), nth: fc.constant(0) }),
  fc.record({
    site: fc.constantFrom<CallSite>('claim', 'claim-read', 'commit', 'done-read'),
    nth: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({ site: fc.constant<CallSite>('jira'), nth: fc.integer({ min: 0, max: 11 }) }),
  fc.record({ site: fc.constant<CallSite>('report-read'), nth: fc.constant(0) }),
);

export const plannedActionsArb = fc.uniqueArray(
  fc.record({ at: siteArb, action: actionArb }).map(({ at, action }) => ({ ...at, action })),
  { maxLength: 3, selector: (a) => `${a.site}#${a.nth}` },
);

/**
 * Stalls of any length a frozen host or `forge tunnel` allows: past the lease (16 min) by
 * seconds, by the hour a slow clock could hide, by a day, and anything in between.
 */
const longStallArb = fc.oneof(
  fc.constantFrom(16 * MINUTE + 1_000, 17 * MINUTE, 52 * MINUTE, 61 * MINUTE, 2 * HOUR, 25 * HOUR),
  fc.integer({ min: 1_000, max: 26 * HOUR }),
);

/** As plannedActionsArb, with stalls of any length (for invocations no timeout stops). */
export const longPlannedActionsArb = fc.uniqueArray(
  fc
    .record({
      at: siteArb,
      action: fc.oneof(
        { weight: 3, arbitrary: faultArb.map((fault) => ({ kind: 'fault' as const, fault })) },
        { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
        { weight: 4, arbitrary: longStallArb.map((ms) => ({ kind: 'stall' as const, ms })) },
      ),
    })
    .map(({ at, action }) => ({ ...at, action })),
  { maxLength: 3, selector: (a) => `${a.site}#${a.nth}` },
);

const NAMES = 'ABCDE';

function tickArb(): fc.Arbitrary<Step> {
  return fc
    .record({
      plans: fc.array(plannedActionsArb, { minLength: 1, maxLength: 5 }),
      jiraDown: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    })
    .map(({ plans, jiraDown }) => ({
      kind: 'tick' as const,
      jiraDown,
      invocations: plans.map((actions, i) => ({ name: NAMES[i], actions })),
    }));
}

export const jumpArb: fc.Arbitrary<Step> = fc
  .oneof(
    fc.constantFrom(16 * MINUTE, 31 * MINUTE, 2 * HOUR + MINUTE, 12 * HOUR, 24 * HOUR + MINUTE, 25 * HOUR),
    fc.integer({ min: MINUTE, max: 26 * HOUR }),
  )
  .map((ms) => ({ kind: 'jump' as const, ms }));

const corruptionArb: fc.Arbitrary<Step> = fc.oneof(
  fc
    .constantFrom<StateCorruption>(
      'not-an-object',
      'wrong-types',
      'bad-instant',
      'far-future-backoff',
      'generated-without-done',
      'deleted',
    )
    .map((corruption) => ({ kind: 'corrupt-state' as const, corruption })),
  fc
    .constantFrom<EvidenceCorruption>('not-an-object', 'bad-instant', 'far-future', 'deleted')
    .map((corruption) => ({ kind: 'corrupt-evidence' as const, corruption })),
  fc
    .constantFrom<ClaimCorruption>('not-an-object', 'far-future-lease')
    .map((corruption) => ({ kind: 'corrupt-claim' as const, corruption })),
  fc.constant({ kind: 'corrupt-done' as const }),
);

const failingAttemptsArb: fc.Arbitrary<Step> = fc
  .record({ attempts: fc.integer({ min: 1, max: 4 }), duplicates: fc.integer({ min: 1, max: 3 }) })
  .map(({ attempts, duplicates }) => ({ kind: 'failing-attempts' as const, attempts, duplicates }));

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: tickArb() },
  { weight: 2, arbitrary: jumpArb },
  { weight: 1, arbitrary: corruptionArb },
  { weight: 1, arbitrary: failingAttemptsArb },
);

/** Start near the interesting instants: just before/at 12 h, inside the 12 h window, around 24 h. */
export const startAgeArb = fc.oneof(
  fc.constantFrom(11 * HOUR + 55 * MINUTE, 12 * HOUR, 23 * HOUR + 50 * MINUTE, 24 * HOUR),
  fc.integer({ min: 11 * HOUR + 30 * MINUTE, max: 25 * HOUR }),
);

/** Event loss as given (`--event-loss` through PROPERTY_EVENT_LOSS), or drawn from none, some and all. */
function eventFaultsArb(loss?: number): fc.Arbitrary<History['eventFaults']> {
  return fc.record({
    lossRate: loss === undefined ? fc.constantFrom(0, 0.1, 1) : fc.constant(loss),
    duplicateRate: fc.constantFrom(0, 0.5),
    lateRate: fc.constantFrom(0, 0.5),
  });
}

export function historyArb(opts: { maxSteps?: number; eventLoss?: number } = {}): fc.Arbitrary<History> {
  return fc
    .record({
      startAgeMs: startAgeArb,
      tickOffsetMs: fc.integer({ min: 0, max: INTERVAL_MS - 1_000 }),
      steps: fc.array(stepArb, { minLength: 1, maxLength: opts.maxSteps ?? 10 }),
      recoveryDuplicates: fc.integer({ min: 1, max: 3 }),
      eventFaults: eventFaultsArb(opts.eventLoss),
    })
    .map((h) => readable(h, describeHistory));
}

/** Build a history by hand (regression tests), readable the same way. */
export function history(h: History): History {
  return readable(h, describeHistory);
}
