import { route } from '@forge/api';
import { isApproximateCount, isFieldList, isIssueTypeList, isProjectPage, isStatusList } from './jira_shapes';
import type { JiraReader, JiraResult, UnavailableReason } from './jira_reader';
import type { CoverageRow, DatasetName, SiteFigures } from './report';

/**
 * What the report says about the site, one dataset at a time. Each collector
 * makes a handful of cheap requests (counts, never listings of issues) and
 * returns its figures plus a coverage row; a figure it could not read stays null.
 */

/** Jira Cloud's project types; anything else on a site still counts in `total`. */
export const PROJECT_TYPES = ['software', 'business', 'service_desk', 'product_discovery'] as const;

interface Collected<K extends keyof SiteFigures> {
  figures: SiteFigures[K];
  coverage: CoverageRow;
}

function coverageOf(dataset: DatasetName, sources: string[], results: Array<JiraResult<unknown>>): CoverageRow {
  const failures = results.filter((r): r is { ok: false; reason: UnavailableReason; detail: string } => !r.ok);
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

async function projects(jira: JiraReader): Promise<Collected<'projects'>> {
  // `maxResults=1` with a type filter: the page's `total` is the count, without listing thousands of projects.
  const total = jira.get(route`/rest/api/3/project/search?maxResults=${1}`, isProjectPage);
  const byType = PROJECT_TYPES.map((t) =>
    jira.get(route`/rest/api/3/project/search?maxResults=${1}&typeKey=${t}`, isProjectPage),
  );
  const [all, ...types] = await Promise.all([total, ...byType]);
  return {
    figures: {
      total: value(all, (p) => p.total),
      by_type: Object.fromEntries(PROJECT_TYPES.map((t, i) => [t, value(types[i], (p) => p.total)])),
    },
    coverage: coverageOf('projects', ['GET /rest/api/3/project/search'], [all, ...types]),
  };
}

async function issues(jira: JiraReader, sinceInstallMinutes: number): Promise<Collected<'issues'>> {
  // Approximate counts need bounded JQL. Relative dates ("-725m") avoid depending on the
  // time zone Jira reads absolute dates in for the app user.
  const count = (jql: string) => jira.post(route`/rest/api/3/search/approximate-count`, { jql }, isApproximateCount);
  const window = `-${Math.max(1, Math.ceil(sinceInstallMinutes))}m`;
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
    },
    coverage: coverageOf('issues', ['POST /rest/api/3/search/approximate-count'], [total, created, updated]),
  };
}

async function customFields(jira: JiraReader): Promise<Collected<'custom_fields'>> {
  const fields = await jira.get(route`/rest/api/3/field`, isFieldList);
  return {
    figures: { total: value(fields, (list) => list.filter((f) => f.custom).length) },
    coverage: coverageOf('custom_fields', ['GET /rest/api/3/field'], [fields]),
  };
}

async function issueTypes(jira: JiraReader): Promise<Collected<'issue_types'>> {
  const types = await jira.get(route`/rest/api/3/issuetype`, isIssueTypeList);
  return {
    figures: { total: value(types, (list) => list.length) },
    coverage: coverageOf('issue_types', ['GET /rest/api/3/issuetype'], [types]),
  };
}

async function statuses(jira: JiraReader): Promise<Collected<'statuses'>> {
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
  };
}

export interface SiteSurvey {
  site: SiteFigures;
  coverage: CoverageRow[];
}

/** All datasets, concurrently: about ten small requests in all. */
export async function surveySite(jira: JiraReader, sinceInstallMinutes: number): Promise<SiteSurvey> {
  const [p, i, f, t, s] = await Promise.all([
    projects(jira),
    issues(jira, sinceInstallMinutes),
    customFields(jira),
    issueTypes(jira),
    statuses(jira),
  ]);
  return {
    site: {
      projects: p.figures,
      issues: i.figures,
      custom_fields: f.figures,
      issue_types: t.figures,
      statuses: s.figures,
    },
    coverage: [p.coverage, i.coverage, f.coverage, t.coverage, s.coverage],
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
