import { reportCsv } from './report_csv';
import type { ReadReport } from './report_reading';
import { ReportMessageKey, rt } from './report_words';

/**
 * Downloads of a report, named so a folder of them sorts and reads well:
 * the site, the kind of report and when it was made, in the viewer's time
 * zone, e.g. `acme.atlassian.net-24-hour-report-2026-11-03-0900.csv`.
 */

export function downloadBlob(fileName: string, content: string, type: string): void {
  const blob = new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadJson(fileName: string, value: unknown): void {
  downloadBlob(fileName, JSON.stringify(value, null, 2), 'application/json');
}

/** The site as a file name part: its host (`acme.atlassian.net`), else its cloud id, else `jira-site`. */
export function siteName(siteUrl: string | null, cloudId: string | null): string {
  if (siteUrl) {
    try {
      return new URL(siteUrl).host;
    } catch {
      // Not a URL: fall through to the cloud id.
    }
  }
  return cloudId ?? 'jira-site';
}

/** `2026-11-03-0900`: when the report was made, in the viewer's zone; `undated` when the report has no time. */
function stamp(at: string | null, timeZone: string): string {
  if (at === null) return 'undated';
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(Date.parse(at))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}-${parts.hour}${parts.minute}`;
}

export function reportFileName(
  report: Pick<ReadReport, 'kind' | 'generatedAt'>,
  site: string,
  timeZone: string,
  extension: 'csv' | 'json',
): string {
  const name = `${site}-${rt(`file.${report.kind}` as ReportMessageKey)}-${stamp(report.generatedAt, timeZone)}`;
  return `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.${extension}`;
}

export function downloadReport(
  raw: unknown,
  report: ReadReport,
  format: 'csv' | 'json',
  where: { site: string; timeZone: string },
): void {
  const fileName = reportFileName(report, where.site, where.timeZone, format);
  if (format === 'json') downloadJson(fileName, raw);
  else downloadBlob(fileName, reportCsv(report, where.site), 'text/csv;charset=utf-8');
}
