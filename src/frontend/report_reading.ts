import type { Accuracy, CatalogueName, ChangedItem } from '../phase5/report';

/**
 * A stored report, read once for every way the page shows it: the view and
 * the CSV file render this, never the raw report, so both always say the same.
 * A stored report is untrusted data (an older schema, a hand edit), so every
 * field is checked here; anything missing or malformed becomes null, and the
 * renderers show it as "—".
 */

export type ReportKind = 'AUTO_12H' | 'AUTO_24H' | 'MANUAL' | 'other';

export type FigureKey =
  'projects' | 'issues' | 'issuesCreated' | 'issuesUpdated' | 'customFields' | 'issueTypes' | 'statuses';

export interface FigureRow {
  key: FigureKey;
  value: number | null;
  accuracy: Accuracy;
  /** Beside the 12-hour report (24-hour reports only). */
  twelveHour?: number | null;
  change?: number | null;
  /** The change per hour between the two reports, for issue figures. */
  perHour?: number | null;
}

export type Comparison =
  | { status: 'not_applicable' }
  | { status: 'no_12h' }
  | { status: 'unavailable'; detail: string | null }
  | {
      status: 'compared';
      twelveHourAt: string | null;
      hoursBetween: number | null;
      firstWindowHours: number | null;
      rates: {
        createdFirst: number | null;
        createdBetween: number | null;
        updatedFirst: number | null;
        updatedBetween: number | null;
      };
    };

export interface ActivityRow {
  id: string;
  key: string;
  name: string;
  type: string;
  created: number | null;
  updated: number | null;
  lastChange: string | null;
}

export type Activity =
  | { status: 'missing' }
  /** A manual report made while the installation time was not recorded: nothing counts since installation. */
  | { status: 'noInstallation' }
  | { status: 'unavailable' }
  | {
      status: 'read';
      active: number | null;
      read: number | null;
      total: number | null;
      sampled: boolean;
      pickedBy: 'growth_since_12h' | 'last_update' | null;
      /** The listing itself was cut short: more projects than one report reads. */
      listingSampled: boolean;
      projects: ActivityRow[];
    };

export type CatalogueChange =
  | {
      catalogue: CatalogueName;
      status: 'compared';
      addedCount: number;
      removedCount: number;
      added: ChangedItem[];
      removed: ChangedItem[];
    }
  | { catalogue: CatalogueName; status: 'not_compared'; reason: 'NOT_LISTED_12H' | 'NOT_LISTED_NOW' };

export interface CoverageLine {
  dataset: string;
  status: string;
  reason: string | null;
  detail: string | null;
}

export interface ReadReport {
  kind: ReportKind;
  cloudId: string | null;
  generatedAt: string | null;
  installedAt: string | null;
  windowHours: number | null;
  attempt: number | null;
  appVersion: string | null;
  jiraRequests: number | null;
  durationMs: number | null;
  figures: FigureRow[];
  projectTypes: Array<[string, number | null]>;
  statusCategories: Array<[string, number | null]>;
  comparison: Comparison;
  activity: Activity;
  /** 24-hour reports: what was added and removed; null when the report holds no such comparison. */
  configuration: CatalogueChange[] | null;
  coverage: CoverageLine[];
}

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const instant = (v: unknown): string | null =>
  typeof v === 'string' && Number.isFinite(Date.parse(v)) ? new Date(Date.parse(v)).toISOString() : null;
const diff = (now: number | null, then: number | null) => (now === null || then === null ? null : now - then);

const CATALOGUES: readonly CatalogueName[] = ['projects', 'custom_fields', 'issue_types', 'statuses'];

function entries(v: unknown): Array<[string, number | null]> {
  return Object.entries(obj(v)).map(([k, x]) => [k, num(x)]);
}

function kindOf(trigger: unknown): ReportKind {
  return trigger === 'AUTO_12H' || trigger === 'AUTO_24H' || trigger === 'MANUAL' ? trigger : 'other';
}

/** The figures of a report's `site`, in the order the page lists them. */
function figuresOf(site: Obj): Array<{ key: FigureKey; value: number | null; accuracy: Accuracy }> {
  const issues = obj(site.issues);
  return [
    { key: 'projects', value: num(obj(site.projects).total), accuracy: 'exact' },
    // Every report's issue figures come from Jira's approximate count, whatever its schema says.
    { key: 'issues', value: num(issues.total), accuracy: 'approximate' },
    { key: 'issuesCreated', value: num(issues.created_since_install), accuracy: 'approximate' },
    { key: 'issuesUpdated', value: num(issues.updated_since_install), accuracy: 'approximate' },
    { key: 'customFields', value: num(obj(site.custom_fields).total), accuracy: 'exact' },
    { key: 'issueTypes', value: num(obj(site.issue_types).total), accuracy: 'exact' },
    { key: 'statuses', value: num(obj(site.statuses).total), accuracy: 'exact' },
  ];
}

/** The change field of `change_since_12h` for each figure. */
const CHANGE_FIELDS: Record<FigureKey, string> = {
  projects: 'projects_total',
  issues: 'issues_total',
  issuesCreated: 'issues_created_since_install',
  issuesUpdated: 'issues_updated_since_install',
  customFields: 'custom_fields_total',
  issueTypes: 'issue_types_total',
  statuses: 'statuses_total',
};

const ISSUE_FIGURES: ReadonlySet<FigureKey> = new Set(['issues', 'issuesCreated', 'issuesUpdated']);

function readComparison(kind: ReportKind, raw: unknown): Comparison {
  if (kind !== 'AUTO_24H') return { status: 'not_applicable' };
  if (raw === null || raw === undefined) return { status: 'no_12h' };
  const c = obj(raw);
  if (c.status === 'unavailable') return { status: 'unavailable', detail: str(c.detail) };
  const rates = obj(c.rates_per_hour);
  const created = obj(rates.issues_created);
  const updated = obj(rates.issues_updated);
  return {
    status: 'compared',
    twelveHourAt: instant(c.twelve_hour_generated_at),
    hoursBetween: num(c.hours_between),
    firstWindowHours: num(obj(c.twelve_hour).observation_window_hours),
    rates: {
      createdFirst: num(created.first_window),
      createdBetween: num(created.between_reports),
      updatedFirst: num(updated.first_window),
      updatedBetween: num(updated.between_reports),
    },
  };
}

function item(v: unknown): ChangedItem | null {
  const o = obj(v);
  const id = str(o.id);
  if (id === null) return null;
  return { id, label: str(o.label), ...(str(o.name) ? { name: str(o.name) as string } : {}) };
}

function readConfiguration(raw: unknown): CatalogueChange[] | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const all = obj(raw);
  return CATALOGUES.map((catalogue): CatalogueChange => {
    const c = obj(all[catalogue]);
    if (c.status === 'not_compared' && (c.reason === 'NOT_LISTED_12H' || c.reason === 'NOT_LISTED_NOW'))
      return { catalogue, status: 'not_compared', reason: c.reason };
    const added = Array.isArray(c.added) ? c.added.map(item).filter((x): x is ChangedItem => x !== null) : [];
    const removed = Array.isArray(c.removed) ? c.removed.map(item).filter((x): x is ChangedItem => x !== null) : [];
    const addedCount = num(c.added_count);
    const removedCount = num(c.removed_count);
    if (addedCount === null || removedCount === null)
      return { catalogue, status: 'not_compared', reason: 'NOT_LISTED_12H' };
    return { catalogue, status: 'compared', addedCount, removedCount, added, removed };
  });
}

function readActivity(raw: unknown, hasActivityField: boolean): Activity {
  if (!hasActivityField) return { status: 'missing' };
  if (raw === null || typeof raw !== 'object') return { status: 'unavailable' };
  const a = obj(raw);
  const projects = (Array.isArray(a.projects) ? a.projects : []).flatMap((p): ActivityRow[] => {
    const o = obj(p);
    const id = str(o.id);
    const key = str(o.key);
    if (id === null || key === null) return [];
    return [
      {
        id,
        key,
        name: str(o.name) ?? key,
        type: str(o.type) ?? '',
        created: num(o.created_since_install),
        updated: num(o.updated_since_install),
        lastChange: instant(o.last_issue_update),
      },
    ];
  });
  const total = num(a.projects_total);
  const read = num(a.projects_read);
  return {
    status: 'read',
    active: num(a.active_projects),
    read,
    total,
    sampled: a.selection !== 'all_active',
    pickedBy: a.picked_by === 'growth_since_12h' || a.picked_by === 'last_update' ? a.picked_by : null,
    listingSampled: total !== null && read !== null && read < total,
    projects,
  };
}

export function readReport(report: unknown): ReadReport {
  const r = obj(report);
  const kind = kindOf(r.trigger);
  const site = obj(r.site);
  const comparison = readComparison(kind, r.change_since_12h);
  const change = obj(r.change_since_12h);
  const twelveSite = change.twelve_hour === undefined ? null : obj(obj(change.twelve_hour).site);
  const twelve = twelveSite ? new Map(figuresOf(twelveSite).map((f) => [f.key, f.value])) : null;
  const hours = comparison.status === 'compared' ? comparison.hoursBetween : null;
  const figures = figuresOf(site).map((f): FigureRow => {
    if (comparison.status !== 'compared') return f;
    const stored = num(change[CHANGE_FIELDS[f.key]]);
    // A 24-hour report from before schema 3 holds only the differences: the 12-hour value is this one minus it.
    const twelveHour = twelve ? (twelve.get(f.key) ?? null) : diff(f.value, stored);
    const delta = stored ?? diff(f.value, twelveHour);
    const perHour =
      ISSUE_FIGURES.has(f.key) && delta !== null && hours !== null && hours > 0
        ? Math.round((delta / hours) * 10) / 10
        : null;
    return { ...f, twelveHour, change: delta, ...(ISSUE_FIGURES.has(f.key) ? { perHour } : {}) };
  });
  const generation = obj(r.generation);
  return {
    kind,
    cloudId: str(r.cloud_id),
    generatedAt: instant(r.generated_at),
    installedAt: instant(r.installation_timestamp),
    windowHours: num(r.observation_window_hours),
    attempt: num(r.attempt),
    appVersion: str(r.app_version),
    jiraRequests: num(generation.jira_requests),
    durationMs: num(generation.duration_ms),
    figures,
    projectTypes: entries(obj(site.projects).by_type),
    statusCategories: entries(obj(site.statuses).by_category),
    comparison,
    activity:
      r.installation_timestamp === null && !r.activity
        ? { status: 'noInstallation' }
        : readActivity(r.activity, 'activity' in r),
    configuration: comparison.status === 'compared' ? readConfiguration(change.configuration) : null,
    coverage: (Array.isArray(r.coverage) ? r.coverage : []).map((row) => {
      const o = obj(row);
      return {
        dataset: str(o.dataset) ?? '—',
        status: str(o.status) ?? 'unknown',
        reason: str(o.reason),
        detail: str(o.detail),
      };
    }),
  };
}
