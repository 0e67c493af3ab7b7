import { route } from '@forge/api';
import type { CatalogueEntry, Catalogues } from './configuration';
import {
  isApproximateCount,
  isFieldList,
  isIssueTypeList,
  isProjectListingPage,
  isProjectPage,
  isStatusList,
  jiraInstant,
  ListedProjectJson,
} from './jira_shapes';
import type { JiraReader, JiraResult, UnavailableReason } from './jira_reader';
import { countActivity, ListedProject, planActivity } from './project_activity';
import type { CoverageRow, DatasetName, ProjectActivity, SiteFigures } from './report';

/**
 * What the report says about the site, one dataset at a time. Each collector
 * makes a few requests (counts and catalogue listings, never listings of
 * issues) and returns its figures plus a coverage row; a figure it could not
 * read stays null.
 *
 * The request budget (SURVEY_LIMITS), on a site with 3,000 projects: the
 * project listing with Jira's insight (30 pages of 100), three site-wide issue
 * counts, the field, issue type and status lists (one request each), then two
 * counts for each of at most 10 active projects with whatever the budget has
 * left: 56 of 60. A site with more projects than the listing may read (3,200)
 * is counted by type instead (four requests) and its activity sampled from the
 * projects most recently changed (one more): 32 + 6 + 5 + 2 × 8 = 59.
 */

export interface SurveyLimits {
  /** Jira requests one generation sends at most, retries included. */
  jiraRequests: number;
  /** Projects per page of the listing (Jira's cap for project search is 100). */
  projectPageSize: number;
  /** Pages of the listing read at most; beyond, projects are counted, not listed. */
  projectPages: number;
  /** Projects whose issues are counted at most (two requests each). */
  activityProjects: number;
}

export const SURVEY_LIMITS: SurveyLimits = {
  jiraRequests: 60,
  projectPageSize: 100,
  // 3,200 projects: the large preset's 3,000 and room for a site that grows between its two reports.
  projectPages: 32,
  activityProjects: 10,
};

/** Jira Cloud's project types; anything else on a site still counts in `total`. */
export const PROJECT_TYPES = ['software', 'business', 'service_desk', 'product_discovery'] as const;

type Failure = { ok: false; reason: UnavailableReason; detail: string };

function coverageOf(dataset: DatasetName, sources: string[], results: Array<JiraResult<unknown>>): CoverageRow {
  const failures = results.filter((r): r is Failure => !r.ok);
  if (failures.length === 0) return { dataset, status: 'available', sources };
  const first = failures[0];
  return {
    dataset,
    status: failures.length === results.length ? 'unavailable' : 'partial',
    reason: first.reason,
    detail: first.detail,
    sources,
  };
}

const value = <T, R>(r: JiraResult<T>, f: (v: T) => R): R | null => (r.ok ? f(r.value) : null);

/** Every project the app can browse, with its insight, or as many as the page limit allows. */
interface ProjectListing {
  /** Jira's total; null when not even the first page came back. */
  total: number | null;
  projects: ListedProject[];
  /** Every project the total promises was listed, on pages that all came back. */
  complete: boolean;
  results: Array<JiraResult<unknown>>;
}

function listedProject(p: ListedProjectJson): ListedProject {
  return {
    id: p.id,
    key: p.key,
    name: p.name,
    type: typeof p.projectTypeKey === 'string' ? p.projectTypeKey : 'unknown',
    issueCount: p.insight?.totalIssueCount ?? null,
    lastIssueUpdate: jiraInstant(p.insight?.lastIssueUpdateTime),
  };
}

async function listProjects(jira: JiraReader, limits: SurveyLimits): Promise<ProjectListing> {
  const size = limits.projectPageSize;
  const page = (startAt: number) =>
    jira.get(
      route`/rest/api/3/project/search?maxResults=${size}&startAt=${startAt}&expand=${'insight'}`,
      isProjectListingPage,
    );
  const first = await page(0);
  if (!first.ok) return { total: null, projects: [], complete: false, results: [first] };
  const total = first.value.total;
  const pages = Math.min(Math.ceil(total / size), limits.projectPages);
  const rest = await Promise.all(Array.from({ length: Math.max(0, pages - 1) }, (_, i) => page((i + 1) * size)));
  const byId = new Map<string, ListedProject>();
  for (const r of [first, ...rest]) if (r.ok) for (const p of r.value.values) byId.set(p.id, listedProject(p));
  return {
    total,
    projects: [...byId.values()],
    complete: rest.every((r) => r.ok) && byId.size >= total,
    results: [first, ...rest],
  };
}

/** When the listing is incomplete: each type's count from its page's `total` (maxResults=1). */
async function countByType(jira: JiraReader): Promise<Array<JiraResult<{ total: number }>>> {
  return Promise.all(
    PROJECT_TYPES.map((t) => jira.get(route`/rest/api/3/project/search?maxResults=${1}&typeKey=${t}`, isProjectPage)),
  );
}

interface Collected<K extends keyof SiteFigures> {
  figures: SiteFigures[K];
  coverage: CoverageRow;
}

async function projects(
  jira: JiraReader,
  limits: SurveyLimits,
): Promise<Collected<'projects'> & { listing: ProjectListing }> {
  const listing = await listProjects(jira, limits);
  const sources = ['GET /rest/api/3/project/search'];
  if (listing.complete) {
    const byType: Record<string, number> = Object.fromEntries(PROJECT_TYPES.map((t) => [t, 0]));
    for (const p of listing.projects) byType[p.type] = (byType[p.type] ?? 0) + 1;
    return {
      figures: { total: listing.projects.length, by_type: byType, accuracy: 'exact' },
      coverage: coverageOf('projects', sources, listing.results),
      listing,
    };
  }
  const types = listing.total === null ? [] : await countByType(jira);
  return {
    figures: {
      total: listing.total,
      by_type: Object.fromEntries(PROJECT_TYPES.map((t, i) => [t, types[i] ? value(types[i], (p) => p.total) : null])),
      accuracy: 'exact',
    },
    coverage: coverageOf('projects', sources, [listing.results[0], ...types]),
    listing,
  };
}

async function issues(jira: JiraReader, window: string | null): Promise<Collected<'issues'>> {
  const count = (jql: string) => jira.post(route`/rest/api/3/search/approximate-count`, { jql }, isApproximateCount);
  // Without an installation time (a manual report before it is recorded) nothing counts "since installation".
  if (window === null) {
    const total = await count('created <= now()');
    return {
      figures: {
        total: value(total, (c) => c.count),
        created_since_install: null,
        updated_since_install: null,
        accuracy: 'approximate',
      },
      coverage: coverageOf('issues', ['POST /rest/api/3/search/approximate-count'], [total]),
    };
  }
  const [total, created, updated] = await Promise.all([
    count('created <= now()'),
    count(`created >= ${window}`),
    count(`updated >= ${window}`),
  ]);
  return {
    figures: {
      total: value(total, (c) => c.count),
      created_since_install: value(created, (c) => c.count),
      updated_since_install: value(updated, (c) => c.count),
      accuracy: 'approximate',
    },
    coverage: coverageOf('issues', ['POST /rest/api/3/search/approximate-count'], [total, created, updated]),
  };
}

type Listed<K extends keyof SiteFigures> = Collected<K> & { entries: CatalogueEntry[] | null };

async function customFields(jira: JiraReader): Promise<Listed<'custom_fields'>> {
  const fields = await jira.get(route`/rest/api/3/field`, isFieldList);
  const custom = value(fields, (list) => list.filter((f) => f.custom));
  return {
    figures: { total: custom?.length ?? null },
    coverage: coverageOf('custom_fields', ['GET /rest/api/3/field'], [fields]),
    entries: custom?.map((f) => ({ id: f.id, label: typeof f.name === 'string' ? f.name : f.id })) ?? null,
  };
}

async function issueTypes(jira: JiraReader): Promise<Listed<'issue_types'>> {
  const types = await jira.get(route`/rest/api/3/issuetype`, isIssueTypeList);
  return {
    figures: { total: value(types, (list) => list.length) },
    coverage: coverageOf('issue_types', ['GET /rest/api/3/issuetype'], [types]),
    entries: value(types, (list) => list.map((t) => ({ id: t.id, label: typeof t.name === 'string' ? t.name : t.id }))),
  };
}

async function statuses(jira: JiraReader): Promise<Listed<'statuses'>> {
  const list = await jira.get(route`/rest/api/3/status`, isStatusList);
  return {
    figures: {
      total: value(list, (l) => l.length),
      by_category: value(list, (l) => {
        const counts: Record<string, number> = {};
        for (const s of l) {
          const key = s.statusCategory?.key ?? 'unknown';
          counts[key] = (counts[key] ?? 0) + 1;
        }
        return counts;
      }),
    },
    coverage: coverageOf('statuses', ['GET /rest/api/3/status'], [list]),
    entries: value(list, (l) => l.map((s) => ({ id: s.id, label: typeof s.name === 'string' ? s.name : s.id }))),
  };
}

const ACTIVITY_SOURCES = [
  'GET /rest/api/3/project/search (expand=insight)',
  'POST /rest/api/3/search/approximate-count',
];

/**
 * The most active projects, from the listing's insight; when the listing could
 * not hold every project, from the projects most recently changed (one page
 * ordered by last issue update) as well.
 */
async function activity(
  jira: JiraReader,
  listing: ProjectListing,
  input: SurveyInput & { installedAt: number; window: string },
  limits: SurveyLimits,
): Promise<{ activity: ProjectActivity | null; coverage: CoverageRow }> {
  if (listing.total === null) {
    return { activity: null, coverage: coverageOf('project_activity', ACTIVITY_SOURCES, listing.results) };
  }
  const byId = new Map(listing.projects.map((p) => [p.id, p]));
  const extra: Array<JiraResult<unknown>> = [];
  if (!listing.complete) {
    const recent = await jira.get(
      route`/rest/api/3/project/search?maxResults=${limits.projectPageSize}&orderBy=${'-lastIssueUpdatedDate'}&expand=${'insight'}`,
      isProjectListingPage,
    );
    extra.push(recent);
    if (recent.ok) for (const p of recent.value.values) if (!byId.has(p.id)) byId.set(p.id, listedProject(p));
  }
  const room = Math.min(limits.activityProjects, Math.floor(jira.requestsLeft / 2));
  const plan = planActivity([...byId.values()], input.installedAt, room, input.earlierIssueCounts);
  const counted = await countActivity(jira, plan.counted, input.window);
  const sampled = plan.selection === 'sampled' || !listing.complete;
  return {
    activity: {
      active_projects: plan.active,
      projects_read: byId.size,
      projects_total: listing.total,
      selection: sampled ? 'sampled' : 'all_active',
      picked_by: sampled ? (plan.pickedBy ?? 'last_update') : null,
      accuracy: sampled ? 'sampled' : 'approximate',
      projects: counted.projects,
    },
    coverage: coverageOf('project_activity', ACTIVITY_SOURCES, [
      ...listing.results.filter((r) => !r.ok),
      ...extra,
      ...counted.results,
      // A listing that answered counts as one success, so a few failed counts make the row partial, not unavailable.
      { ok: true, value: null },
    ]),
  };
}

export interface SurveyInput {
  /**
   * The installation instant (epoch ms), from which activity is counted; null only for a manual report
   * made before the installation time is recorded, which then counts nothing since installation.
   */
  installedAt: number | null;
  /** Relative JQL for "since installation", e.g. `-725m`; null exactly when `installedAt` is. */
  window: string | null;
  /** The 12-hour report's issue count per project id, when this is the 24-hour report and it kept them. */
  earlierIssueCounts: ReadonlyMap<string, number> | null;
}

export interface SiteSurvey {
  site: SiteFigures;
  coverage: CoverageRow[];
  activity: ProjectActivity | null;
  /** The catalogues as read, for the inventory and the comparison; null where not read completely. */
  catalogues: Catalogues;
  /** Jira's issue count per project id, when the listing was complete. */
  issueCounts: Map<string, number> | null;
}

/** JQL's relative form for "since installation": whole minutes, rounded up, at least one. */
export function sinceInstallWindow(minutesSinceInstall: number): string {
  return `-${Math.max(1, Math.ceil(minutesSinceInstall))}m`;
}

/** All datasets, concurrently; then the activity counts, with what the budget has left. */
export async function surveySite(
  jira: JiraReader,
  input: SurveyInput,
  limits: SurveyLimits = SURVEY_LIMITS,
): Promise<SiteSurvey> {
  const [p, i, f, t, s] = await Promise.all([
    projects(jira, limits),
    issues(jira, input.window),
    customFields(jira),
    issueTypes(jira),
    statuses(jira),
  ]);
  const { installedAt, window } = input;
  const a =
    installedAt !== null && window !== null
      ? await activity(jira, p.listing, { ...input, installedAt, window }, limits)
      : { activity: null, coverage: null };
  const complete = p.listing.complete;
  const counts = complete
    ? new Map(p.listing.projects.filter((x) => x.issueCount !== null).map((x) => [x.id, x.issueCount as number]))
    : null;
  return {
    site: {
      projects: p.figures,
      issues: i.figures,
      custom_fields: f.figures,
      issue_types: t.figures,
      statuses: s.figures,
    },
    coverage: [p.coverage, i.coverage, f.coverage, t.coverage, s.coverage, ...(a.coverage ? [a.coverage] : [])],
    activity: a.activity,
    catalogues: {
      projects: complete ? p.listing.projects.map((x) => ({ id: x.id, label: x.key, name: x.name })) : null,
      custom_fields: f.entries,
      issue_types: t.entries,
      statuses: s.entries,
    },
    issueCounts: counts,
  };
}

/** Reasons that will not go away by retrying in half an hour. */
const LASTING: ReadonlySet<UnavailableReason> = new Set(['NOT_PERMITTED', 'REMOVED_ENDPOINT']);

/**
 * A survey worth storing has at least one dataset, or is missing them only for
 * lasting reasons (an admin needs to see "not permitted"). A survey with nothing
 * but transient failures is a failed generation: back off and retry.
 */
export function worthStoring(coverage: CoverageRow[]): boolean {
  return coverage.some((c) => c.status !== 'unavailable' || (c.reason !== undefined && LASTING.has(c.reason)));
}
