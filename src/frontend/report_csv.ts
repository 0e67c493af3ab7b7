import type { Accuracy } from '../phase5/report';
import type { ReadReport } from './report_reading';
import { FIGURE_WORDS, ReportMessageKey, rt, rtCode } from './report_words';

/**
 * A report as one CSV table for a spreadsheet: one row per figure, in "long"
 * form (section, item, measure, value, and beside it the 12-hour value, the
 * change and the rate when there is one), so it sorts, filters and pivots
 * without reshaping. Numbers are written plainly (1234.5, whatever the
 * viewer's locale) so every spreadsheet reads them as numbers; instants are
 * ISO-8601 UTC. Text from Jira (project and field names) is escaped for CSV
 * and, where a spreadsheet would run it as a formula, quoted as text.
 */

type Cell = string | number | null;

/** A text cell that a spreadsheet would read as a formula (=, +, -, @, tab, CR) is prefixed with an apostrophe. */
function textCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function field(cell: Cell): string {
  if (cell === null) return '';
  const text = typeof cell === 'number' ? String(cell) : textCell(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const accuracy = (a: Accuracy | null): string => (a === null ? '' : rt(`accuracy.${a}` as ReportMessageKey));

interface Row {
  section: ReportMessageKey;
  item: string;
  measure?: string;
  value: Cell;
  twelveHour?: Cell;
  change?: Cell;
  perHour?: Cell;
  accuracy?: Accuracy | null;
}

function rows(report: ReadReport, site: string): Row[] {
  const out: Row[] = [];
  const kindKey = `title.${report.kind}` as ReportMessageKey;
  const head = (item: ReportMessageKey, value: Cell) =>
    out.push({ section: 'csv.section.report', item: rt(item), value });
  head('csv.report.kind', rt(kindKey));
  head('csv.report.site', site);
  head('csv.report.purpose', rt(`purpose.${report.kind}` as ReportMessageKey));
  head('csv.report.generated', report.generatedAt);
  head('csv.report.installed', report.installedAt);
  head('csv.report.hours', report.windowHours);
  if (report.comparison.status === 'compared') head('csv.report.twelveHourGenerated', report.comparison.twelveHourAt);

  for (const f of report.figures) {
    out.push({
      section: 'csv.section.site',
      item: rt(FIGURE_WORDS[f.key]),
      value: f.value,
      twelveHour: f.twelveHour,
      change: f.change,
      perHour: f.perHour,
      accuracy: f.accuracy,
    });
  }
  for (const [type, n] of report.projectTypes)
    out.push({
      section: 'csv.section.site',
      item: rt('figure.projects'),
      measure: rtCode('projectType', type),
      value: n,
      accuracy: 'exact',
    });
  for (const [category, n] of report.statusCategories)
    out.push({
      section: 'csv.section.site',
      item: rt('figure.statuses'),
      measure: rtCode('statusCategory', category),
      value: n,
      accuracy: 'exact',
    });

  if (report.comparison.status === 'compared') {
    const r = report.comparison.rates;
    const rate = (item: ReportMessageKey, value: number | null) =>
      out.push({ section: 'csv.section.rates', item: rt(item), value, accuracy: 'approximate' });
    rate('csv.rates.createdFirst', r.createdFirst);
    rate('csv.rates.createdBetween', r.createdBetween);
    rate('csv.rates.updatedFirst', r.updatedFirst);
    rate('csv.rates.updatedBetween', r.updatedBetween);
  }

  const a = report.activity;
  if (a.status === 'read') {
    const sampled: Accuracy = a.sampled || a.listingSampled ? 'sampled' : 'approximate';
    out.push({
      section: 'csv.section.activity',
      item: rt('csv.activity.activeProjects'),
      value: a.active,
      accuracy: a.listingSampled ? 'sampled' : 'exact',
    });
    for (const p of a.projects) {
      const item = rt('activity.projectCell', { name: p.name, key: p.key });
      out.push({
        section: 'csv.section.activity',
        item,
        measure: rt('figure.createdShort'),
        value: p.created,
        accuracy: sampled,
      });
      out.push({
        section: 'csv.section.activity',
        item,
        measure: rt('figure.updatedShort'),
        value: p.updated,
        accuracy: sampled,
      });
      out.push({ section: 'csv.section.activity', item, measure: rt('csv.activity.lastChange'), value: p.lastChange });
    }
  }

  for (const c of report.configuration ?? []) {
    const item = rtCode('configuration', c.catalogue);
    if (c.status === 'not_compared') {
      out.push({
        section: 'csv.section.configuration',
        item,
        measure: rt('csv.configuration.notCompared'),
        value: rtCode('configuration', c.reason),
      });
      continue;
    }
    out.push({
      section: 'csv.section.configuration',
      item,
      measure: rt('csv.configuration.addedCount'),
      value: c.addedCount,
    });
    out.push({
      section: 'csv.section.configuration',
      item,
      measure: rt('csv.configuration.removedCount'),
      value: c.removedCount,
    });
    for (const [measure, list] of [
      ['csv.configuration.added', c.added],
      ['csv.configuration.removed', c.removed],
    ] as const) {
      for (const x of list) {
        const name = x.name ? `${x.name} (${x.label ?? x.id})` : (x.label ?? rt('configuration.byId', { id: x.id }));
        out.push({ section: 'csv.section.configuration', item, measure: rt(measure), value: `${name} [${x.id}]` });
      }
    }
  }

  for (const c of report.coverage) {
    out.push({
      section: 'csv.section.coverage',
      item: rtCode('dataset', c.dataset),
      measure: rtCode('coverage', c.status),
      value: c.reason === null ? null : rtCode('reason', c.reason),
    });
  }
  return out;
}

/** The report as CSV text (with a byte-order mark, so spreadsheets read non-ASCII names right). */
export function reportCsv(report: ReadReport, site: string): string {
  const header = [
    'csv.section',
    'csv.item',
    'csv.measure',
    'csv.value',
    'csv.twelveHour',
    'csv.change',
    'csv.perHour',
    'csv.accuracy',
  ].map((k) => rt(k as ReportMessageKey));
  const lines = [header.map(field).join(',')];
  for (const r of rows(report, site)) {
    lines.push(
      [
        rt(r.section),
        r.item,
        r.measure ?? null,
        r.value,
        r.twelveHour ?? null,
        r.change ?? null,
        r.perHour ?? null,
        accuracy(r.accuracy ?? null),
      ]
        .map(field)
        .join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
