import type { Phase5Report } from '../../src/phase5/report';
import { renderReport } from '../support/render_report';
import { reportPair } from '../support/report_pair';

/**
 * The open report as an admin reads it: the real view, rendered from reports
 * the scheduler generated on an emulated site whose configuration changed
 * during the day. Every expected number is the report's own or the site's.
 */

jest.setTimeout(60_000);

let pair: Awaited<ReturnType<typeof reportPair>>;
let large: Awaited<ReturnType<typeof reportPair>>;
beforeAll(async () => {
  pair = await reportPair('small');
  large = await reportPair('large');
});

/** The text of each table row with this test id, in order. */
function rows(html: string, testId: string): string[] {
  return [...html.matchAll(new RegExp(`<tr[^>]*data-testid="${testId}"[^>]*>([\\s\\S]*?)</tr>`, 'g'))].map((m) =>
    m[1]
      .replace(/<style[^>]*>[\s\S]*?<\/style>/g, ' ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&#x27;/g, "'")
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

const en = (n: number) => n.toLocaleString('en-US');
const signed = (n: number) => (n === 0 ? '±0' : n > 0 ? `+${en(n)}` : `−${en(-n)}`);

/** Codes and shapes no admin should read: trigger names, field names, reasons, or a value that failed to render. */
const INTERNAL =
  /AUTO_1|AUTO_2|_since_|NOT_LISTED|not_compared|project_activity|OVER_BUDGET|\bnull\b|undefined|NaN|\[object/;

describe('the 24-hour report', () => {
  it('says what it is for, and that ≈ marks an approximate figure', () => {
    const { text } = renderReport(pair.r24);
    expect(text).toContain('What this report is for');
    expect(text).toContain("How this Jira site was used in the app's first day, beside the 12-hour report");
    expect(text).toContain('Figures marked ≈ are Jira’s approximate counts');
    expect(text).not.toMatch(INTERNAL);
  });

  it('shows the 12-hour figures beside its own, with the change and, for issues, the change per hour', () => {
    const { html, text } = renderReport(pair.r24);
    const { r12, r24 } = pair;
    const table = rows(html, 'comparison-row');

    expect(table[0]).toBe(`Projects ${r12.site.projects.total} ${r24.site.projects.total} +1`);
    const created12 = r12.site.issues.created_since_install!;
    const created24 = r24.site.issues.created_since_install!;
    const perHour = Math.round(((created24 - created12) / 12) * 10) / 10;
    expect(table[2]).toBe(
      `Issues created since installation ≈ ${en(created12)} ≈ ${en(created24)} ${signed(created24 - created12)} ${signed(perHour)}`,
    );
    expect(table.slice(4)).toEqual([
      `Custom fields ${r12.site.custom_fields.total} ${r24.site.custom_fields.total} ±0`,
      `Issue types ${r12.site.issue_types.total} ${r24.site.issue_types.total} +1`,
      `Statuses ${r12.site.statuses.total} ${r24.site.statuses.total} +1`,
    ]);
    expect(text).toContain(
      `Issues created per hour: ≈ ${Math.round((created12 / 12) * 10) / 10} in the first 12 hours, ≈ ${perHour} between the two reports.`,
    );
  });

  it('names the projects, fields, issue type and status added or removed during the day', () => {
    const { html } = renderReport(pair.r24);
    const gone = pair.before.fields.find((f) => !pair.after.fields.some((g) => g.id === f.id))!;
    const section = html.slice(html.indexOf('data-testid="configuration-changes"'));
    const row = (catalogue: string) =>
      section
        .slice(section.indexOf(`data-catalogue="${catalogue}">`) + `data-catalogue="${catalogue}">`.length)
        .split('</dd>')[0]
        .replace(/<style[^>]*>[\s\S]*?<\/style>/g, ' ')
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();

    expect(row('projects')).toBe('Projects Added (1) Launch Readiness (LAUNCH)');
    expect(row('custom_fields')).toBe(`Custom fields Added (1) Release Risk Removed (1) ${gone.name}`);
    expect(row('issue_types')).toBe('Issue types Added (1) Release');
    expect(row('statuses')).toBe('Statuses Added (1) Awaiting Deploy');
  });

  it('lists the most active projects, the one created during the day first', () => {
    const { html, text } = renderReport(pair.r24);
    const activity = pair.r24.activity!;
    const table = rows(html, 'activity-row');
    const launch = activity.projects[0];

    expect(table).toHaveLength(activity.projects.length);
    expect(table[0]).toMatch(
      new RegExp(
        `^Launch Readiness \\(LAUNCH\\) Software ${launch.created_since_install} ${launch.updated_since_install} Nov 2, 2026`,
      ),
    );
    expect(text).toContain(`${activity.active_projects} of ${activity.projects_total} projects had issue activity`);
    expect(rows(html, 'coverage-row')).toContain('Activity per project Complete —');
  });
});

describe('the 12-hour report of a large site', () => {
  it('marks its activity as sampled and says how the projects counted were picked', () => {
    const { html, text } = renderReport(large.r12);
    const a = large.r12.activity!;

    expect(text).toContain('A first picture of how this Jira site is used, taken 12 hours after the app was installed');
    expect(text).toContain(
      `Sampled Sampled: ${en(a.active_projects!)} of ${en(a.projects_total!)} projects had issue activity since installation. ` +
        'The 10 counted were picked by their most recent issue change.',
    );
    expect(rows(html, 'activity-row')).toHaveLength(10);
    // No 12-hour report to compare with and no configuration changes: those sections are not there at all.
    expect(html).not.toContain('comparison-table');
    expect(html).not.toContain('configuration-changes');
    expect(text).toContain(`Issues ≈ ${en(large.r12.site.issues.total!)}`);
    expect(text).not.toMatch(INTERNAL);
  });

  it('shows numbers in the viewer’s locale', () => {
    const { text } = renderReport(large.r12, { locale: 'de-DE', timeZone: 'Europe/Berlin' });
    expect(text).toContain(`Issues ≈ ${large.r12.site.issues.total!.toLocaleString('de-DE')}`);
  });
});

describe('reports stored by earlier versions', () => {
  it('a schema-2 24-hour report shows the 12-hour values it implies, and says what it does not hold', () => {
    const { r24 } = pair;
    const c = r24.change_since_12h as NonNullable<Phase5Report['change_since_12h']> & Record<string, unknown>;
    const older = {
      ...r24,
      schema_version: 2,
      activity: undefined,
      change_since_12h: {
        twelve_hour_generated_at: c.twelve_hour_generated_at,
        projects_total: c.projects_total,
        issues_total: c.issues_total,
        issues_created_since_install: c.issues_created_since_install,
        issues_updated_since_install: c.issues_updated_since_install,
        custom_fields_total: c.custom_fields_total,
      },
    };
    delete (older as Record<string, unknown>).activity;

    const { html, text } = renderReport(older);

    expect(rows(html, 'comparison-row')[0]).toBe(
      `Projects ${pair.r12.site.projects.total} ${r24.site.projects.total} +1`,
    );
    expect(text).toContain(
      'This report was made by an earlier version of the app, which did not count activity per project.',
    );
    expect(text).toContain('the rest is not compared');
    expect(text).not.toMatch(INTERNAL);
  });

  it('a report that is not a report at all still renders, with dashes', () => {
    const { text } = renderReport({ trigger: 'SOMETHING', site: 'lots' });
    expect(text).toContain('A report of this Jira site made by the app.');
    expect(text).toContain('Projects —');
  });
});

describe('the report in the viewer’s language', () => {
  it('reads in German, with German numbers and dates, from the translations shipped with the app', () => {
    const { r12, r24 } = pair;
    const { html, text } = renderReport(r24, { locale: 'de-DE', timeZone: 'Europe/Berlin' }, 'de-DE');

    expect(text).toContain('Wozu dieser Bericht dient');
    expect(text).toContain('Neben dem 12-Stunden-Bericht');
    expect(text).toContain('Aktivste Projekte seit der Installation');
    expect(text).toContain('Was gelesen werden konnte');
    expect(rows(html, 'comparison-row')[0]).toBe(`Projekte ${r12.site.projects.total} ${r24.site.projects.total} +1`);
    expect(text).toMatch(/24-Stunden-Bericht · erstellt am \d\d\.11\.2026, \d\d:\d\d MEZ/);
    // No English word of the report's own is left.
    expect(text).not.toMatch(/\b(What this report|The site now|Issues|Projects|Custom fields|generated|Coverage)\b/);
    expect(text).not.toMatch(INTERNAL);
  });
});

describe('a manual report made while the installation time was not recorded', () => {
  it('says so, and counts nothing since installation instead of showing blanks as if they were unknown', () => {
    const manual = {
      ...pair.r12,
      trigger: 'MANUAL',
      installation_timestamp: null,
      observation_window_hours: null,
      activity: null,
      site: {
        ...pair.r12.site,
        issues: { ...pair.r12.site.issues, created_since_install: null, updated_since_install: null },
      },
    };

    const { text } = renderReport(manual);

    expect(text).toContain('made while the installation time was not recorded');
    expect(text).toContain(
      'The installation time was not recorded when this report was made, so activity since installation is not known.',
    );
    expect(text).not.toMatch(INTERNAL);
  });
});
