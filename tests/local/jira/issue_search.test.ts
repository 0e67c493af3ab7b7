import api, { route } from '@forge/api';
import { countIssues, EmulatedJira, getJson, searchAll, searchPage, startJira } from './jira_harness';

describe('issue counting and search (small site)', () => {
  let jira: EmulatedJira;
  beforeEach(() => {
    jira = startJira({ seed: 7 });
  });
  afterEach(() => jira.uninstall());

  const boundedQueries = [
    'created >= -30d',
    'created >= "2025-12-01 00:00" AND created < "2025-12-15 12:30"',
    'updated >= -7d ORDER BY created DESC',
    'statusCategory = Done AND created >= -90d',
    'project in (10000, 10002) AND issuetype = Bug',
    'project != 10001 AND statusCategory != Done AND updated >= "2025/11/01"',
    'status = "In Review" AND type in (Story, Task)',
  ];

  it.each(boundedQueries)('approximate-count equals the issues search/jql pages through for: %s', async (jql) => {
    // Act
    const counted = await countIssues(jql);
    const listed = await searchAll(jql, 100);

    // Assess
    expect(counted.status).toBe(200);
    expect(counted.body.count).toBeGreaterThan(0);
    expect(listed.ids).toHaveLength(counted.body.count);
    expect(new Set(listed.ids).size).toBe(listed.ids.length);
  });

  it('counts a whole project the same whether named by key or by id', async () => {
    // Prepare
    const project = jira.emulator.site.projects[3];

    // Act
    const byKey = await countIssues(`project = ${project.key.toLowerCase()}`);
    const byId = await countIssues(`project = ${project.id}`);

    // Assess
    expect(byKey.body.count).toBeGreaterThan(0);
    expect(byId.body.count).toBe(byKey.body.count);
  });

  it('reads relative dates in minutes, hours and days alike', async () => {
    // Act
    const [hours, minutes, days] = await Promise.all([
      countIssues('created >= -24h'),
      countIssues('created >= -1440m'),
      countIssues('created >= -1d'),
    ]);

    // Assess
    expect(hours.body.count).toBeGreaterThan(0);
    expect(minutes.body.count).toBe(hours.body.count);
    expect(days.body.count).toBe(hours.body.count);
  });

  it.each(['', 'ORDER BY created DESC', '   '])(
    'rejects unbounded JQL %j with 400 on both search endpoints',
    async (jql) => {
      // Act
      const count = await countIssues(jql);
      const search = await searchPage({ jql });

      // Assess
      for (const response of [count, search]) {
        expect(response.status).toBe(400);
        expect(response.body).toEqual({
          errorMessages: ['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.'],
          errors: {},
        });
      }
    },
  );

  it.each([
    ['foo = bar', "Field 'foo' does not exist"],
    ['project = NOSUCH', "The value 'NOSUCH' does not exist for the field 'project'"],
    ['created >= "2025-02-30"', "Date value '2025-02-30' for field 'created' is invalid"],
    ['created ~ -1d', "The operator '~' is not supported by the 'created' field"],
    ['project = A AND', 'Error in the JQL Query'],
    ['project = A OR project = B', "does not evaluate 'OR'"],
  ])("answers 400 in Jira's error shape for %j", async (jql, message) => {
    // Act
    const response = await countIssues(jql);

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual({});
    expect(response.body.errorMessages).toHaveLength(1);
    expect(response.body.errorMessages[0]).toContain(message);
  });

  it('pages search/jql with tokens and never reports a total', async () => {
    // Act
    const first = await searchPage({ jql: 'created >= -60d', maxResults: 25, fields: ['summary', 'status'] });
    const second = await searchPage({
      jql: 'created >= -60d',
      maxResults: 25,
      fields: ['summary', 'status'],
      nextPageToken: first.body.nextPageToken,
    });

    // Assess
    expect(first.status).toBe(200);
    expect(first.body).not.toHaveProperty('total');
    expect(first.body.issues).toHaveLength(25);
    expect(first.body.isLast).toBe(false);
    expect(first.body.issues[0].fields).toEqual({
      summary: expect.any(String),
      status: expect.objectContaining({ name: expect.any(String) }),
    });
    const firstIds = new Set(first.body.issues.map((i: { id: string }) => i.id));
    expect(second.body.issues.some((i: { id: string }) => firstIds.has(i.id))).toBe(false);
  });

  it('returns only issue ids when no fields are requested, up to 5000 a page', async () => {
    // Act
    const page = await getJson(route`/rest/api/3/search/jql?jql=${'created >= -365d'}&maxResults=${5000}`);

    // Assess
    expect(page.status).toBe(200);
    expect(page.body.issues.length).toBeGreaterThan(100);
    expect(Object.keys(page.body.issues[0])).toEqual(['id']);
  });

  it('shrinks pages to 100 issues when fields are requested', async () => {
    // Act
    const page = await getJson(
      route`/rest/api/3/search/jql?jql=${'created >= -365d'}&maxResults=${5000}&fields=${'summary,created'}`,
    );

    // Assess
    expect(page.body.issues).toHaveLength(100);
    expect(page.body.nextPageToken).toEqual(expect.any(String));
  });

  it('keeps one snapshot across pages while the clock moves on', async () => {
    // Prepare
    const jql = 'created >= "2025-12-25 00:00"';
    const expected = (await countIssues(jql)).body.count;
    const first = await searchPage({ jql, maxResults: 10 });

    // Act: a day passes mid-listing, creating issues the listing must not pick up
    jira.clock.advance(24 * 3_600_000);
    let ids = first.body.issues.map((i: { id: string }) => i.id);
    let token = first.body.nextPageToken;
    while (token) {
      const page = await searchPage({ jql, maxResults: 10, nextPageToken: token });
      ids = ids.concat(page.body.issues.map((i: { id: string }) => i.id));
      token = page.body.nextPageToken;
    }

    // Assess
    expect(ids).toHaveLength(expected);
    expect((await countIssues(jql)).body.count).toBeGreaterThan(expected);
  });

  it('refuses a page token issued for different JQL', async () => {
    // Prepare
    const first = await searchPage({ jql: 'created >= -60d', maxResults: 5 });

    // Act
    const reused = await searchPage({ jql: 'created >= -30d', maxResults: 5, nextPageToken: first.body.nextPageToken });

    // Assess
    expect(reused.status).toBe(400);
    expect(reused.body.errorMessages[0]).toMatch(/next page token/i);
  });

  it.each([
    ['GET', '/rest/api/3/search'],
    ['POST', '/rest/api/3/search'],
  ])('answers 410 Gone on the removed %s %s, pointing at search/jql', async (method) => {
    // Act
    const response = await api.asApp().requestJira(route`/rest/api/3/search?jql=${'project = A'}`, {
      method,
      ...(method === 'POST' ? { body: JSON.stringify({ jql: 'project = A' }) } : {}),
    });
    const body = await response.json();

    // Assess
    expect(response.status).toBe(410);
    expect(response.ok).toBe(false);
    expect(body.errorMessages[0]).toContain('/rest/api/3/search/jql');
  });
});
