import { route } from '@forge/api';
import { EmulatedJira, getJson, startJira } from './jira_harness';

describe('GET /rest/api/3/project/search', () => {
  let jira: EmulatedJira;
  afterEach(() => jira.uninstall());

  it('pages through every project once, with a stable total', async () => {
    // Prepare
    jira = startJira({ seed: 7 });
    const keys: string[] = [];
    const totals = new Set<number>();
    let startAt = 0;
    let isLast = false;

    // Act
    while (!isLast) {
      const page = await getJson(route`/rest/api/3/project/search?startAt=${startAt}&maxResults=${5}`);
      expect(page.status).toBe(200);
      keys.push(...page.body.values.map((p: { key: string }) => p.key));
      totals.add(page.body.total);
      isLast = page.body.isLast;
      startAt += page.body.maxResults;
    }

    // Assess
    expect([...totals]).toEqual([jira.emulator.site.projects.length]);
    expect(keys).toHaveLength(12);
    expect(new Set(keys).size).toBe(12);
    expect(keys).toEqual([...keys].sort()); // Jira's default orderBy is key
  });

  it('covers software, business and service desk projects and filters by typeKey', async () => {
    // Prepare
    jira = startJira({ seed: 7 });

    // Act
    const all = await getJson(route`/rest/api/3/project/search?maxResults=${100}`);
    const desks = await getJson(route`/rest/api/3/project/search?typeKey=${'service_desk'}&maxResults=${100}`);

    // Assess
    const types = new Set(all.body.values.map((p: { projectTypeKey: string }) => p.projectTypeKey));
    expect(types).toEqual(new Set(['software', 'business', 'service_desk']));
    expect(desks.body.total).toBeGreaterThan(0);
    expect(desks.body.total).toBeLessThan(all.body.total);
    expect(desks.body.values.every((p: { projectTypeKey: string }) => p.projectTypeKey === 'service_desk')).toBe(true);
  });

  it('caps a page at 100 projects and links the next page, as Jira does', async () => {
    // Prepare
    jira = startJira({ seed: 7, size: 'large' });

    // Act
    const page = await getJson(route`/rest/api/3/project/search?startAt=${0}&maxResults=${1000}`);

    // Assess
    expect(page.body.maxResults).toBe(100);
    expect(page.body.values).toHaveLength(100);
    expect(page.body.total).toBeGreaterThanOrEqual(1000);
    expect(page.body.isLast).toBe(false);
    expect(page.body.nextPage).toContain('startAt=100');
  });

  it("reports each project's issue count when insight is expanded", async () => {
    // Prepare
    jira = startJira({ seed: 7 });

    // Act
    const page = await getJson(route`/rest/api/3/project/search?maxResults=${100}&expand=${'insight'}`);

    // Assess
    const sum = page.body.values.reduce(
      (total: number, p: { insight: { totalIssueCount: number } }) => total + p.insight.totalIssueCount,
      0,
    );
    expect(sum).toBeGreaterThan(3_000); // the small preset holds ~4000 issues at calibration
    expect(sum).toBeLessThan(5_000);
  });
});
