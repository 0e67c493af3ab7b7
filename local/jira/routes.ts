/**
 * The REST surface the emulator serves, one row per path. A path not listed
 * answers 404 and a listed path with another method 405, as Jira does.
 */
import { approximateCount, removedSearch, searchJql } from './search_endpoints';
import { listFields, listIssueTypes, listStatuses, searchProjects } from './catalogue_endpoints';
import { myPermissions, myself, usersBulk } from './identity_endpoints';
import type { Route } from './endpoint';

export const ROUTES: readonly Route[] = [
  { path: '/rest/api/3/project/search', dataset: 'projects', methods: { GET: searchProjects } },
  { path: '/rest/api/3/search/approximate-count', dataset: 'issues', methods: { POST: approximateCount } },
  { path: '/rest/api/3/search/jql', dataset: 'issues', methods: { GET: searchJql, POST: searchJql } },
  { path: '/rest/api/3/field', dataset: 'fields', methods: { GET: listFields } },
  { path: '/rest/api/3/issuetype', dataset: 'issuetypes', methods: { GET: listIssueTypes } },
  { path: '/rest/api/3/status', dataset: 'statuses', methods: { GET: listStatuses } },
  { path: '/rest/api/3/mypermissions', methods: { GET: myPermissions } },
  { path: '/rest/api/3/myself', methods: { GET: myself } },
  { path: '/rest/api/3/user/bulk', methods: { GET: usersBulk } },
  // Removed in 2025; kept so an app still calling them sees what production shows it.
  { path: '/rest/api/3/search', methods: { GET: removedSearch, POST: removedSearch } },
  { path: '/rest/api/2/search', methods: { GET: removedSearch, POST: removedSearch } },
  { path: '/rest/api/3/search/id', methods: { POST: removedSearch } },
  { path: '/rest/api/3/expression/eval', methods: { POST: removedSearch } },
];

export function findRoute(pathname: string): Route | undefined {
  const normalised = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  return ROUTES.find((route) => route.path === normalised);
}
