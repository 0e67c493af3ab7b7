import { route } from '@forge/api';
import { DAY_OF_CHANGES } from '../../../local/jira/site_changes';
import { countIssues, EmulatedJira, getJson, startJira, TEST_NOW } from './jira_harness';

/**
 * The emulated site's administrators at work: from the instant the emulator is
 * given (the app's installation), a project, a custom field, an issue type and
 * a status appear and a custom field goes, each at its set time, and every
 * endpoint answers from the site as it is at the request's instant.
 */

const HOUR = 3_600_000;
const MINUTE = 60_000;

let jira: EmulatedJira;
afterEach(() => jira.uninstall());

async function catalogue() {
  const projects = (await getJson(route`/rest/api/3/project/search?maxResults=${100}`)).body;
  const fields = (await getJson(route`/rest/api/3/field`)).body as Array<{ id: string; name: string; custom: boolean }>;
  const types = (await getJson(route`/rest/api/3/issuetype`)).body as Array<{ id: string; name: string }>;
  const statuses = (await getJson(route`/rest/api/3/status`)).body as Array<{ id: string; name: string }>;
  return {
    projects: projects.values as Array<{ id: string; key: string; name: string }>,
    total: projects.total as number,
    custom: fields.filter((f) => f.custom),
    types,
    statuses,
  };
}

describe("the site's day of configuration changes", () => {
  it('happens at the set times after the anchor, one change at a time', async () => {
    // Prepare
    jira = startJira({ configurationChangesFrom: TEST_NOW });
    const start = await catalogue();

    // Act: just before and just after each change.
    const seen = [];
    for (const { afterMs } of DAY_OF_CHANGES) {
      jira.clock.set(TEST_NOW + afterMs - 1);
      const before = await catalogue();
      jira.clock.set(TEST_NOW + afterMs);
      seen.push({ before, after: await catalogue() });
    }

    // Assess
    const names = (list: Array<{ name: string }>) => list.map((x) => x.name);
    const [project, field, type, status, deleted] = seen;
    expect(project.before.total).toBe(start.total);
    expect(project.after.total).toBe(start.total + 1);
    expect(project.after.projects.find((p) => p.key === 'LAUNCH')).toMatchObject({ name: 'Launch Readiness' });
    expect(names(field.after.custom)).toEqual([...names(field.before.custom), 'Release Risk']);
    expect(names(type.after.types)).toEqual([...names(type.before.types), 'Release']);
    expect(names(status.after.statuses)).toEqual([...names(status.before.statuses), 'Awaiting Deploy']);
    expect(deleted.after.custom).toHaveLength(deleted.before.custom.length - 1);
    const gone = deleted.before.custom.find((f) => !deleted.after.custom.some((g) => g.id === f.id))!;
    expect(gone.id).toMatch(/^customfield_\d+$/);
    expect(['Sprint', 'Rank', 'Story point estimate']).not.toContain(gone.name);
  });

  it('gives the new project issues from its creation, and JQL does not know it before', async () => {
    // Prepare
    jira = startJira({ configurationChangesFrom: TEST_NOW });
    const createdAt = TEST_NOW + DAY_OF_CHANGES[0].afterMs;

    // Act
    jira.clock.set(createdAt - MINUTE);
    const early = await countIssues('project = LAUNCH');
    jira.clock.set(createdAt + 2 * HOUR);
    const later = await countIssues('project = LAUNCH AND created >= -3h');

    // Assess
    expect(early.status).toBe(400);
    expect(early.body.errorMessages[0]).toMatch(/LAUNCH/);
    expect(later.status).toBe(200);
    expect(later.body.count).toBe(30); // one issue every four minutes, the first four minutes in
  });

  it('never happens without an anchor', async () => {
    // Prepare
    jira = startJira();
    const start = await catalogue();

    // Act
    jira.clock.set(TEST_NOW + 48 * HOUR);

    // Assess
    expect(await catalogue()).toEqual(start);
  });
});

describe('GET /rest/api/3/project/search orderBy', () => {
  it('orders by last issue update, most recent first with `-`, projects without issues last', async () => {
    // Prepare
    jira = startJira({ configurationChangesFrom: TEST_NOW - 13 * HOUR });

    // Act
    const page = await getJson(
      route`/rest/api/3/project/search?maxResults=${100}&orderBy=${'-lastIssueUpdatedDate'}&expand=${'insight'}`,
    );

    // Assess
    const values = page.body.values as Array<{ key: string; insight: { lastIssueUpdateTime?: string } }>;
    // The project created a moment ago has no issue yet: last, though its key sorts among the others.
    expect(values[values.length - 1]).toMatchObject({ key: 'LAUNCH', insight: { totalIssueCount: 0 } });
    const times = values.slice(0, -1).map((v) => Date.parse(v.insight.lastIssueUpdateTime!.replace('+0000', 'Z')));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set(times).size).toBeGreaterThan(1);
  });

  it('orders by issue count and by name, and keeps the parameters in the next page link', async () => {
    // Prepare
    jira = startJira();

    // Act
    const byCount = await getJson(
      route`/rest/api/3/project/search?maxResults=${5}&orderBy=${'issueCount'}&expand=${'insight'}`,
    );
    const byName = await getJson(route`/rest/api/3/project/search?maxResults=${100}&orderBy=${'name'}`);

    // Assess
    const counts = byCount.body.values.map((v: { insight: { totalIssueCount: number } }) => v.insight.totalIssueCount);
    expect(counts).toEqual([...counts].sort((a: number, b: number) => a - b));
    expect(byCount.body.nextPage).toMatch(/orderBy=issueCount/);
    expect(byCount.body.nextPage).toMatch(/expand=insight/);
    const names = byName.body.values.map((v: { name: string }) => v.name.toLowerCase());
    expect(names).toEqual([...names].sort());
  });
});
