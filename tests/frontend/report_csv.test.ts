import { reportCsv } from '../../src/frontend/report_csv';
import { reportFileName, siteName } from '../../src/frontend/report_download';
import { readReport } from '../../src/frontend/report_reading';
import { setReportWords } from '../../src/frontend/report_words';
import en from '../../locales/en-US.json';
import type { Phase5Report } from '../../src/phase5/report';
import { reportPair } from '../support/report_pair';

/**
 * A report as a spreadsheet gets it: the CSV download of reports the scheduler
 * generated, parsed back the way a spreadsheet parses it (RFC 4180), and its
 * file name. Every expected number is the report's own.
 */

jest.setTimeout(60_000);

let pair: Awaited<ReturnType<typeof reportPair>>;
beforeAll(async () => {
  // The report's words as the page gives them: the app's translations, here in English.
  setReportWords((key) => (en as Record<string, string>)[key] ?? null);
  pair = await reportPair('small');
});

/** RFC 4180: fields split on commas, quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted && ch === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && ch === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      out.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += ch;
    }
  }
  return out;
}

type Row = Record<'section' | 'item' | 'measure' | 'value' | 'twelve' | 'change' | 'perHour' | 'accuracy', string>;

function csvRows(report: unknown, site = 'acme.atlassian.net'): { header: string[]; rows: Row[]; raw: string } {
  const raw = reportCsv(readReport(report), site);
  const [header, ...lines] = parseCsv(raw.replace(/^\uFEFF/, ''));
  const keys = ['section', 'item', 'measure', 'value', 'twelve', 'change', 'perHour', 'accuracy'] as const;
  return { header, rows: lines.map((l) => Object.fromEntries(keys.map((k, i) => [k, l[i]])) as Row), raw };
}

const find = (rows: Row[], section: string, item: string, measure = '') =>
  rows.filter((r) => r.section === section && r.item === item && r.measure === measure);

describe('the CSV download', () => {
  it('has one header and eight columns on every row, with a byte-order mark for spreadsheets', () => {
    const { header, rows, raw } = csvRows(pair.r24);
    expect(raw.startsWith('\uFEFF')).toBe(true);
    expect(header).toEqual([
      'Section',
      'Item',
      'Measure',
      'Value',
      '12-hour report',
      'Change',
      'Per hour between reports',
      'Accuracy',
    ]);
    expect(rows.length).toBeGreaterThan(40);
    expect(parseCsv(raw.replace(/^\uFEFF/, '')).every((r) => r.length === 8)).toBe(true);
  });

  it('carries the 24-hour figures beside the 12-hour ones, with changes, rates and accuracy', () => {
    const { rows } = csvRows(pair.r24);
    const { r12, r24 } = pair;
    const created = r24.site.issues.created_since_install! - r12.site.issues.created_since_install!;

    expect(find(rows, 'Report', 'Kind')[0].value).toBe('24-hour report');
    expect(find(rows, 'Report', 'Site')[0].value).toBe('acme.atlassian.net');
    expect(find(rows, 'Report', 'Generated (UTC)')[0].value).toBe(r24.generated_at);
    expect(find(rows, 'Site', 'Projects')[0]).toMatchObject({
      value: String(r24.site.projects.total),
      twelve: String(r12.site.projects.total),
      change: '1',
      perHour: '',
      accuracy: 'Exact',
    });
    expect(find(rows, 'Site', 'Issues created since installation')[0]).toMatchObject({
      value: String(r24.site.issues.created_since_install),
      twelve: String(r12.site.issues.created_since_install),
      change: String(created),
      perHour: String(Math.round((created / 12) * 10) / 10),
      accuracy: 'Approximate',
    });
    expect(find(rows, 'Rates', 'Issues created per hour, between reports')[0].value).toBe(
      String(Math.round((created / 12) * 10) / 10),
    );
    expect(find(rows, 'Site', 'Statuses', 'Done')[0].value).toBe(String(r24.site.statuses.by_category!.done));
  });

  it('lists the active projects and the configuration changes, names with ids', () => {
    const { rows } = csvRows(pair.r24);
    const launch = pair.r24.activity!.projects[0];
    const gone = pair.before.fields.find((f) => !pair.after.fields.some((g) => g.id === f.id))!;

    expect(find(rows, 'Activity', 'Launch Readiness (LAUNCH)', 'Created since installation')[0]).toMatchObject({
      value: String(launch.created_since_install),
      // Approximate counts, and sampled when not every active project could be counted.
      accuracy: pair.r24.activity!.selection === 'sampled' ? 'Sampled' : 'Approximate',
    });
    expect(find(rows, 'Configuration', 'Projects', 'Added').map((r) => r.value)).toEqual([
      `Launch Readiness (LAUNCH) [${launch.id}]`,
    ]);
    expect(find(rows, 'Configuration', 'Custom fields', 'Removed').map((r) => r.value)).toEqual([
      `${gone.name} [${gone.id}]`,
    ]);
    expect(find(rows, 'Configuration', 'Statuses', 'Added, in all')[0].value).toBe('1');
    expect(find(rows, 'Coverage', 'Activity per project', 'Complete')).toHaveLength(1);
  });

  it('a 12-hour report has no comparison columns filled and no configuration rows', () => {
    const { rows } = csvRows(pair.r12);
    expect(rows.every((r) => r.twelve === '' && r.change === '' && r.perHour === '')).toBe(true);
    expect(rows.some((r) => r.section === 'Configuration' || r.section === 'Rates')).toBe(false);
  });

  it('never hands a spreadsheet a formula from a name in Jira, and keeps commas and quotes intact', () => {
    const report = structuredClone(pair.r24) as Phase5Report;
    report.activity!.projects[0].name = '=HYPERLINK("https://example.invalid","Click")';
    report.activity!.projects[1].name = 'Sales, "EMEA"';

    const { rows } = csvRows(report);
    const items = [...new Set(rows.filter((r) => r.section === 'Activity').map((r) => r.item))];

    expect(items).toContain(`'=HYPERLINK("https://example.invalid","Click") (LAUNCH)`);
    expect(items).toContain(`Sales, "EMEA" (${report.activity!.projects[1].key})`);
    // Negative changes stay numbers.
    report.change_since_12h = { ...(report.change_since_12h as object), projects_total: -2 } as never;
    expect(find(csvRows(report).rows, 'Site', 'Projects')[0].change).toBe('-2');
  });
});

describe('the download names', () => {
  it('name the site, the kind of report and when it was made, in the viewer’s zone', () => {
    const r24 = readReport(pair.r24);
    expect(r24.generatedAt).toBe('2026-11-02T21:00:00.000Z');

    expect(reportFileName(r24, 'acme.atlassian.net', 'UTC', 'csv')).toBe(
      'acme.atlassian.net-24-hour-report-2026-11-02-2100.csv',
    );
    expect(reportFileName(r24, 'acme.atlassian.net', 'Europe/Berlin', 'json')).toBe(
      'acme.atlassian.net-24-hour-report-2026-11-02-2200.json',
    );
    expect(reportFileName(readReport(pair.r12), 'acme.atlassian.net', 'Asia/Tokyo', 'csv')).toBe(
      'acme.atlassian.net-12-hour-report-2026-11-02-1800.csv',
    );
  });

  it('use the site’s host, or its cloud id when the page has no site URL', () => {
    expect(siteName('https://acme.atlassian.net', 'c-1')).toBe('acme.atlassian.net');
    expect(siteName(null, 'c-1')).toBe('c-1');
    expect(siteName('not a url', null)).toBe('jira-site');
    expect(reportFileName({ kind: 'MANUAL', generatedAt: null }, 'a/b', 'UTC', 'csv')).toBe(
      'a-b-manual-report-undated.csv',
    );
  });
});
