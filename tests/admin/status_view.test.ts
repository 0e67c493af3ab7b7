import type { AdminRecords } from '../../src/admin/admin_records';
import { adminPageView } from '../../src/admin/status_view';
import {
  claimNext,
  clearBackoff,
  createdRecord,
  emptyProgress,
  emptyState,
  LedgerRecord,
  manualClaimed,
  recordFailure,
  recordMissed,
  recordSuccess,
  resetRecord,
  SchedulerState,
  stateFromRecords,
} from '../../src/scheduled/decisions';
import { serializeRecord, serializeState } from '../../src/scheduled/scheduler_state';
import { inEnglish } from './support/english';

/**
 * The admin page's status as a pure function of stored records and the time.
 * Its words are checked as the admin reads them: in English, in UTC, counted
 * from the view's clock (support/english.ts writes them as the page does).
 */

const M = 60_000;
const H = 60 * M;
const T0 = Date.parse('2026-11-02T09:00:00Z');
const CLOUD = '0a0b0c0d-0000-4000-8000-000000000001';

function records(patch: Partial<AdminRecords> = {}): AdminRecords {
  return {
    cloudId: CLOUD,
    evidence: { installation_timestamp: new Date(T0).toISOString(), source: 'avi:forge:installed:app' },
    state: undefined,
    done: { AUTO_12H: undefined, AUTO_24H: undefined },
    ledger: { AUTO_12H: undefined, AUTO_24H: undefined, MANUAL: undefined },
    entries: [],
    manualIndex: undefined,
    replacedIndex: undefined,
    audit: [],
    ...patch,
  };
}

/**
 * A state as an installation not yet moved to the ledger stored it (schema 2): the page reads its
 * progress from the state then. Once the ledger records exist, the page reads them instead (`ledgerOf`).
 */
function stored(state: SchedulerState): Record<string, unknown> {
  const out = { ...serializeState(state), schema_version: 2 } as Record<string, unknown>;
  for (const field of Object.keys(out)) {
    if (/_ledger_version$|_status$|^installation_timestamp$/.test(field)) delete out[field];
  }
  return out;
}

/** The ledger records an installation has once its progress is `state`, with `patch` applied to them. */
function ledgerOf(
  state: SchedulerState,
  patch: (
    records: Record<'AUTO_12H' | 'AUTO_24H', LedgerRecord>,
  ) => Partial<Record<'AUTO_12H' | 'AUTO_24H', LedgerRecord>> = () => ({}),
): AdminRecords['ledger'] {
  const record = (t: 'AUTO_12H' | 'AUTO_24H') =>
    createdRecord(t, 'installer', T0, state.triggers[t], state.triggers[t].generatedAt !== null ? 'done' : 'idle');
  const base = { AUTO_12H: record('AUTO_12H'), AUTO_24H: record('AUTO_24H') };
  const out = { ...base, ...patch(base) };
  return {
    AUTO_12H: serializeRecord(CLOUD, out.AUTO_12H),
    AUTO_24H: serializeRecord(CLOUD, out.AUTO_24H),
    MANUAL: undefined,
  };
}

/** Attempt `n` of a trigger claimed by `holder` at `at` (16 min lease), over the records `ledgerOf` builds. */
const claimed =
  (t: 'AUTO_12H' | 'AUTO_24H', holder: string, at: number) =>
  (records: Record<'AUTO_12H' | 'AUTO_24H', LedgerRecord>) => {
    // The claim itself says generation started, as every claim the scheduler takes does.
    return { [t]: claimNext(stateFromRecords(records, T0, null), records[t], holder, at, 16 * M).record };
  };

/** The MANUAL record with report #1 being generated since `at`, under a lease of `leaseMs`. */
function manualGenerating(at: number, leaseMs: number): unknown {
  return serializeRecord(
    CLOUD,
    manualClaimed(createdRecord('MANUAL', 'installer', T0, emptyProgress()), 'inv', at, leaseMs),
  );
}

/** A state after `failures` failed attempts of AUTO_12H, the first at 12 h. */
function failing(
  trigger: 'AUTO_12H' | 'AUTO_24H',
  failures: number,
  firstAt: number,
): { state: SchedulerState; lastAt: number } {
  let state = emptyState();
  let at = firstAt;
  for (let attempt = 1; attempt <= failures; attempt++) {
    const outcome = recordFailure(state, trigger, { attempt, at, message: `Jira said no (#${attempt})` }, at, T0);
    state = outcome.state;
    if (attempt < failures) at = outcome.nextEligibleAt;
  }
  return { state, lastAt: at };
}

type View = ReturnType<typeof adminPageView>;

/** The view as the admin reads it. */
const english = (view: View) => inEnglish(view, view.now);

const trigger = (view: View, t: 'AUTO_12H' | 'AUTO_24H') => english(view).triggers.find((v) => v.trigger === t)!;

/** Which situations the page names, worst first: the health's, then each message's (null: healthy). */
const situations = (view: View) => [view.health.kind, ...view.messages.map((m) => m.kind)];

describe('installation', () => {
  it('shows the time and that it came from the installed event', () => {
    const view = adminPageView(records(), T0 + 13 * H);

    expect(view.installation).toMatchObject({
      status: 'recorded',
      installedAt: '2026-11-02T09:00:00.000Z',
      source: 'event',
      ageHours: 13,
    });
    expect(view.recordInstallation.allowed).toBe(false);
  });

  it('shows an admin-recorded time as such, with who recorded it', () => {
    const evidence = { installation_timestamp: new Date(T0).toISOString(), source: 'admin', recorded_by: 'acc-1' };

    const view = adminPageView(records({ evidence }), T0 + H);

    expect(view.installation).toMatchObject({ source: 'admin', recordedBy: 'acc-1' });
  });

  it('when missing: action needed, both triggers unscheduled, recording offered, and a manual report too', () => {
    const view = adminPageView(records({ evidence: undefined }), T0);

    expect(view.installation.status).toBe('missing');
    expect(view.health).toMatchObject({ level: 'action', action: { kind: 'recordInstallation' } });
    expect(view.messages).toEqual([]);
    expect(view.triggers.map((t) => t.status)).toEqual(['unscheduled', 'unscheduled']);
    expect(view.recordInstallation.allowed).toBe(true);
    expect(view.manualReport.allowed).toBe(true);
  });

  it('an unparseable timestamp needs action (support), and recording is not offered (it never overwrites)', () => {
    const view = adminPageView(records({ evidence: { installation_timestamp: 'yesterday' } }), T0);

    expect(view.installation.status).toBe('invalid');
    expect(view.recordInstallation.allowed).toBe(false);
    expect(view.health).toMatchObject({ level: 'action', action: { kind: 'diagnostics' } });
  });
});

describe('trigger status', () => {
  it('waiting until 12 h, with the due time as the next eligible time', () => {
    const view = adminPageView(records(), T0 + 2 * H);
    const t12 = trigger(view, 'AUTO_12H');

    expect(t12).toMatchObject({ status: 'waiting', nextEligibleAt: '2026-11-02T21:00:00.000Z' });
    expect(t12.summary).toBe('Due Nov 2, 2026, 9:00 PM UTC (in 10 hours).');
  });

  it('due from 12 h: the next scheduled run is the next chance', () => {
    const now = T0 + 12 * H + 2 * M;
    const t12 = trigger(adminPageView(records(), now), 'AUTO_12H');

    expect(t12.status).toBe('due');
    expect(t12.nextEligibleAt).toBe(new Date(now).toISOString());
  });

  it('generating while a live claim is held for the next attempt', () => {
    const now = T0 + 12 * H + M;
    const view = adminPageView(records({ ledger: ledgerOf(emptyState(), claimed('AUTO_12H', 'inv-1', now - M)) }), now);
    const t12 = trigger(view, 'AUTO_12H');

    expect(t12.status).toBe('generating');
    expect(t12.liveClaim).toMatchObject({ attempt: 1 });
    expect(t12.actions.reset).toMatchObject({ allowed: false });
  });

  it('an expired claim is not a generation: the trigger is due again', () => {
    const now = T0 + 13 * H;
    const ledger = ledgerOf(emptyState(), claimed('AUTO_12H', 'dead', T0 + 12 * H));

    const t12 = trigger(adminPageView(records({ ledger }), now), 'AUTO_12H');

    expect(t12.status).toBe('due');
  });

  it('backing off until its backoff ends, after N attempts, with the last error; retry offered', () => {
    const { state } = failing('AUTO_12H', 2, T0 + 12 * H);
    const now = T0 + 12 * H + 40 * M;
    const t12 = trigger(adminPageView(records({ state: stored(state) }), now), 'AUTO_12H');

    expect(t12).toMatchObject({
      status: 'backing_off',
      attemptCount: 2,
      failedAttempts: 2,
      backoffUntil: '2026-11-02T23:30:00.000Z',
      nextEligibleAt: '2026-11-02T23:30:00.000Z',
      lastError: { message: 'Jira said no (#2)', attempt: 2, cause: 'an unexpected error occurred' },
      repeatedLongBackoff: false,
    });
    expect(t12.summary).toBe('2 attempts failed; the app tries again Nov 2, 2026, 11:30 PM UTC (in 1 hour).');
    expect(t12.actions.retry.allowed).toBe(true);
  });

  it('waiting to retry, says when its last chance is: an hour before its window closes', () => {
    const { state } = failing('AUTO_12H', 3, T0 + 12 * H);
    const backingOff = trigger(adminPageView(records({ ledger: ledgerOf(state) }), T0 + 15 * H), 'AUTO_12H');
    const { state: once } = failing('AUTO_12H', 1, T0 + 12 * H);
    const due = trigger(adminPageView(records({ ledger: ledgerOf(once) }), T0 + 13 * H), 'AUTO_12H');
    const { state: failing24 } = failing('AUTO_24H', 1, T0 + 24 * H);
    const t24 = trigger(adminPageView(records({ ledger: ledgerOf(failing24) }), T0 + 24 * H + M), 'AUTO_24H');

    expect(backingOff).toMatchObject({
      status: 'backing_off',
      nextEligibleAt: '2026-11-03T08:00:00.000Z',
      lastChanceAt: '2026-11-03T08:00:00.000Z',
      windowClosesAt: '2026-11-03T09:00:00.000Z',
    });
    expect(due).toMatchObject({ status: 'due', lastChanceAt: '2026-11-03T08:00:00.000Z' });
    expect(t24).toMatchObject({ status: 'backing_off', lastChanceAt: null });
  });

  it('after its last chance failed with no attempt left, names no next attempt and says the window closes', () => {
    // 12 h, 12h30, 14h30, the last chance at 23 h, then every 15 minutes while that comes before the close.
    const { state, lastAt } = failing('AUTO_12H', 7, T0 + 12 * H);
    expect(lastAt).toBe(T0 + 23 * H + 45 * M);
    const t12 = trigger(adminPageView(records({ ledger: ledgerOf(state) }), T0 + 23 * H + 50 * M), 'AUTO_12H');

    expect(t12).toMatchObject({
      status: 'backing_off',
      backoffUntil: '2026-11-03T09:00:00.000Z',
      nextEligibleAt: null,
      lastChanceAt: null,
    });
    expect(t12.summary).toBe(
      '7 attempts failed; its time runs out Nov 3, 2026, 9:00 AM UTC (in 10 minutes), before the app would try again.',
    );
  });

  it('done at its generation time, from the DONE key even when the state does not know yet', () => {
    const done = { status: 'done', generated_at: '2026-11-02T21:05:00.000Z', attempt: 1, report_key: 'x' };
    const view = adminPageView(records({ done: { AUTO_12H: done, AUTO_24H: undefined } }), T0 + 13 * H);
    const t12 = trigger(view, 'AUTO_12H');

    expect(t12).toMatchObject({ status: 'done', generatedAt: '2026-11-02T21:05:00.000Z', nextEligibleAt: null });
    expect(t12.summary).toBe('Made Nov 2, 2026, 9:05 PM UTC.');
    expect(t12.actions.retry.allowed).toBe(false);
    expect(t12.actions.reset.allowed).toBe(true);
    expect(view.reports.map((r) => r.kind)).toEqual(['AUTO_12H']);
  });

  it('AUTO_12H is missed once its window closes, whether or not the scheduler has recorded it yet', () => {
    const view = adminPageView(records(), T0 + 25 * H);
    const t12 = trigger(view, 'AUTO_12H');

    expect(t12.status).toBe('missed');
    expect(t12.actions.reset.allowed).toBe(false);
    expect(t12.actions.reset.reason).toContain('Generate a manual report instead');
    expect(situations(view)).toEqual(['report_missed']);
    expect(english(view).health.why).toBe(
      'The 12-hour report was missed: the app did not get to make it before its time ran out at Nov 3, 2026, 9:00 AM UTC.',
    );
    expect(trigger(view, 'AUTO_24H').status).toBe('due');
  });

  it('an unreadable state counts as empty, with a warning', () => {
    const view = adminPageView(records({ state: { auto_12h_attempt_count: -3 } }), T0 + 13 * H);

    expect(view.stateProblem).toContain('auto_12h_attempt_count is not a count');
    expect(view.health).toMatchObject({ level: 'attention', todo: null, action: null });
    expect(english(view).health.why).toBe(
      "The app's record of its progress could not be read; it rebuilds it from the stored reports the next time it checks.",
    );
    expect(trigger(view, 'AUTO_12H').status).toBe('due');
  });
});

describe("the guide's alert (waits of 2 hours or more, repeatedly): the report keeps failing, and action is needed", () => {
  it('is not raised after two failures (one 2 h wait): the app retries by itself, and says so', () => {
    const { state } = failing('AUTO_24H', 2, T0 + 24 * H);

    const view = adminPageView(records({ state: stored(state) }), T0 + 25 * H);

    expect(trigger(view, 'AUTO_24H')).toMatchObject({ longBackoffs: 1, repeatedLongBackoff: false });
    // The 12-hour report, never made, was missed at 24 h: a message of its own.
    expect(situations(view)).toEqual(['report_missed', 'report_retrying']);
    expect(view.messages[0]).toMatchObject({ level: 'attention', todo: null, action: null });
    expect(english(view).messages[0].why).toBe(
      'The 24-hour report could not be made: an unexpected error occurred. The app tries again by itself ' +
        'Nov 3, 2026, 11:30 AM UTC (in 1 hour).',
    );
  });

  it('is raised after three failures (waits of 2 h and 24 h), naming the report, the cause and the next attempt', () => {
    const { state, lastAt } = failing('AUTO_24H', 3, T0 + 24 * H);

    const view = adminPageView(records({ state: stored(state) }), lastAt + H);

    expect(trigger(view, 'AUTO_24H')).toMatchObject({
      status: 'backing_off',
      longBackoffs: 2,
      repeatedLongBackoff: true,
    });
    expect(view.health).toMatchObject({ level: 'action', action: { kind: 'retry', trigger: 'AUTO_24H' } });
    expect(english(view).health).toMatchObject({
      why:
        'The 24-hour report could not be made: an unexpected error occurred. It has failed 3 times; the app tries ' +
        'again Nov 4, 2026, 11:30 AM UTC (in 23 hours).',
      todo: 'Check that Jira is available and that the app still has its permissions, then use “Try again now”.',
    });
    expect(situations(view)).toEqual(['report_failing', 'report_missed']);
  });

  it('is not raised once the trigger is done, however many attempts it took', () => {
    const { state, lastAt } = failing('AUTO_24H', 3, T0 + 24 * H);
    const generatedAt = lastAt + 24 * H;
    const done = recordSuccess(state, 'AUTO_24H', 4, generatedAt);
    const marker = { status: 'done', generated_at: new Date(generatedAt).toISOString(), attempt: 4, report_key: 'x' };

    const view = adminPageView(
      records({ state: stored(done), done: { AUTO_12H: undefined, AUTO_24H: marker } }),
      lastAt + 25 * H,
    );

    expect(trigger(view, 'AUTO_24H')).toMatchObject({ status: 'done', failedAttempts: 3, repeatedLongBackoff: false });
    expect(situations(view)).toEqual(['report_missed']);
    expect(view.health.trigger).toBe('AUTO_12H');
    expect(trigger(view, 'AUTO_24H').summary).toBe('Made Nov 4, 2026, 11:30 AM UTC, after 3 failed attempts.');
  });
});

describe('reports, manual generation and the audit log', () => {
  it('lists the automatic reports, then manual ones newest first, then replaced ones', () => {
    const done = { status: 'done', generated_at: '2026-11-02T21:05:00.000Z', attempt: 1, report_key: 'x' };
    const manualIndex = {
      schema_version: 1,
      next_sequence: 3,
      reports: [
        {
          key: `phase5:report:${CLOUD}:MANUAL:b-2`,
          sequence: 2,
          generated_at: '2026-11-02T22:00:00.000Z',
          requested_by: 'acc-1',
        },
        {
          key: `phase5:report:${CLOUD}:MANUAL:a-1`,
          sequence: 1,
          generated_at: '2026-11-02T21:30:00.000Z',
          requested_by: 'acc-2',
        },
      ],
    };
    const replacedIndex = {
      schema_version: 1,
      reports: [
        {
          key: `phase5:report:${CLOUD}:AUTO_12H:REPLACED:x`,
          trigger: 'AUTO_12H',
          generated_at: '2026-11-02T21:00:00.000Z',
          attempt: 1,
          replaced_at: '2026-11-02T21:04:00.000Z',
          replaced_by: 'acc-1',
        },
      ],
    };

    const view = adminPageView(
      records({ done: { AUTO_12H: done, AUTO_24H: undefined }, manualIndex, replacedIndex }),
      T0 + 14 * H,
    );

    expect(view.reports.map((r) => [r.kind, r.by])).toEqual([
      ['AUTO_12H', null],
      ['MANUAL', 'acc-1'],
      ['MANUAL', 'acc-2'],
      ['REPLACED', 'acc-1'],
    ]);
  });

  it('a live manual claim blocks another manual report; an expired one does not', () => {
    const now = T0 + 13 * H;
    const withManual = (MANUAL: unknown) => records({ ledger: { AUTO_12H: undefined, AUTO_24H: undefined, MANUAL } });

    expect(adminPageView(withManual(manualGenerating(now - 10_000, 60_000)), now).manualReport).toMatchObject({
      allowed: false,
    });
    // Its lease ended a second ago by this clock. Which request takes the next number is the record's
    // conditional transition's say, not this clock's, so the page allows no allowance for other clocks.
    expect(adminPageView(withManual(manualGenerating(now - 61_000, 60_000)), now).manualReport).toMatchObject({
      allowed: true,
    });
  });

  it('shows audit entries newest first and skips ones that do not parse', () => {
    const entry = (at: string, action: string) => ({
      key: `phase5:audit:${CLOUD}:${at}`,
      value: {
        schema_version: 1,
        at,
        action,
        account_id: 'acc-1',
        trigger: null,
        outcome: 'done',
        detail: '',
        changed_keys: [],
      },
    });
    const audit = [
      entry('2026-11-02T21:00:00.000Z', 'RETRY_TRIGGER'),
      { key: `phase5:audit:${CLOUD}:junk`, value: 'not an entry' },
      entry('2026-11-02T22:00:00.000Z', 'GENERATE_MANUAL_REPORT'),
    ];

    const view = adminPageView(records({ audit }), T0 + 14 * H);

    expect(view.audit.map((a) => a.action)).toEqual(['GENERATE_MANUAL_REPORT', 'RETRY_TRIGGER']);
  });

  it('offers a reset only for a trigger that has something to reset', () => {
    const view = adminPageView(
      records({
        state: stored({ ...emptyState(), triggers: { AUTO_12H: emptyProgress(), AUTO_24H: emptyProgress() } }),
      }),
      T0 + 13 * H,
    );

    expect(trigger(view, 'AUTO_12H').actions.reset).toMatchObject({
      allowed: false,
      reason: 'Nothing to reset: it has not been tried yet.',
    });
  });
});

describe('the whole page for a site installed two hours ago', () => {
  it('says all is well and when the first report is due, shows both triggers waiting, and offers a manual report', () => {
    const view = adminPageView(records(), T0 + 2 * H);

    expect(english(view)).toEqual({
      now: '2026-11-02T11:00:00.000Z',
      cloudId: CLOUD,
      installation: {
        status: 'recorded',
        installedAt: '2026-11-02T09:00:00.000Z',
        source: 'event',
        recordedBy: null,
        recordedAt: null,
        ageHours: 2,
      },
      stateProblem: null,
      recordProblems: [],
      triggers: [
        {
          trigger: 'AUTO_12H',
          status: 'waiting',
          summary: 'Due Nov 2, 2026, 9:00 PM UTC (in 10 hours).',
          dueAt: '2026-11-02T21:00:00.000Z',
          windowClosesAt: '2026-11-03T09:00:00.000Z',
          nextEligibleAt: '2026-11-02T21:00:00.000Z',
          lastChanceAt: null,
          attemptCount: 0,
          failedAttempts: 0,
          longBackoffs: 0,
          backoffUntil: null,
          lastError: null,
          generatedAt: null,
          missedAt: null,
          liveClaim: null,
          outcomeUnknown: false,
          reportKey: null,
          repeatedLongBackoff: false,
          actions: {
            retry: { allowed: false, reason: 'It is not due yet.' },
            reset: { allowed: false, reason: 'Nothing to reset: it has not been tried yet.' },
          },
        },
        {
          trigger: 'AUTO_24H',
          status: 'waiting',
          summary: 'Due Nov 3, 2026, 9:00 AM UTC (in 22 hours).',
          dueAt: '2026-11-03T09:00:00.000Z',
          windowClosesAt: null,
          nextEligibleAt: '2026-11-03T09:00:00.000Z',
          lastChanceAt: null,
          attemptCount: 0,
          failedAttempts: 0,
          longBackoffs: 0,
          backoffUntil: null,
          lastError: null,
          generatedAt: null,
          missedAt: null,
          liveClaim: null,
          outcomeUnknown: false,
          reportKey: null,
          repeatedLongBackoff: false,
          actions: {
            retry: { allowed: false, reason: 'It is not due yet.' },
            reset: { allowed: false, reason: 'Nothing to reset: it has not been tried yet.' },
          },
        },
      ],
      health: {
        level: 'healthy',
        kind: null,
        trigger: null,
        why: 'Everything is on schedule: the 12-hour report is due Nov 2, 2026, 9:00 PM UTC (in 10 hours).',
        todo: null,
        action: null,
      },
      messages: [],
      reports: [],
      manualReport: {
        allowed: true,
        reason:
          'Reads the site now (for at most 15 seconds) and keeps the result; the newest 10 are kept. ' +
          'The 12- and 24-hour reports are not affected.',
        inProgressSince: null,
      },
      recordInstallation: {
        allowed: false,
        reason: 'The installation time is recorded; it is never changed.',
        earliestAt: '2026-11-01T00:00:00.000Z',
      },
      audit: [],
      limits: { manualReportsKept: 10, replacedReportsKept: 5 },
      schedule: { interval: 'hour', intervalMinutes: 60, wakeUps: true },
    });
  });
});

describe('installation evidence as the page reports it', () => {
  it('a source the app does not know is "other", with when it was recorded and its age to a tenth of an hour', () => {
    const evidence = {
      installation_timestamp: new Date(T0).toISOString(),
      source: 'jira-migration',
      recorded_at: '2026-11-02T09:00:05.000Z',
    };

    const view = adminPageView(records({ evidence }), T0 + 13 * H + 20 * M);

    expect(view.installation).toEqual({
      status: 'recorded',
      installedAt: '2026-11-02T09:00:00.000Z',
      source: 'other',
      recordedBy: null,
      recordedAt: '2026-11-02T09:00:05.000Z',
      ageHours: 13.3,
    });
  });

  it('when missing: nothing about it is shown, and the health, the triggers and the actions all say why', () => {
    const view = adminPageView(records({ evidence: undefined }), T0);

    expect(view.installation).toEqual({
      status: 'missing',
      installedAt: null,
      source: null,
      recordedBy: null,
      recordedAt: null,
      ageHours: null,
    });
    expect(english(view).health).toEqual({
      level: 'action',
      kind: 'installation_missing',
      trigger: null,
      why:
        'The app cannot make its 12- and 24-hour reports: it does not know when it was installed on this site, ' +
        'because Jira never told it.',
      todo: 'Record when the app was installed. Until then, you can still generate a manual report.',
      action: { kind: 'recordInstallation' },
    });
    expect(view.messages).toEqual([]);
    for (const t of english(view).triggers) {
      expect(t).toMatchObject({
        summary: 'Not scheduled: the app does not know when it was installed.',
        dueAt: null,
        windowClosesAt: null,
        nextEligibleAt: null,
        actions: { retry: { allowed: false, reason: 'The installation time is not recorded.' } },
      });
    }
    expect(english(view).manualReport).toEqual({
      allowed: true,
      reason:
        'Reads the site now (for at most 15 seconds) and keeps the result; the newest 10 are kept. Without an ' +
        'installation time, it leaves out what counts from the installation.',
      inProgressSince: null,
    });
    expect(english(view).recordInstallation).toEqual({
      allowed: true,
      reason: 'Enter when the app was installed here; the reports count from that time.',
      earliestAt: '2026-11-01T00:00:00.000Z',
    });
  });

  it('when not an instant: the health sends the admin to support, and no time is shown', () => {
    const evidence = { installation_timestamp: 'yesterday', source: 'avi:forge:installed:app' };

    const view = adminPageView(records({ evidence }), T0);

    expect(view.installation).toMatchObject({ status: 'invalid', installedAt: null, source: 'event', ageHours: null });
    expect(english(view).health).toEqual({
      level: 'action',
      kind: 'installation_unusable',
      trigger: null,
      why: 'The app cannot make its reports: the installation time it has recorded cannot be read.',
      todo: "Contact the app vendor's support, and send them the download from Diagnostics below.",
      action: { kind: 'diagnostics' },
    });
    expect(view.triggers.map((t) => t.status)).toEqual(['unscheduled', 'unscheduled']);
    expect(view.manualReport.allowed).toBe(true);
  });

  it('when in the future: the stored time is shown and named in the health, and nothing is scheduled from it', () => {
    const evidence = {
      installation_timestamp: '2026-11-02T10:00:00.000Z',
      source: 'admin',
      recorded_by: 'acc-1',
      recorded_at: '2026-11-02T08:59:00.000Z',
    };

    const view = adminPageView(records({ evidence }), T0);

    expect(view.installation).toEqual({
      status: 'in_future',
      installedAt: '2026-11-02T10:00:00.000Z',
      source: 'admin',
      recordedBy: 'acc-1',
      recordedAt: '2026-11-02T08:59:00.000Z',
      ageHours: null,
    });
    expect(english(view).health).toMatchObject({
      level: 'action',
      why: 'The app cannot make its reports: the installation time it has recorded, Nov 2, 2026, 10:00 AM UTC, lies in the future.',
    });
    expect(view.triggers.map((t) => t.status)).toEqual(['unscheduled', 'unscheduled']);
    expect(view.recordInstallation.allowed).toBe(false);
  });
});

describe('each trigger status, as the page words it and what it offers', () => {
  it('AUTO_12H becomes due at exactly 12 h and stays due until the last moment before 24 h', () => {
    const atDue = adminPageView(records(), T0 + 12 * H);
    const lastMoment = adminPageView(records(), T0 + 24 * H - 1);
    const atClose = adminPageView(records(), T0 + 24 * H);

    expect(trigger(atDue, 'AUTO_12H')).toMatchObject({ status: 'due', nextEligibleAt: '2026-11-02T21:00:00.000Z' });
    expect(trigger(lastMoment, 'AUTO_12H').status).toBe('due');
    expect(trigger(lastMoment, 'AUTO_24H')).toMatchObject({
      status: 'waiting',
      summary: 'Due Nov 3, 2026, 9:00 AM UTC (now).',
    });
    expect(trigger(atClose, 'AUTO_12H')).toMatchObject({ status: 'missed', nextEligibleAt: null });
    expect(trigger(atClose, 'AUTO_24H')).toMatchObject({ status: 'due', nextEligibleAt: '2026-11-03T09:00:00.000Z' });
  });

  it('due and never attempted: the next run makes it; there is nothing to retry or reset', () => {
    const t12 = trigger(adminPageView(records(), T0 + 12 * H + 5 * M), 'AUTO_12H');

    expect(t12.summary).toBe('Due now: the app makes it within minutes.');
    expect(t12.actions).toEqual({
      retry: { allowed: false, reason: 'It is due already: the app makes it within minutes.' },
      reset: { allowed: false, reason: 'Nothing to reset: it has not been tried yet.' },
    });
  });

  it('due again once a backoff has run out: says how many attempts failed, and a reset would clear them', () => {
    const { state } = failing('AUTO_12H', 1, T0 + 12 * H);
    const once = trigger(adminPageView(records({ state: stored(state) }), T0 + 12 * H + 40 * M), 'AUTO_12H');
    const { state: twice } = failing('AUTO_12H', 2, T0 + 12 * H);
    const again = trigger(adminPageView(records({ state: stored(twice) }), T0 + 15 * H), 'AUTO_12H');

    expect(once).toMatchObject({
      status: 'due',
      summary: 'Due again after one failed attempt: the app tries within minutes.',
      attemptCount: 1,
      failedAttempts: 1,
      longBackoffs: 0,
      backoffUntil: '2026-11-02T21:30:00.000Z',
      nextEligibleAt: '2026-11-02T21:40:00.000Z',
      lastError: {
        at: '2026-11-02T21:00:00.000Z',
        message: 'Jira said no (#1)',
        attempt: 1,
        cause: 'an unexpected error occurred',
      },
      repeatedLongBackoff: false,
    });
    expect(once.actions).toEqual({
      retry: { allowed: false, reason: 'It is due already: the app makes it within minutes.' },
      reset: { allowed: true, reason: 'Forgets its failed attempts and starts it over.' },
    });
    expect(again.summary).toBe('Due again after 2 failed attempts: the app tries within minutes.');
    expect(again.longBackoffs).toBe(1);
  });

  it('backing off after its first failure: the wait is short, and retry ends it now', () => {
    const { state } = failing('AUTO_12H', 1, T0 + 12 * H);

    const t12 = trigger(adminPageView(records({ state: stored(state) }), T0 + 12 * H + 10 * M), 'AUTO_12H');

    expect(t12).toMatchObject({
      status: 'backing_off',
      summary: 'One attempt failed; the app tries again Nov 2, 2026, 9:30 PM UTC (in 20 minutes).',
      failedAttempts: 1,
      longBackoffs: 0,
    });
    expect(t12.actions.retry).toEqual({
      allowed: true,
      reason: 'The app tries it again within seconds, instead of waiting until Nov 2, 2026, 9:30 PM UTC.',
    });
  });

  it('done on a later attempt: says which, counts the failures before it, and a reset keeps the report', () => {
    const done = { status: 'done', generated_at: '2026-11-02T21:35:00.000Z', attempt: 2, report_key: 'x' };

    const view = adminPageView(records({ done: { AUTO_12H: done, AUTO_24H: undefined } }), T0 + 13 * H);

    expect(trigger(view, 'AUTO_12H')).toMatchObject({
      status: 'done',
      summary: 'Made Nov 2, 2026, 9:35 PM UTC, after one failed attempt.',
      attemptCount: 2,
      failedAttempts: 1,
      nextEligibleAt: null,
      liveClaim: null,
      reportKey: `phase5:report:${CLOUD}:AUTO_12H`,
    });
    expect(trigger(view, 'AUTO_12H').actions).toEqual({
      retry: { allowed: false, reason: 'It is done; reset it to make it again.' },
      reset: {
        allowed: true,
        reason:
          'Sets its report aside (it stays in the list, marked as replaced) and makes it again, from the first attempt.',
      },
    });
    expect(trigger(view, 'AUTO_24H').reportKey).toBeNull();
  });

  it('done by a DONE key that names no time or attempt: done all the same, its report listed without them', () => {
    const view = adminPageView(records({ done: { AUTO_12H: 'done', AUTO_24H: undefined } }), T0 + 13 * H);

    expect(trigger(view, 'AUTO_12H')).toMatchObject({
      status: 'done',
      summary: 'Done: its report is stored.',
      generatedAt: null,
      attemptCount: 0,
      failedAttempts: 0,
    });
    expect(view.reports).toEqual([
      {
        key: `phase5:report:${CLOUD}:AUTO_12H`,
        kind: 'AUTO_12H',
        trigger: 'AUTO_12H',
        generatedAt: null,
        attempt: null,
        by: null,
        replacedAt: null,
      },
    ]);
  });

  it('generating: says when the attempt started, and when a reset becomes possible; neither action is offered', () => {
    const now = T0 + 12 * H + M;
    const ledger = ledgerOf(emptyState(), claimed('AUTO_12H', 'inv-1', now - M));

    const t12 = trigger(adminPageView(records({ ledger }), now), 'AUTO_12H');

    expect(t12).toMatchObject({
      status: 'generating',
      summary: 'Being made now: the attempt started Nov 2, 2026, 9:00 PM UTC.',
      outcomeUnknown: false,
      nextEligibleAt: null,
      liveClaim: {
        attempt: 1,
        claimedAt: '2026-11-02T21:00:00.000Z',
        leaseExpiresAt: '2026-11-02T21:16:00.000Z',
      },
    });
    expect(t12.actions).toEqual({
      retry: { allowed: false, reason: 'It is being made right now.' },
      reset: {
        allowed: false,
        reason: 'It is being made right now; a reset is possible after Nov 2, 2026, 9:16 PM UTC.',
      },
    });
  });

  it('missed: says when its window closed, and offers a manual report instead of a reset or retry', () => {
    const view = adminPageView(records(), T0 + 25 * H);

    expect(trigger(view, 'AUTO_12H')).toMatchObject({
      status: 'missed',
      summary: 'Missed: it could not be made before its time ran out at Nov 3, 2026, 9:00 AM UTC.',
      nextEligibleAt: null,
      actions: {
        retry: { allowed: false, reason: 'Its time has run out.' },
        reset: {
          allowed: false,
          reason:
            'Its time ran out at Nov 3, 2026, 9:00 AM UTC; reset, it would only be missed again. ' +
            'Generate a manual report instead.',
        },
      },
    });
    // A warning, with its cause and its remedy: one message, the page's first.
    expect(english(view).health).toEqual({
      level: 'attention',
      kind: 'report_missed',
      trigger: 'AUTO_12H',
      why:
        'The 12-hour report was missed: the app did not get to make it before its time ran out at ' +
        'Nov 3, 2026, 9:00 AM UTC.',
      todo: 'For a picture of the site as it is now, generate a manual report.',
      action: { kind: 'generateManual' },
    });
    expect(view.messages).toEqual([]);
  });

  it('missed as the scheduler recorded it, when the installation time is no longer usable: says when, and the mark can be reset', () => {
    const state = recordMissed(emptyState(), 'AUTO_12H', T0 + 24 * H + 3 * M);
    const evidence = { installation_timestamp: 'unreadable', source: 'avi:forge:installed:app' };

    const view = adminPageView(records({ evidence, state: stored(state) }), T0 + 25 * H);

    expect(trigger(view, 'AUTO_12H')).toMatchObject({
      status: 'missed',
      summary: 'Missed (Nov 3, 2026, 9:03 AM UTC).',
      missedAt: '2026-11-03T09:03:00.000Z',
      actions: { reset: { allowed: true } },
    });
    expect(trigger(view, 'AUTO_24H').status).toBe('unscheduled');
  });

  it.each([
    ['AUTO_12H', 12],
    ['AUTO_24H', 24],
  ] as const)(
    "%s, reset since the state was written, starts its new epoch clean: the old epoch's failures are not shown",
    (t, dueAfterHours) => {
      const { state } = failing(t, 2, T0 + dueAfterHours * H);
      const ledger = ledgerOf(state, (r) => ({
        [t]: resetRecord(stateFromRecords(r, T0, null), r[t], 'admin', T0 + dueAfterHours * H + 39 * M).record,
      }));

      const view = adminPageView(records({ state: stored(state), ledger }), T0 + dueAfterHours * H + 40 * M);

      expect(trigger(view, t)).toMatchObject({
        status: 'due',
        attemptCount: 0,
        lastError: null,
        backoffUntil: null,
      });
      expect([view.health, ...view.messages].filter((m) => m.trigger === t)).toEqual([]);
    },
  );
});

describe('a report near the close of its window', () => {
  it('whose next attempt is its last chance: says so, with when its time runs out; action needed', () => {
    const { state, lastAt } = failing('AUTO_12H', 3, T0 + 12 * H);
    const view = adminPageView(records({ ledger: ledgerOf(state) }), lastAt + 30 * M);

    expect(trigger(view, 'AUTO_12H')).toMatchObject({
      status: 'backing_off',
      backoffUntil: '2026-11-03T08:00:00.000Z',
      nextEligibleAt: '2026-11-03T08:00:00.000Z',
      lastChanceAt: '2026-11-03T08:00:00.000Z',
      summary:
        '3 attempts failed; the app tries again Nov 3, 2026, 8:00 AM UTC (in 8 hours), its last chance before its ' +
        'time runs out at Nov 3, 2026, 9:00 AM UTC.',
    });
    expect(english(view).health).toEqual({
      level: 'action',
      kind: 'report_last_chance',
      trigger: 'AUTO_12H',
      why:
        'The 12-hour report could not be made: an unexpected error occurred. Its next attempt, Nov 3, 2026, ' +
        '8:00 AM UTC (in 8 hours), is its last chance: if it fails too, the report is missed when its time runs ' +
        'out at Nov 3, 2026, 9:00 AM UTC.',
      todo: 'Make sure Jira is available before then; once it is, “Try again now” makes the report at once.',
      action: { kind: 'retry', trigger: 'AUTO_12H' },
    });
  });

  it('with no attempt left before it closes: names no next attempt, and asks for a retry before then', () => {
    const { state, lastAt } = failing('AUTO_12H', 7, T0 + 12 * H);
    const view = adminPageView(records({ ledger: ledgerOf(state) }), lastAt + 5 * M);

    expect(trigger(view, 'AUTO_12H')).toMatchObject({
      status: 'backing_off',
      backoffUntil: '2026-11-03T09:00:00.000Z',
      nextEligibleAt: null,
      lastChanceAt: null,
      actions: {
        retry: {
          allowed: true,
          reason:
            'The app tries it again within seconds; otherwise its time runs out at Nov 3, 2026, 9:00 AM UTC ' +
            'before the next attempt.',
        },
      },
    });
    expect(english(view).health).toEqual({
      level: 'action',
      kind: 'report_closing',
      trigger: 'AUTO_12H',
      why:
        'The 12-hour report could not be made: an unexpected error occurred. The app would try again only after ' +
        'its time runs out at Nov 3, 2026, 9:00 AM UTC (in 10 minutes).',
      todo: 'Make sure Jira is available, then use “Try again now” before Nov 3, 2026, 9:00 AM UTC.',
      action: { kind: 'retry', trigger: 'AUTO_12H' },
    });
  });

  it('the 24-hour report has no window: its next attempt is a day away, and it says when', () => {
    const { state, lastAt } = failing('AUTO_24H', 3, T0 + 24 * H);

    const t24 = trigger(adminPageView(records({ ledger: ledgerOf(state) }), lastAt + M), 'AUTO_24H');

    expect(t24).toMatchObject({ nextEligibleAt: '2026-11-04T11:30:00.000Z' });
    expect(t24.summary).toMatch(/^3 attempts failed; the app tries again Nov 4, 2026, 11:30 AM UTC/);
  });
});

describe("the guide's alert, wherever the trigger stands", () => {
  it('after a retry, the report is due at once and the page says so, all well again', () => {
    const { state, lastAt } = failing('AUTO_24H', 3, T0 + 24 * H);
    const now = lastAt + H;

    const view = adminPageView(records({ state: stored(clearBackoff(state, 'AUTO_24H')) }), now);

    expect(trigger(view, 'AUTO_24H')).toMatchObject({
      status: 'due',
      repeatedLongBackoff: true,
      summary: 'Due again after 3 failed attempts: the app tries within minutes.',
    });
    expect(situations(view)).toEqual(['report_missed']);
  });

  it('while a further attempt is generating, the page says it is being made', () => {
    const { state, lastAt } = failing('AUTO_24H', 4, T0 + 24 * H);
    const now = lastAt + 24 * H + M;
    const ledger = ledgerOf(state, claimed('AUTO_24H', 'inv-5', now - M));

    const view = adminPageView(records({ state: stored(state), ledger }), now);

    expect(trigger(view, 'AUTO_24H')).toMatchObject({
      status: 'generating',
      longBackoffs: 3,
      repeatedLongBackoff: true,
    });
    expect(view.messages.filter((m) => m.trigger === 'AUTO_24H')).toEqual([]);
  });

  it('is not raised for AUTO_12H once its window has closed: the missed report says it all, with its cause', () => {
    const { state } = failing('AUTO_12H', 3, T0 + 12 * H);

    const view = adminPageView(records({ state: stored(state) }), T0 + 25 * H);

    expect(trigger(view, 'AUTO_12H')).toMatchObject({ status: 'missed', longBackoffs: 2, repeatedLongBackoff: false });
    expect(situations(view)).toEqual(['report_missed']);
    expect(english(view).health.why).toBe(
      'The 12-hour report was missed: it could not be made before its time ran out at Nov 3, 2026, 9:00 AM UTC. ' +
        'The last attempt failed: an unexpected error occurred.',
    );
  });
});

describe('what the page could not read', () => {
  it('an unreadable state: says the app rebuilds it, and keeps the problem for support', () => {
    const view = adminPageView(records({ state: { auto_12h_attempt_count: -3 } }), T0 + 13 * H);

    expect(english(view).health).toEqual({
      level: 'attention',
      kind: 'state_unreadable',
      trigger: null,
      why: "The app's record of its progress could not be read; it rebuilds it from the stored reports the next time it checks.",
      todo: null,
      action: null,
    });
    expect(view.stateProblem).toMatch(/^The stored state is invalid \(.*auto_12h_attempt_count is not a count.*\)$/);
  });

  it('a ledger record that does not parse stops that report (action: support); the unreadable history is one message', () => {
    const view = adminPageView(
      records({
        manualIndex: 'junk',
        replacedIndex: { schema_version: 1, reports: 3 },
        entries: [
          { key: `phase5:admin:${CLOUD}:MANUAL:000001`, value: 'not an entry' },
          { key: `phase5:admin:${CLOUD}:REPLACED:AUTO_12H:E000001`, value: { key: 7 } },
        ],
        ledger: { ...ledgerOf(emptyState()), AUTO_12H: { trigger: 'AUTO_12H', version: 'x' } },
      }),
      T0 + 2 * H,
    );

    expect(situations(view)).toEqual(['report_blocked', 'history_unreadable']);
    expect(english(view).health).toMatchObject({
      level: 'action',
      why: 'The app has stopped making the 12-hour report: part of its record of that report cannot be read, and the app does not guess.',
      action: { kind: 'diagnostics' },
    });
    expect(english(view).messages[0].why).toBe(
      '4 entries in the list of kept reports could not be read; they are left as they are and not shown.',
    );
    expect(view.recordProblems).toEqual([
      'The manual report index is invalid (not an object).',
      'The replaced report index is invalid (reports is not a list).',
      `The report history entry phase5:admin:${CLOUD}:MANUAL:000001 does not parse.`,
      `The report history entry phase5:admin:${CLOUD}:REPLACED:AUTO_12H:E000001 does not parse.`,
      "AUTO_12H's ledger record cannot be read, so the scheduler does not generate it; it is never guessed at.",
    ]);
  });
});

describe('the report history in full', () => {
  it('each report with its kind, trigger, time, attempt, who asked or reset, and when it was set aside', () => {
    const done24 = { status: 'done', generated_at: '2026-11-03T09:01:00.000Z', attempt: 1, report_key: 'x' };
    const manualIndex = {
      schema_version: 1,
      next_sequence: 2,
      reports: [
        {
          key: `phase5:report:${CLOUD}:MANUAL:a-1`,
          sequence: 1,
          generated_at: '2026-11-02T21:30:00.000Z',
          requested_by: 'acc-2',
        },
      ],
    };
    const replacedIndex = {
      schema_version: 1,
      reports: [
        {
          key: `phase5:report:${CLOUD}:AUTO_12H:REPLACED:x`,
          trigger: 'AUTO_12H',
          generated_at: '2026-11-02T21:00:00.000Z',
          attempt: 2,
          replaced_at: '2026-11-02T21:04:00.000Z',
          replaced_by: 'acc-1',
        },
      ],
    };

    const view = adminPageView(
      records({ done: { AUTO_12H: undefined, AUTO_24H: done24 }, manualIndex, replacedIndex }),
      T0 + 25 * H,
    );

    expect(view.reports).toEqual([
      {
        key: `phase5:report:${CLOUD}:AUTO_24H`,
        kind: 'AUTO_24H',
        trigger: 'AUTO_24H',
        generatedAt: '2026-11-03T09:01:00.000Z',
        attempt: 1,
        by: null,
        replacedAt: null,
      },
      {
        key: `phase5:report:${CLOUD}:MANUAL:a-1`,
        kind: 'MANUAL',
        trigger: 'MANUAL',
        generatedAt: '2026-11-02T21:30:00.000Z',
        attempt: null,
        by: 'acc-2',
        replacedAt: null,
      },
      {
        key: `phase5:report:${CLOUD}:AUTO_12H:REPLACED:x`,
        kind: 'REPLACED',
        trigger: 'AUTO_12H',
        generatedAt: '2026-11-02T21:00:00.000Z',
        attempt: 2,
        by: 'acc-1',
        replacedAt: '2026-11-02T21:04:00.000Z',
      },
    ]);
    expect(view.triggers.map((t) => t.reportKey)).toEqual([null, `phase5:report:${CLOUD}:AUTO_24H`]);
  });
});

describe('manual generation and the audit log, in detail', () => {
  it('while a manual report is generating: says since when, and the page can show it in progress', () => {
    const now = T0 + 13 * H;
    const ledger = { AUTO_12H: undefined, AUTO_24H: undefined, MANUAL: manualGenerating(now - 10_000, 60_000) };

    expect(english(adminPageView(records({ ledger }), now)).manualReport).toEqual({
      allowed: false,
      reason: 'A manual report is being made (started Nov 2, 2026, 9:59 PM UTC).',
      inProgressSince: '2026-11-02T21:59:50.000Z',
    });
  });

  it('a manual claim with a lease no manual generation takes is not believed, so it blocks nothing', () => {
    const now = T0 + 13 * H;
    const ledger = { AUTO_12H: undefined, AUTO_24H: undefined, MANUAL: manualGenerating(now - 10_000, 16 * M) };

    expect(adminPageView(records({ ledger }), now).manualReport).toMatchObject({ allowed: true });
  });

  it('shows the newest 50 audit entries, newest first', () => {
    const audit = Array.from({ length: 52 }, (_, i) => {
      const at = new Date(T0 + i * M).toISOString();
      return {
        key: `phase5:audit:${CLOUD}:${at}`,
        value: {
          schema_version: 1,
          at,
          action: 'RETRY_TRIGGER',
          account_id: `acc-${i}`,
          trigger: 'AUTO_12H',
          outcome: 'done',
          detail: '',
          changed_keys: [],
        },
      };
    });

    const shown = adminPageView(records({ audit }), T0 + 14 * H).audit;

    expect(shown).toHaveLength(50);
    expect(shown[0].accountId).toBe('acc-51');
    expect(shown[49].accountId).toBe('acc-2');
  });
});

describe('the DONE keys are what says a report is stored, as for the scheduler', () => {
  it('a state that records a generation without its DONE key is not believed: the trigger is due again, its attempt count resettable', () => {
    const state = recordSuccess(emptyState(), 'AUTO_12H', 1, T0 + 12 * H + 2 * M);

    const view = adminPageView(records({ state: stored(state) }), T0 + 13 * H);

    expect(trigger(view, 'AUTO_12H')).toMatchObject({
      status: 'due',
      generatedAt: null,
      reportKey: null,
      attemptCount: 1,
      actions: { reset: { allowed: true } },
    });
    expect(view.reports).toEqual([]);
  });

  it('a DONE key without a time takes the time the state recorded', () => {
    const state = recordSuccess(emptyState(), 'AUTO_12H', 1, T0 + 12 * H + 2 * M);

    const view = adminPageView(
      records({ state: stored(state), done: { AUTO_12H: 'done', AUTO_24H: undefined } }),
      T0 + 13 * H,
    );

    expect(trigger(view, 'AUTO_12H')).toMatchObject({
      status: 'done',
      summary: 'Made Nov 2, 2026, 9:02 PM UTC.',
      generatedAt: '2026-11-02T21:02:00.000Z',
    });
  });
});

describe("a state in the guide's original shape (one last error and backoff for the whole scheduler)", () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  /** AUTO_24H failed three times; the state holds its count, and its error and backoff as the scheduler's last. */
  const lastFailureAt = T0 + 26 * H + 30 * M;
  const guideState = {
    auto_24h_attempt_count: 3,
    last_error: { timestamp: iso(lastFailureAt), message: 'Jira said no', attempt_count: 3, trigger: 'AUTO_24H' },
    last_backoff_until: iso(lastFailureAt + 24 * H),
  };

  it("raises the guide's alert from it: how many attempts failed and when the next one is", () => {
    const view = adminPageView(records({ state: guideState }), lastFailureAt + H);

    expect(trigger(view, 'AUTO_24H')).toMatchObject({
      status: 'backing_off',
      backoffUntil: iso(lastFailureAt + 24 * H),
      repeatedLongBackoff: true,
    });
    expect(view.health).toMatchObject({ level: 'action', kind: 'report_failing', trigger: 'AUTO_24H' });
    expect(english(view).health.why).toBe(
      'The 24-hour report could not be made: an unexpected error occurred. It has failed 3 times; the app tries ' +
        'again Nov 4, 2026, 11:30 AM UTC (in 23 hours).',
    );
  });
});

describe('records no scheduler of ours writes, as the page shows them', () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  /** The page shows such a state as the scheduler treats it: invalid, counted as empty, with a warning. */
  const unreadableBecause = (view: ReturnType<typeof adminPageView>, reason: string) => {
    expect(view.stateProblem).toBe(`The stored state is invalid (${reason})`);
    expect([view.health, ...view.messages].map((m) => m.kind)).toContain('state_unreadable');
  };

  it('a guide-shape backoff on a trigger whose count says 0: not believed; the trigger is due', () => {
    // The guide's shape keeps the count apart from the one last error; a writer that zeroed the count left both.
    const failedAt = T0 + 24 * H + 10 * M;
    const state = {
      auto_24h_attempt_count: 0,
      last_error: { timestamp: iso(failedAt), message: 'API timeout', attempt_count: 1, trigger: 'AUTO_24H' },
      last_backoff_until: iso(failedAt + 30 * M),
    };

    const view = adminPageView(records({ state }), failedAt + 5 * M);

    expect(trigger(view, 'AUTO_24H')).toMatchObject({
      status: 'due',
      attemptCount: 0,
      backoffUntil: null,
      lastError: null,
    });
    unreadableBecause(view, 'last_error names a later attempt than AUTO_24H has counted');
  });

  it('a last error kept on a trigger with no attempts counted: not believed; no error is shown', () => {
    const failedAt = T0 + 12 * H + 10 * M;
    const state = {
      ...stored(emptyState()),
      auto_12h_last_error: { timestamp: iso(failedAt), message: 'API timeout', attempt_count: 1 },
    };

    const view = adminPageView(records({ state }), failedAt + H);

    expect(trigger(view, 'AUTO_12H')).toMatchObject({ status: 'due', attemptCount: 0, lastError: null });
    unreadableBecause(view, 'auto_12h_last_error names attempt #1 of 0 counted');
  });

  it('a missed mark on AUTO_24H, whose window never closes: not believed; it is due', () => {
    const markedAt = T0 + 25 * H;
    const state = { ...stored(emptyState()), auto_24h_missed_at: iso(markedAt) };

    const view = adminPageView(records({ state }), T0 + 26 * H);

    expect(trigger(view, 'AUTO_24H').status).toBe('due');
    expect(trigger(view, 'AUTO_12H').status).toBe('missed');
    expect([view.health, ...view.messages].filter((m) => m.kind === 'report_missed')).toHaveLength(1);
    unreadableBecause(view, 'auto_24h_missed_at: its window never closes');
  });
});
