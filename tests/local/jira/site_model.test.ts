import { route } from '@forge/api';
import { generateSite, installJiraOnly, JiraEmulator } from '../../../local/jira';
import { ManualClock } from '../../../local/clock';
import { countIssues, EmulatedJira, getJson, searchPage, startJira, TEST_NOW } from './jira_harness';

const HOUR = 3_600_000;

describe('the generated site', () => {
  let jira: EmulatedJira | undefined;
  afterEach(() => {
    jira?.uninstall();
    jira = undefined;
  });

  it('serves identical bodies for the same seed, and different ones for another seed', async () => {
    // Prepare
    const bodiesFor = async (seed: number): Promise<string[]> => {
      // A freshly generated site each time, so nothing is shared but the seed.
      const emulator = new JiraEmulator({ site: generateSite({ seed }), clock: new ManualClock(TEST_NOW) });
      const uninstall = installJiraOnly(emulator);
      try {
        const responses = [
          await getJson(route`/rest/api/3/project/search?maxResults=${100}&expand=${'insight'}`),
          await getJson(route`/rest/api/3/field`),
          await getJson(route`/rest/api/3/issuetype`),
          await getJson(route`/rest/api/3/status`),
          await searchPage({ jql: 'created >= -7d', fields: ['*all'], maxResults: 50 }),
          await countIssues('statusCategory = Done AND updated >= -30d'),
        ];
        return responses.map((response) => JSON.stringify(response.body));
      } finally {
        uninstall();
      }
    };

    // Act
    const first = await bodiesFor(11);
    const again = await bodiesFor(11);
    const other = await bodiesFor(12);

    // Assess
    expect(again).toEqual(first);
    expect(other[0]).not.toEqual(first[0]);
    expect(other[4]).not.toEqual(first[4]);
    expect(other[5]).not.toEqual(first[5]);
  });

  it('keeps creating issues as the clock advances', async () => {
    // Prepare
    jira = startJira();
    const since = '"2025-12-31 00:00"';
    const before = (await countIssues(`created >= ${since}`)).body.count;

    // Act
    jira.clock.advance(12 * HOUR);
    const after12h = (await countIssues(`created >= ${since}`)).body.count;
    jira.clock.advance(12 * HOUR);
    const after24h = (await countIssues(`created >= ${since}`)).body.count;

    // Assess
    expect(after12h).toBeGreaterThan(before);
    expect(after24h).toBeGreaterThan(after12h);
  });

  it('moves issues to their final status as time passes', async () => {
    // Prepare
    jira = startJira();
    const jql = 'statusCategory = Done AND created >= "2025-12-01 00:00" AND created < "2025-12-31 00:00"';
    const before = (await countIssues(jql)).body.count;

    // Act
    jira.clock.advance(30 * 24 * HOUR);
    const later = (await countIssues(jql)).body.count;

    // Assess
    expect(later).toBeGreaterThan(before);
  });

  it('a large site has thousands of projects, over a thousand custom fields, millions of issues', async () => {
    // Prepare
    jira = startJira({ size: 'large' });
    const queries = [
      'created >= -1d',
      'created >= "2020-01-01 00:00"',
      'statusCategory = Done AND updated >= -7d',
      'project in (10005, 10006, 10007) AND issuetype = Bug',
      'updated >= -12h AND statusCategory != Done',
    ];
    await countIssues('created >= -1h'); // warm the JIT once, like a long-lived site would be

    // Act
    const projects = await getJson(route`/rest/api/3/project/search?maxResults=${1}`);
    const fields = await getJson(route`/rest/api/3/field`);
    const counts: number[] = [];
    for (const jql of queries) counts.push((await countIssues(jql)).body.count);

    // Assess
    expect(projects.body.total).toBeGreaterThanOrEqual(1_000);
    expect(fields.body.filter((f: { custom: boolean }) => f.custom).length).toBeGreaterThan(1_000);
    expect(counts[1]).toBeGreaterThan(1_000_000); // created >= 2020: (nearly) the whole site
    expect(counts.every((c) => c > 0)).toBe(true);
  });

  it("pages a large site's search without materialising it", async () => {
    // Prepare
    jira = startJira({ size: 'large' });

    // Act
    const page = await searchPage({ jql: 'created >= "2020-01-01"', maxResults: 5000 });

    // Assess
    expect(page.body.issues).toHaveLength(5000);
    expect(page.body.isLast).toBe(false);
  });
});
