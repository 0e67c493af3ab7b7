/**
 * The site's catalogues: projects (paged, like Jira), and the unpaged field,
 * issue type and status lists.
 */
import { Endpoint, intParam, visibleProjectIds } from './endpoint';
import { fieldJson, issueTypeJson, projectJson, statusJson } from './jira_json';

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
  const withInsight = (url.searchParams.get('expand') ?? '').split(',').includes('insight');

  const matching = typeKeys.length === 0 ? browsable : browsable.filter((p) => typeKeys.includes(p.typeKey));
  const values = matching.slice(startAt, startAt + maxResults);
  const isLast = startAt + values.length >= matching.length;
  const pageUrl = (at: number): string => {
    const params = new URLSearchParams({ maxResults: String(maxResults), startAt: String(at) });
    if (typeKeys.length > 0) params.set('typeKey', typeKeys.join(','));
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
