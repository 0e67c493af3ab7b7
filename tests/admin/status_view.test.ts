import type { AdminRecords } from '../../src/admin/admin_records';
import { adminPageView } from '../../src/admin/status_view';
import {
  emptyProgress,
  emptyState,
  newClaim,
  recordFailure,
  recordSuccess,
  SchedulerState,
} from '../../src/scheduled/decisions';
import { serializeClaim, serializeState } from '../../src/scheduled/scheduler_state';

/** The admin page's status as a pure function of stored records and the time. */

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
    epoch: { AUTO_12H: undefined, AUTO_24H: undefined },
    entries: [],
    nextClaims: { AUTO_12H: null, AUTO_24H: null },
    manualIndex: undefined,
    manualClaim: null,
    replacedIndex: undefined,
    audit: [],
    ...patch,
  };
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
    const outcome = recordFailure(state, trigger, { attempt, at, message: `Jira said no (#${attempt})` }, at);
    state = outcome.state;
    if (attempt < failures) at = outcome.nextEligibleAt;
  }
  return { state, lastAt: at };
}

const trigger = (view: ReturnType<typeof adminPageView>, t: 'AUTO_12H' | 'AUTO_24H') =>
  view.triggers.find((v) => v.trigger === t)!;

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

  it('when missing: an error alert, both triggers unscheduled, recording offered, manual reports not', () => {
    const view = adminPageView(records({ evidence: undefined }), T0);

    expect(view.installation.status).toBe('missing');
    expect(view.alerts[0]).toMatchObject({ level: 'error', title: 'The installation time is not recorded' });
    expect(view.triggers.map((t) => t.status)).toEqual(['unscheduled', 'unscheduled']);
    expect(view.recordInstallation.allowed).toBe(true);
    expect(view.manualReport.allowed).toBe(false);
  });

  it('an unparseable timestamp is an error, and recording is not offered (it never overwrites)', () => {
    const view = adminPageView(records({ evidence: { installation_timestamp: 'yesterday' } }), T0);

    expect(view.installation.status).toBe('invalid');
    expect(view.recordInstallation.allowed).toBe(false);
    expect(view.alerts[0].level).toBe('error');
  });
});

describe('trigger status', () => {
  it('waiting until 12 h, with the due time as the next eligible time', () => {
    const view = adminPageView(records(), T0 + 2 * H);
    const t12 = trigger(view, 'AUTO_12H');

    expect(t12).toMatchObject({ status: 'waiting', nextEligibleAt: '2026-11-02T21:00:00.000Z' });
    expect(t12.summary).toBe('Waiting until 2 Nov 2026, 21:00 UTC (in 10 h).');
  });

  it('due from 12 h: the next scheduled run is the next chance', () => {
    const now = T0 + 12 * H + 2 * M;
    const t12 = trigger(adminPageView(records(), now), 'AUTO_12H');

    expect(t12.status).toBe('due');
    expect(t12.nextEligibleAt).toBe(new Date(now).toISOString());
  });

  it('generating while a live claim is held for the next attempt', () => {
    const now = T0 + 12 * H + M;
    const claim = serializeClaim(newClaim(1, now - M, 'inv-1'));
    const view = adminPageView(records({ nextClaims: { AUTO_12H: { attempt: 1, raw: claim }, AUTO_24H: null } }), now);
    const t12 = trigger(view, 'AUTO_12H');

    expect(t12.status).toBe('generating');
    expect(t12.liveClaim).toMatchObject({ attempt: 1 });
    expect(t12.actions.reset).toMatchObject({ allowed: false });
  });

  it('an expired claim is not a generation: the trigger is due again', () => {
    const now = T0 + 13 * H;
    const claim = serializeClaim(newClaim(1, T0 + 12 * H, 'dead'));

    const t12 = trigger(
      adminPageView(records({ nextClaims: { AUTO_12H: { attempt: 1, raw: claim }, AUTO_24H: null } }), now),
      'AUTO_12H',
    );

    expect(t12.status).toBe('due');
  });

  it('backing off until its backoff ends, after N attempts, with the last error; retry offered', () => {
    const { state } = failing('AUTO_12H', 2, T0 + 12 * H);
    const now = T0 + 12 * H + 40 * M;
    const t12 = trigger(adminPageView(records({ state: serializeState(state) }), now), 'AUTO_12H');

    expect(t12).toMatchObject({
      status: 'backing_off',
      attemptCount: 2,
      failedAttempts: 2,
      backoffUntil: '2026-11-02T23:30:00.000Z',
      nextEligibleAt: '2026-11-02T23:30:00.000Z',
      lastError: { message: 'Jira said no (#2)', attempt: 2 },
      repeatedLongBackoff: false,
    });
    expect(t12.summary).toBe('Backing off until 2 Nov 2026, 23:30 UTC (in 1 h 50 min) after 2 failed attempts.');
    expect(t12.actions.retry.allowed).toBe(true);
  });

  it('done at its generation time, from the DONE key even when the state does not know yet', () => {
    const done = { status: 'done', generated_at: '2026-11-02T21:05:00.000Z', attempt: 1, report_key: 'x' };
    const view = adminPageView(records({ done: { AUTO_12H: done, AUTO_24H: undefined } }), T0 + 13 * H);
    const t12 = trigger(view, 'AUTO_12H');

    expect(t12).toMatchObject({ status: 'done', generatedAt: '2026-11-02T21:05:00.000Z', nextEligibleAt: null });
    expect(t12.summary).toBe('Done at 2 Nov 2026, 21:05 UTC.');
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
    expect(view.alerts.map((a) => a.title)).toContain('The 12-hour report was missed');
    expect(trigger(view, 'AUTO_24H').status).toBe('due');
  });

  it('an unreadable state counts as empty, with a warning', () => {
    const view = adminPageView(records({ state: { auto_12h_attempt_count: -3 } }), T0 + 13 * H);

    expect(view.stateProblem).toContain('auto_12h_attempt_count is not a count');
    expect(view.alerts.map((a) => a.title)).toContain('The scheduler state could not be read');
    expect(trigger(view, 'AUTO_12H').status).toBe('due');
  });
});

describe('the guide alert: backoff of 2 hours or more, repeatedly', () => {
  it('is not raised after two failures (one 2 h backoff)', () => {
    const { state } = failing('AUTO_24H', 2, T0 + 24 * H);

    const view = adminPageView(records({ state: serializeState(state) }), T0 + 25 * H);

    expect(trigger(view, 'AUTO_24H')).toMatchObject({ longBackoffs: 1, repeatedLongBackoff: false });
    expect(view.alerts.filter((a) => a.title.startsWith('AUTO_24H'))).toEqual([]);
  });

  it('is raised after three failures (backoffs of 2 h and 24 h), naming the trigger, the error and the next attempt', () => {
    const { state, lastAt } = failing('AUTO_24H', 3, T0 + 24 * H);

    const view = adminPageView(records({ state: serializeState(state) }), lastAt + H);

    expect(trigger(view, 'AUTO_24H')).toMatchObject({
      status: 'backing_off',
      longBackoffs: 2,
      repeatedLongBackoff: true,
    });
    const alert = view.alerts.find((a) => a.title.startsWith('AUTO_24H'))!;
    expect(alert.level).toBe('warning');
    expect(alert.title).toBe('AUTO_24H keeps failing: 2 backoffs of 2 hours or more');
    expect(alert.body).toContain('3 attempts failed');
    expect(alert.body).toContain('“Jira said no (#3)”');
    expect(alert.body).toContain('Next attempt: 4 Nov 2026, 11:30 UTC');
  });

  it('is not raised once the trigger is done, however many attempts it took', () => {
    const { state, lastAt } = failing('AUTO_24H', 3, T0 + 24 * H);
    const done = recordSuccess(state, 'AUTO_24H', 4, lastAt + 24 * H);

    const view = adminPageView(records({ state: serializeState(done) }), lastAt + 25 * H);

    expect(trigger(view, 'AUTO_24H')).toMatchObject({ status: 'done', failedAttempts: 3, repeatedLongBackoff: false });
    expect(view.alerts.filter((a) => a.title.startsWith('AUTO_24H'))).toEqual([]);
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
    const live = { sequence: 1, raw: serializeClaim(newClaim(1, now - 10_000, 'inv', 60_000)) };
    const dead = { sequence: 1, raw: serializeClaim(newClaim(1, now - 181_000, 'inv', 60_000)) };
    const withinSkew = { sequence: 1, raw: serializeClaim(newClaim(1, now - 120_000, 'inv', 60_000)) };

    expect(adminPageView(records({ manualClaim: live }), now).manualReport).toMatchObject({ allowed: false });
    expect(adminPageView(records({ manualClaim: dead }), now).manualReport).toMatchObject({ allowed: true });
    // Its lease ended a minute ago by this clock, but the writer's clock may be up to two minutes behind.
    expect(adminPageView(records({ manualClaim: withinSkew }), now).manualReport).toMatchObject({ allowed: false });
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
        state: serializeState({ ...emptyState(), triggers: { AUTO_12H: emptyProgress(), AUTO_24H: emptyProgress() } }),
      }),
      T0 + 13 * H,
    );

    expect(trigger(view, 'AUTO_12H').actions.reset).toMatchObject({
      allowed: false,
      reason: 'Nothing to reset: it has not been attempted.',
    });
  });
});
