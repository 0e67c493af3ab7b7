/**
 * Every word the report shows or writes (the view, the reports table, the CSV
 * file and the download names), keyed, in English. Nothing in the report's
 * components spells a sentence itself, so translating the report is a matter
 * of giving these keys other texts. `{name}` marks a parameter; numbers and
 * dates arrive already formatted for the viewer's locale. Keys ending in
 * `.one` / `.other` are the plural forms Intl.PluralRules picks between.
 */
export const REPORT_MESSAGES = {
  // The report's purpose, by kind: the first thing it says.
  'purpose.title': 'What this report is for',
  'purpose.AUTO_12H':
    'A first picture of how this Jira site is used, taken 12 hours after the app was installed: its projects, issues, custom fields, issue types and statuses, and the projects busiest since installation. The 24-hour report compares itself with this one.',
  'purpose.AUTO_24H':
    "How this Jira site was used in the app's first day, beside the 12-hour report: how much each figure changed and how fast, which projects were busiest, and which projects, custom fields, issue types and statuses were added or removed in between.",
  'purpose.MANUAL':
    'A snapshot of this Jira site taken on request, with the same figures as the 12- and 24-hour reports. It does not change them and is not compared with them.',
  'purpose.other': 'A report of this Jira site made by the app.',
  'accuracy.legend':
    'Figures marked ≈ are Jira’s approximate counts: close, and they may lag the last few minutes of changes. Figures marked “sampled” cover part of the site, as their note says.',

  // Header and actions.
  'title.AUTO_12H': '12-hour report',
  'title.AUTO_24H': '24-hour report',
  'title.MANUAL': 'Manual report',
  'title.other': 'Report',
  'header.generated': '{title} · generated {at}',
  'header.window': '{hours} h after installation ({installedAt})',
  'header.attempt': 'attempt {attempt}',
  'header.requests': '{requests} Jira requests in {duration}',
  'header.version': 'app version {version}',
  'header.versionUnknown': 'unknown',
  'action.downloadCsv': 'Download CSV',
  'action.downloadJson': 'Download JSON',
  'action.close': 'Close',
  'action.view': 'View',
  'action.opening': 'Opening…',
  'action.csv': 'CSV',
  'action.json': 'JSON',
  'action.downloadCsv.label': 'Download the report as CSV',
  'action.downloadJson.label': 'Download the report as JSON',

  // Sections.
  'section.site': 'The site now',
  'section.comparison': 'Beside the 12-hour report',
  'section.activity': 'Most active projects since installation',
  'section.configuration': 'Configuration changes since the 12-hour report',
  'section.coverage': 'What could be read',

  // Figures.
  'figure.projects': 'Projects',
  'figure.issues': 'Issues',
  'figure.issuesCreated': 'Issues created since installation',
  'figure.issuesUpdated': 'Issues updated since installation',
  'figure.createdShort': 'Created since installation',
  'figure.updatedShort': 'Updated since installation',
  'figure.customFields': 'Custom fields',
  'figure.issueTypes': 'Issue types',
  'figure.statuses': 'Statuses',
  'figure.projectType': 'Projects: {type}',
  'figure.statusCategory': 'Statuses: {category}',
  'figure.approximate': '≈ {value}',
  'figure.approximateNote': 'Approximate (Jira’s estimate)',
  'figure.missing': '—',
  'projectType.software': 'Software',
  'projectType.business': 'Business',
  'projectType.service_desk': 'Service management',
  'projectType.product_discovery': 'Product discovery',
  'projectType.customer_service': 'Customer service',
  'statusCategory.new': 'To do',
  'statusCategory.indeterminate': 'In progress',
  'statusCategory.done': 'Done',
  'statusCategory.undefined': 'No category',

  // The 12-hour report beside the 24-hour one.
  'comparison.figure': 'Figure',
  'comparison.twelveHour': '12-hour report',
  'comparison.twentyFourHour': '24-hour report',
  'comparison.change': 'Change',
  'comparison.perHour': 'Per hour between',
  'comparison.caption': 'The 12-hour report of {at} and this one, {hours} hours apart.',
  'comparison.createdRate':
    'Issues created per hour: ≈ {first} in the first {window} hours, ≈ {between} between the two reports.',
  'comparison.updatedRate':
    'Issues updated per hour: ≈ {first} in the first {window} hours, ≈ {between} between the two reports.',
  'comparison.none': 'There was no 12-hour report to compare with.',
  'comparison.unavailable': 'No comparison: the 12-hour report could not be read when this report was made ({detail}).',
  'comparison.older':
    'The 12-hour report was made by an earlier version of the app and holds only its totals: the differences are shown, the rest is not compared.',
  'change.zero': '±0',

  // Activity.
  'activity.project': 'Project',
  'activity.type': 'Type',
  'activity.created': 'Issues created ≈',
  'activity.updated': 'Issues updated ≈',
  'activity.lastChange': 'Last issue change',
  'activity.all.one': '{active} of {total} projects had issue activity since installation; it is listed.',
  'activity.all.other': '{active} of {total} projects had issue activity since installation; all are listed.',
  'activity.sampledByGrowth':
    'Sampled: {active} of {total} projects had issue activity since installation. The {counted} counted were picked by how many issues they gained since the 12-hour report.',
  'activity.sampledByRecent':
    'Sampled: {active} of {total} projects had issue activity since installation. The {counted} counted were picked by their most recent issue change.',
  'activity.sampledListing':
    'Sampled: the site has more projects ({total}) than the app reads in one report; {read} were read.',
  'activity.none': 'No project had issue activity since installation.',
  'activity.unavailable': 'The projects could not be read, so activity per project is not known.',
  'activity.missing':
    'This report was made by an earlier version of the app, which did not count activity per project.',
  'activity.sampled': 'Sampled',
  'activity.projectCell': '{name} ({key})',

  // Configuration changes.
  'configuration.projects': 'Projects',
  'configuration.custom_fields': 'Custom fields',
  'configuration.issue_types': 'Issue types',
  'configuration.statuses': 'Statuses',
  'configuration.noChange': 'No change',
  'configuration.added': 'Added ({count})',
  'configuration.removed': 'Removed ({count})',
  'configuration.more': 'and {count} more',
  'configuration.byId': 'ID {id}',
  'configuration.NOT_LISTED_12H': 'Not compared: the 12-hour report did not keep a complete list.',
  'configuration.NOT_LISTED_NOW': 'Not compared: this report could not read a complete list.',
  'configuration.summary.none': 'Nothing was added or removed.',

  // Coverage.
  'coverage.data': 'Data',
  'coverage.coverage': 'Coverage',
  'coverage.why': 'Why',
  'coverage.empty': 'This report has no coverage rows.',
  'coverage.available': 'Complete',
  'coverage.partial': 'Partial',
  'coverage.unavailable': 'Unavailable',
  'coverage.unknown': 'Unknown',
  'dataset.projects': 'Projects',
  'dataset.issues': 'Issues',
  'dataset.custom_fields': 'Custom fields',
  'dataset.issue_types': 'Issue types',
  'dataset.statuses': 'Statuses',
  'dataset.project_activity': 'Activity per project',
  'reason.NOT_PERMITTED': 'Jira did not allow the app to read it',
  'reason.RATE_LIMITED': 'Jira asked the app to slow down',
  'reason.REMOVED_ENDPOINT': 'Jira no longer offers this',
  'reason.TIMED_OUT': 'Jira did not answer in time',
  'reason.SERVER_ERROR': 'Jira had a problem answering',
  'reason.UNEXPECTED_RESPONSE': 'Jira’s answer could not be read',
  'reason.OVER_BUDGET': 'Skipped to stay within the app’s request limit',

  // The reports table (report_sections.tsx).
  'reports.title': 'Stored reports',
  'reports.intro':
    'The 12- and 24-hour reports are made once each by the app; the 24-hour one shows the 12-hour one beside it. Manual reports are snapshots on request; the newest {kept} are kept. Every report downloads as CSV for a spreadsheet, or as JSON.',
  'reports.column.report': 'Report',
  'reports.column.generated': 'Generated',
  'reports.column.by': 'Requested by',
  'reports.column.actions': 'Actions',
  'reports.empty': 'No reports are stored yet.',
  'reports.former': 'Former {title}',
  'reports.attempt': 'Attempt {attempt}',
  'reports.setAside': 'Set aside {at}',
  'reports.scheduler': 'The scheduler',
  'reports.generate': 'Generate manual report',
  'reports.generate.reason': 'Reads the site now and keeps a snapshot.',
  'audit.title': 'Audit log',
  'audit.column.when': 'When',
  'audit.column.who': 'Who',
  'audit.column.action': 'Action',
  'audit.column.outcome': 'Outcome',
  'audit.done': 'Done',
  'audit.failed': 'Failed',
  'audit.empty': 'No administrator actions yet.',

  // The CSV file.
  'csv.section': 'Section',
  'csv.item': 'Item',
  'csv.measure': 'Measure',
  'csv.value': 'Value',
  'csv.twelveHour': '12-hour report',
  'csv.change': 'Change',
  'csv.perHour': 'Per hour between reports',
  'csv.accuracy': 'Accuracy',
  'csv.section.report': 'Report',
  'csv.section.site': 'Site',
  'csv.section.rates': 'Rates',
  'csv.section.activity': 'Activity',
  'csv.section.configuration': 'Configuration',
  'csv.section.coverage': 'Coverage',
  'csv.report.kind': 'Kind',
  'csv.report.site': 'Site',
  'csv.report.generated': 'Generated (UTC)',
  'csv.report.installed': 'Installed (UTC)',
  'csv.report.hours': 'Hours after installation',
  'csv.report.twelveHourGenerated': '12-hour report generated (UTC)',
  'csv.report.purpose': 'Purpose',
  'csv.rates.createdFirst': 'Issues created per hour, first window',
  'csv.rates.createdBetween': 'Issues created per hour, between reports',
  'csv.rates.updatedFirst': 'Issues updated per hour, first window',
  'csv.rates.updatedBetween': 'Issues updated per hour, between reports',
  'csv.activity.activeProjects': 'Projects with activity since installation',
  'csv.activity.lastChange': 'Last issue change (UTC)',
  'csv.configuration.added': 'Added',
  'csv.configuration.removed': 'Removed',
  'csv.configuration.addedCount': 'Added, in all',
  'csv.configuration.removedCount': 'Removed, in all',
  'csv.configuration.notCompared': 'Not compared',
  'accuracy.exact': 'Exact',
  'accuracy.approximate': 'Approximate',
  'accuracy.sampled': 'Sampled',

  // File names: the site, the kind, the date.
  'file.AUTO_12H': '12-hour-report',
  'file.AUTO_24H': '24-hour-report',
  'file.MANUAL': 'manual-report',
  'file.other': 'report',
} as const;

export type ReportMessageKey = keyof typeof REPORT_MESSAGES;

/** The text for `key`, with `{name}` parameters filled in. */
export function rt(key: ReportMessageKey, params: Record<string, string | number> = {}): string {
  return REPORT_MESSAGES[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

type Plural<K> = K extends `${infer Base}.one` ? Base : never;

/** The plural form of `base` for `count` in `locale`, with the parameters filled in. */
export function rtCount(
  base: Plural<ReportMessageKey>,
  count: number,
  locale: string,
  params: Record<string, string | number> = {},
): string {
  const form = new Intl.PluralRules(locale).select(count) === 'one' ? 'one' : 'other';
  return rt(`${base}.${form}` as ReportMessageKey, params);
}

/** The message for a code that is part of a key (`reason.` + code), or the code itself when there is none. */
export function rtCode(prefix: string, code: unknown): string {
  const text = typeof code === 'string' || typeof code === 'number' ? String(code) : '';
  const key = `${prefix}.${text}`;
  return key in REPORT_MESSAGES ? REPORT_MESSAGES[key as ReportMessageKey] : text;
}

/**
 * The text for `key` as parts, with some parameters given as other values (React
 * nodes, say: an instant the page shows as a <time>) kept whole between them.
 */
export function rtParts<T>(
  key: ReportMessageKey,
  params: Record<string, string | number>,
  nodes: Record<string, T>,
): Array<string | T> {
  return REPORT_MESSAGES[key]
    .split(/\{(\w+)\}/)
    .map((part, i) =>
      i % 2 === 0 ? part : part in nodes ? nodes[part] : part in params ? String(params[part]) : `{${part}}`,
    )
    .filter((part) => part !== '');
}
