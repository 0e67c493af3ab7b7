import { route } from '@forge/api';
import { countIssues, EmulatedJira, getJson, searchPage, startJira } from './jira_harness';

describe('Jira fault injection', () => {
  let jira: EmulatedJira;
  afterEach(() => jira.uninstall());

  it('answers 403 on the endpoints of a forbidden dataset and nowhere else', async () => {
    // Prepare
    jira = startJira({ faults: { forbidden: ['issues', 'fields'] } });

    // Act
    const count = await countIssues('created >= -1d');
    const search = await searchPage({ jql: 'created >= -1d' });
    const fields = await getJson(route`/rest/api/3/field`);
    const projects = await getJson(route`/rest/api/3/project/search?maxResults=${1}`);

    // Assess
    for (const denied of [count, search, fields]) {
      expect(denied.status).toBe(403);
      expect(denied.body.errorMessages).toEqual([expect.stringContaining('permission')]);
    }
    expect(projects.status).toBe(200);
  });

  it.each([
    ['projects', route`/rest/api/3/project/search`],
    ['issuetypes', route`/rest/api/3/issuetype`],
    ['statuses', route`/rest/api/3/status`],
  ] as const)('denies the %s dataset on its own endpoint', async (dataset, path) => {
    // Prepare
    jira = startJira({ faults: { forbidden: [dataset] } });

    // Act
    const response = await getJson(path);

    // Assess
    expect(response.status).toBe(403);
  });

  it('throttles every Nth request with 429 and a Retry-After in seconds', async () => {
    // Prepare
    jira = startJira({ faults: { rateLimit: { everyNth: 3, retryAfterSeconds: 7 } } });

    // Act
    const responses = [];
    for (let i = 0; i < 6; i++) responses.push(await countIssues('created >= -1d'));

    // Assess
    expect(responses.map((r) => r.status)).toEqual([200, 200, 429, 200, 200, 429]);
    expect(responses[2].headers.get('Retry-After')).toBe('7');
    expect(responses[2].body.errorMessages).toEqual([expect.any(String)]);
  });

  it('throttles a seeded random share of requests, identically on every run', async () => {
    // Prepare
    const faults = { rateLimit: { rate: 0.3, retryAfterSeconds: 2 }, seed: 42 };
    jira = startJira({ faults });
    const run = async (): Promise<number[]> => {
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await getJson(route`/rest/api/3/status`)).status);
      return statuses;
    };

    // Act
    const first = await run();
    jira.emulator.setFaults(faults);
    const second = await run();
    jira.emulator.setFaults(undefined);
    const healed = await run();

    // Assess
    const throttled = first.filter((s) => s === 429).length;
    expect(throttled).toBeGreaterThan(3);
    expect(throttled).toBeLessThan(25);
    expect(second).toEqual(first);
    expect(healed.every((s) => s === 200)).toBe(true);
  });

  it('delays responses by the configured latency', async () => {
    // Prepare
    jira = startJira({ faults: { latencyMs: { min: 30, max: 40 } } });
    const started = performance.now();

    // Act
    const response = await getJson(route`/rest/api/3/issuetype`);

    // Assess
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
  });

  it('logs every request with its method, path and status', async () => {
    // Prepare
    jira = startJira({ faults: { forbidden: ['statuses'] } });

    // Act
    await getJson(route`/rest/api/3/status`);
    await countIssues('project = 10000');
    await getJson(route`/rest/api/3/nothing/here`);

    // Assess
    expect(jira.emulator.requestLog).toEqual([
      { method: 'GET', path: '/rest/api/3/status', status: 403 },
      { method: 'POST', path: '/rest/api/3/search/approximate-count', status: 200 },
      { method: 'GET', path: '/rest/api/3/nothing/here', status: 404 },
    ]);
  });
});
