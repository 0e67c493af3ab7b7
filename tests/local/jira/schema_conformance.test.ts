import { route } from '@forge/api';
import { countIssues, getJson, searchPage, startJira, TEST_NOW } from './jira_harness';
import { SchemaCheck, SchemaVerdict, validateWithJiraJs } from './jira_schemas';

/**
 * Every body the emulator serves, checked against the models jira.js
 * generates from Atlassian's OpenAPI spec, in jira.js's strict audit mode. If
 * the emulator grows a key Jira does not document, or a value outside a
 * documented enum, this fails, so the emulator cannot drift from the real API.
 */
const JIRA_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$/;

type Issue = { fields: Record<string, any> };

async function collectBodies(): Promise<{ checks: SchemaCheck[]; issues: Issue[] }> {
  const checks: SchemaCheck[] = [];
  const add = (label: string, schema: string, body: unknown, each = false): void => {
    checks.push({ label, schema, body, each });
  };

  const small = startJira({ seed: 3, admins: ['admin-1'] });
  let issues: Issue[];
  try {
    add(
      'project search page',
      'PageProjectSchema',
      (await getJson(route`/rest/api/3/project/search?maxResults=${5}`)).body,
    );
    add(
      'project search page with insight',
      'PageProjectSchema',
      (await getJson(route`/rest/api/3/project/search?maxResults=${100}&expand=${'insight'}`)).body,
    );
    add('field list entries', 'FieldDetailsSchema', (await getJson(route`/rest/api/3/field`)).body, true);
    add('issue types', 'IssueTypeDetailsSchema', (await getJson(route`/rest/api/3/issuetype`)).body, true);
    add('statuses', 'StatusDetailsSchema', (await getJson(route`/rest/api/3/status`)).body, true);

    const full = (await searchPage({ jql: 'created >= -60d', maxResults: 100, fields: ['*all'] })).body;
    issues = full.issues;
    add('search/jql result with fields', 'SearchAndReconcileResultsSchema', full);
    add('search/jql issues', 'IssueSchema', issues, true);
    add(
      'issue field: status',
      'StatusDetailsSchema',
      issues.map((i) => i.fields.status),
      true,
    );
    add(
      'issue field: issuetype',
      'IssueTypeDetailsSchema',
      issues.map((i) => i.fields.issuetype),
      true,
    );
    add(
      'issue field: project',
      'ProjectDetailsSchema',
      issues.map((i) => i.fields.project),
      true,
    );
    add(
      'issue field: priority',
      'PrioritySchema',
      issues.map((i) => i.fields.priority),
      true,
    );
    add('issue field: resolution', 'ResolutionSchema', issues.map((i) => i.fields.resolution).filter(Boolean), true);
    add(
      'search/jql ids-only result',
      'SearchAndReconcileResultsSchema',
      (await searchPage({ jql: 'created >= -60d' })).body,
    );
    add(
      'search/jql last page',
      'SearchAndReconcileResultsSchema',
      (await searchPage({ jql: 'created >= -1h', fields: ['key'] })).body,
    );
    add('approximate count', 'JQLCountResultsSchema', (await countIssues('created >= -1d')).body);

    const permissions = (
      await getJson(route`/rest/api/3/mypermissions?permissions=${'ADMINISTER,BROWSE_PROJECTS'}`, 'admin-1')
    ).body;
    add('mypermissions', 'PermissionsSchema', permissions);
    add('mypermissions entries', 'UserPermissionSchema', Object.values(permissions.permissions), true);
    add('myself as a user', 'DashboardUserSchema', (await getJson(route`/rest/api/3/myself`, 'user-2')).body);
    add('myself as the app', 'DashboardUserSchema', (await getJson(route`/rest/api/3/myself`)).body);

    add('400 unbounded JQL', 'ErrorCollectionSchema', (await countIssues('order by created')).body);
    add('404 unknown path', 'ErrorCollectionSchema', (await getJson(route`/rest/api/3/nope`)).body);
    add(
      '410 removed search',
      'ErrorCollectionSchema',
      (await getJson(route`/rest/api/3/search?jql=${'project = X'}`)).body,
    );
    small.emulator.setFaults({ forbidden: ['projects'], rateLimit: { everyNth: 2, retryAfterSeconds: 1 } });
    add('403 forbidden', 'ErrorCollectionSchema', (await getJson(route`/rest/api/3/project/search`)).body);
    add('429 rate limited', 'ErrorCollectionSchema', (await getJson(route`/rest/api/3/project/search`)).body);
  } finally {
    small.uninstall();
  }

  // The large site adds what the small one may lack: fields and issue types scoped to team-managed projects.
  const large = startJira({ seed: 3, size: 'large' });
  try {
    add(
      'large site project search page',
      'PageProjectSchema',
      (await getJson(route`/rest/api/3/project/search?maxResults=${100}`)).body,
    );
    add('large site field list entries', 'FieldDetailsSchema', (await getJson(route`/rest/api/3/field`)).body, true);
    add('large site issue types', 'IssueTypeDetailsSchema', (await getJson(route`/rest/api/3/issuetype`)).body, true);
    add('large site statuses', 'StatusDetailsSchema', (await getJson(route`/rest/api/3/status`)).body, true);
  } finally {
    large.uninstall();
  }

  // The site after its day of configuration changes: the project, field, issue type and status its administrators added.
  const changed = startJira({ seed: 3, configurationChangesFrom: TEST_NOW - 24 * 3_600_000 });
  try {
    add(
      'project search ordered by last issue update, with insight',
      'PageProjectSchema',
      (
        await getJson(
          route`/rest/api/3/project/search?maxResults=${100}&orderBy=${'-lastIssueUpdatedDate'}&expand=${'insight'}`,
        )
      ).body,
    );
    add('changed site field list entries', 'FieldDetailsSchema', (await getJson(route`/rest/api/3/field`)).body, true);
    add('changed site issue types', 'IssueTypeDetailsSchema', (await getJson(route`/rest/api/3/issuetype`)).body, true);
    add('changed site statuses', 'StatusDetailsSchema', (await getJson(route`/rest/api/3/status`)).body, true);
  } finally {
    changed.uninstall();
  }
  return { checks, issues };
}

const LABELS = [
  'project search page',
  'project search page with insight',
  'field list entries',
  'issue types',
  'statuses',
  'search/jql result with fields',
  'search/jql issues',
  'issue field: status',
  'issue field: issuetype',
  'issue field: project',
  'issue field: priority',
  'issue field: resolution',
  'search/jql ids-only result',
  'search/jql last page',
  'approximate count',
  'mypermissions',
  'mypermissions entries',
  'myself as a user',
  'myself as the app',
  '400 unbounded JQL',
  '404 unknown path',
  '410 removed search',
  '403 forbidden',
  '429 rate limited',
  'large site project search page',
  'large site field list entries',
  'large site issue types',
  'large site statuses',
  'project search ordered by last issue update, with insight',
  'changed site field list entries',
  'changed site issue types',
  'changed site statuses',
];

describe('response bodies conform to the jira.js models of Jira Cloud REST v3', () => {
  let strict: boolean;
  const verdicts = new Map<string, SchemaVerdict>();
  let checks: SchemaCheck[];
  let issues: Issue[];

  beforeAll(async () => {
    ({ checks, issues } = await collectBodies());
    const validated = validateWithJiraJs(checks);
    strict = validated.strict;
    for (const verdict of validated.results) verdicts.set(verdict.label, verdict);
  });

  it('validates in strict mode, where undocumented keys are errors', () => {
    expect(strict).toBe(true);
  });

  it('checks every body it collected, and collects something for every check', () => {
    expect(checks.map((c) => c.label)).toEqual(LABELS);
    for (const check of checks.filter((c) => c.each)) expect((check.body as unknown[]).length).toBeGreaterThan(0);
  });

  it.each(LABELS)('%s', (label) => {
    expect(verdicts.get(label)).toEqual({ label, ok: true, issues: [] });
  });

  it('formats issue dates the way Jira does', () => {
    const resolved = issues.filter((i) => i.fields.resolutiondate !== null);
    expect(resolved.length).toBeGreaterThan(0);
    for (const issue of issues) {
      expect(issue.fields.created).toMatch(JIRA_DATETIME);
      expect(issue.fields.updated).toMatch(JIRA_DATETIME);
      expect(issue.fields.statuscategorychangedate).toMatch(JIRA_DATETIME);
    }
    for (const issue of resolved) expect(issue.fields.resolutiondate).toMatch(JIRA_DATETIME);
  });
});
