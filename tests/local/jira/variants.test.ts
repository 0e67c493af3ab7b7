import { ManualClock } from '../../../local/clock';
import { JiraEmulator } from '../../../local/jira';
import { siteFor, TEST_NOW } from './jira_harness';

/**
 * The Jira emulator's site parameters for what the docs leave to each site: which
 * projects the app's user may browse, and whether approximate-count takes an
 * open-ended date bound as bounded JQL.
 */

const USER = { provider: 'user', accountId: 'someone' };
const APP = { provider: 'app' };

function jira(variants: ConstructorParameters<typeof JiraEmulator>[0]['variants']) {
  const site = siteFor(5);
  return { site, emulator: new JiraEmulator({ site, clock: new ManualClock(TEST_NOW), variants }) };
}

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

const count = (jql: string) => ({ method: 'POST', body: JSON.stringify({ jql }) });

describe('asApp sees only the projects the app user may browse', () => {
  it('in project search, issue counts and issue search; a user still sees them all', async () => {
    const { site, emulator } = jira({ appBrowsableProjects: 3 });
    const visible = new Set(site.projects.slice(0, 3).map((p) => p.key));

    const appProjects = await json(await emulator.handle(APP, '/rest/api/3/project/search?maxResults=100'));
    const userProjects = await json(await emulator.handle(USER, '/rest/api/3/project/search?maxResults=100'));
    expect(appProjects.total).toBe(3);
    expect(userProjects.total).toBe(site.projects.length);

    const appCount = await json(
      await emulator.handle(APP, '/rest/api/3/search/approximate-count', count('created <= now()')),
    );
    const userCount = await json(
      await emulator.handle(USER, '/rest/api/3/search/approximate-count', count('created <= now()')),
    );
    expect(appCount.count).toBeLessThan(userCount.count as number);

    const search = await json(
      await emulator.handle(APP, '/rest/api/3/search/jql', {
        method: 'POST',
        body: JSON.stringify({ jql: 'created <= now()', maxResults: 100, fields: ['project'] }),
      }),
    );
    const keys = (search.issues as Array<{ key: string }>).map((i) => i.key.split('-')[0]);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => visible.has(k))).toBe(true);
  });
});

describe('approximate-count and open-ended JQL', () => {
  it.each([
    ['accepts', 200],
    ['refuses', 400],
  ] as const)('%s `created <= now()`; a lower-bounded query is always accepted', async (answer, status) => {
    const { emulator } = jira({ approximateCountOpenEnded: answer });
    expect((await emulator.handle(APP, '/rest/api/3/search/approximate-count', count('created <= now()'))).status).toBe(
      status,
    );
    expect((await emulator.handle(APP, '/rest/api/3/search/approximate-count', count('created >= -60m'))).status).toBe(
      200,
    );
  });
});
