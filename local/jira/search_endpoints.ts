/**
 * Issue search as it works after the 2025 deprecation: POST
 * /search/approximate-count for counts, GET|POST /search/jql for token-paged
 * issues without a total, and 410 Gone from the removed /search endpoints.
 *
 * Both live endpoints refuse unbounded JQL (no search restriction), as Jira
 * does; an app that counts "all issues" has to bound the query, e.g. by
 * project or by `created`.
 */
import { Endpoint, EndpointContext, JiraReply, JiraRequest, intParam, visibleProjectIds } from './endpoint';
import { errorBody, INVALID_PAYLOAD } from './jira_json';
import { issueJson, pageLimit, parseFieldSelection } from './issue_json';
import { compileJql, CompiledJql } from './jql_query';
import { JqlError } from './jql_parser';
import { decodePageToken, encodePageToken, hashJql } from './page_token';
import type { JiraSite } from './site';

const UNBOUNDED = 'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.';

function badRequest(message: string): JiraReply {
  return { status: 400, body: errorBody([message]) };
}

/** Compiles bounded JQL, or says why Jira would answer 400. */
function compileBounded(jql: string, site: JiraSite, now: number): CompiledJql | JiraReply {
  let compiled: CompiledJql;
  try {
    compiled = compileJql(jql, site, now);
  } catch (error) {
    if (error instanceof JqlError) return badRequest(error.message);
    throw error;
  }
  return compiled.bounded ? compiled : badRequest(UNBOUNDED);
}

function isReply(value: CompiledJql | JiraReply): value is JiraReply {
  return 'status' in value;
}

/** The query as the caller may run it: the app searches only the projects its user may browse. */
function asSeenBy(compiled: CompiledJql, request: JiraRequest, context: EndpointContext): CompiledJql {
  const visible = visibleProjectIds(request.caller, context);
  if (!visible) return compiled;
  const asked = compiled.query.projectIds;
  const projectIds = new Set([...(asked ?? visible)].filter((id) => visible.has(id)));
  return { ...compiled, query: { ...compiled.query, projectIds } };
}

/** Only a `<=`/`<` date bound (no project, no lower date bound): refused under the strict-count variant. */
function openEndedOnly(compiled: CompiledJql): boolean {
  const { projectIds, created, updated } = compiled.query;
  return projectIds === null && created.from === -Infinity && updated.from === -Infinity;
}

function jsonObjectBody(request: JiraRequest): Record<string, unknown> | undefined {
  const body = request.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}

export const approximateCount: Endpoint = (request, context) => {
  const { site } = context;
  const body = jsonObjectBody(request);
  if (!body) return badRequest(INVALID_PAYLOAD);
  if (body.jql !== undefined && typeof body.jql !== 'string') return badRequest('The JQL query must be a string.');
  const compiled = compileBounded(body.jql ?? '', site, request.now);
  if (isReply(compiled)) return compiled;
  if (context.refuseOpenEndedCount && openEndedOnly(compiled)) return badRequest(UNBOUNDED);
  const seen = asSeenBy(compiled, request, context);
  return { status: 200, body: { count: site.countIssues(seen.query, request.now) } };
};

interface SearchParams {
  jql: string;
  nextPageToken?: string;
  maxResults: number;
  fields?: string[];
}

function searchParams(request: JiraRequest): SearchParams | JiraReply {
  if (request.method === 'GET') {
    const { searchParams: q } = request.url;
    return {
      jql: q.get('jql') ?? '',
      nextPageToken: q.get('nextPageToken') ?? undefined,
      maxResults: intParam(request.url, 'maxResults', 50),
      fields: q.getAll('fields'),
    };
  }
  const body = jsonObjectBody(request);
  if (!body) return badRequest(INVALID_PAYLOAD);
  const { jql = '', nextPageToken, maxResults = 50, fields } = body;
  const fieldsOk = fields === undefined || (Array.isArray(fields) && fields.every((f) => typeof f === 'string'));
  if (
    typeof jql !== 'string' ||
    !fieldsOk ||
    !Number.isInteger(maxResults) ||
    (nextPageToken != null && typeof nextPageToken !== 'string')
  ) {
    return badRequest(INVALID_PAYLOAD);
  }
  return {
    jql,
    nextPageToken: nextPageToken ?? undefined,
    maxResults: maxResults as number,
    fields: fields as string[] | undefined,
  };
}

export const searchJql: Endpoint = (request, context) => {
  const { site } = context;
  const params = searchParams(request);
  if ('status' in params) return params;
  const token = params.nextPageToken === undefined ? undefined : decodePageToken(params.nextPageToken, params.jql);
  if (params.nextPageToken !== undefined && !token) {
    return badRequest('The provided next page token is invalid or expired.');
  }

  // Later pages are evaluated at the first page's instant: one consistent snapshot per listing.
  const asOf = token?.asOf ?? request.now;
  const bounded = compileBounded(params.jql, site, asOf);
  if (isReply(bounded)) return bounded;
  const compiled = asSeenBy(bounded, request, context);

  const selection = parseFieldSelection(site, params.fields);
  const limit = pageLimit(selection, Math.max(1, params.maxResults));
  const page = site.pageIssues(compiled.query, asOf, token ?? { projectIndex: 0, n: 0 }, limit);
  const nextPageToken = page.next && encodePageToken({ ...page.next, asOf, jqlHash: hashJql(params.jql) });
  return {
    status: 200,
    body: {
      issues: page.issues.map((issue) => issueJson(site, issue, selection)),
      ...(nextPageToken ? { nextPageToken } : {}),
      isLast: nextPageToken === undefined,
    },
  };
};

/** /rest/api/{2,3}/search and friends were shut down in 2025 (CHANGE-2046). */
export const removedSearch: Endpoint = () => ({
  status: 410,
  body: errorBody([
    'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. ' +
      'A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046',
  ]),
});
