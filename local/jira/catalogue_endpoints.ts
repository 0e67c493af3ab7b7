/**
 * The site's catalogues: projects (paged, like Jira), and the unpaged field,
 * issue type and status lists.
 */
import { Endpoint, intParam, visibleProjectIds } from './endpoint';
import { fieldJson, issueTypeJson, projectJson, statusJson } from './jira_json';
import type { JiraSite, SiteProject } from './site';

/** GET /project/search never returns more than 100 projects a page, whatever maxResults says. */
const PROJECT_PAGE_MAX = 100;

export const searchProjects: Endpoint = (request, context) => {
  const { site } = context;
  const { url } = request;
  const visible = visibleProjectIds(request.caller, context);
  const browsable = visible ? site.projectsByKey.filter((p) => visible.has(p.id)) : site.projectsByKey;
  const startAt = Math.max(0, intParam(url, 'startAt', 0));
  const maxResults = Math.min(PROJECT_PAGE_MAX, Math.max(0, intParam(url, 'maxResults', 50)));
  const typeKeys = (url.searchParams.get('typeKey') ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const expand = url.searchParams.get('expand');
  const withInsight = (expand ?? '').split(',').includes('insight');
  const orderBy = url.searchParams.get('orderBy');

  const ofType = typeKeys.length === 0 ? browsable : browsable.filter((p) => typeKeys.includes(p.typeKey));
  const matching = ordered(ofType, orderBy, site, request.now);
  const values = matching.slice(startAt, startAt + maxResults);
  const isLast = startAt + values.length >= matching.length;
  const pageUrl = (at: number): string => {
    const params = new URLSearchParams({ maxResults: String(maxResults), startAt: String(at) });
    if (typeKeys.length > 0) params.set('typeKey', typeKeys.join(','));
    if (orderBy) params.set('orderBy', orderBy);
    if (expand) params.set('expand', expand);
    return `${site.baseUrl}/rest/api/3/project/search?${params}`;
  };
  return {
    status: 200,
    body: {
      self: pageUrl(startAt),
      ...(isLast ? {} : { nextPage: pageUrl(startAt + maxResults) }),
      maxResults,
      startAt,
      total: matching.length,
      isLast,
      values: values.map((project) => projectJson(site, project, withInsight ? { now: request.now } : undefined)),
    },
  };
};

/**
 * GET /project/search's `orderBy`: `key` (the default), `name`, `issueCount` and
 * `lastIssueUpdatedDate`, each ascending unless prefixed with `-`. Projects with
 * no issues have no last update and come last either way. Orders the emulator
 * has no data for (category, owner, archived or deleted date) keep key order.
 */
function ordered(
  projects: readonly SiteProject[],
  orderBy: string | null,
  site: JiraSite,
  now: number,
): readonly SiteProject[] {
  const match = /^([+-]?)(name|key|issueCount|lastIssueUpdatedDate)$/.exec(orderBy ?? '');
  if (!match || match[2] === 'key') return match?.[1] === '-' ? [...projects].reverse() : projects;
  const sign = match[1] === '-' ? -1 : 1;
  const field = match[2];
  const value = (p: SiteProject): number | string | undefined =>
    field === 'name'
      ? p.name.toLowerCase()
      : field === 'issueCount'
        ? site.issueCount(p, now)
        : site.lastIssueUpdate(p, now);
  const keyed = projects.map((p) => ({ p, v: value(p) }));
  keyed.sort((a, b) => {
    if (a.v === undefined || b.v === undefined) return a.v === b.v ? 0 : a.v === undefined ? 1 : -1;
    return a.v < b.v ? -sign : a.v > b.v ? sign : 0;
  });
  return keyed.map((k) => k.p);
}

export const listFields: Endpoint = (_request, { site }) => ({
  status: 200,
  body: site.fields.map((field) => fieldJson(site, field)),
});

export const listIssueTypes: Endpoint = (_request, { site }) => ({
  status: 200,
  body: site.issueTypes.map((type) => issueTypeJson(site, type)),
});

export const listStatuses: Endpoint = (_request, { site }) => ({
  status: 200,
  body: site.statuses.map((status) => statusJson(site, status)),
});
