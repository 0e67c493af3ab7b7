import api, { route } from '@forge/api';
import { EmulatedJira, getJson, startJira } from './jira_harness';

describe('who is calling: mypermissions and myself', () => {
  let jira: EmulatedJira;
  beforeEach(() => {
    jira = startJira({ admins: ['admin-account-1'] });
  });
  afterEach(() => jira.uninstall());

  it.each([
    ['an administrator', 'admin-account-1', true],
    ['a regular user', 'user-account-2', false],
  ])('reports ADMINISTER for %s as %s', async (_who, accountId, expected) => {
    // Act
    const response = await getJson(route`/rest/api/3/mypermissions?permissions=${'ADMINISTER'}`, accountId);

    // Assess
    expect(response.status).toBe(200);
    expect(response.body.permissions.ADMINISTER).toEqual({
      id: '0',
      key: 'ADMINISTER',
      name: 'Administer Jira',
      type: 'GLOBAL',
      description: expect.any(String),
      havePermission: expected,
    });
  });

  it('grants the app itself ADMINISTER', async () => {
    // Act
    const response = await getJson(route`/rest/api/3/mypermissions?permissions=${'ADMINISTER,BROWSE_PROJECTS'}`);

    // Assess
    expect(response.body.permissions.ADMINISTER.havePermission).toBe(true);
    expect(response.body.permissions.BROWSE_PROJECTS.havePermission).toBe(true);
  });

  it('requires the permissions parameter, as Jira does', async () => {
    // Act
    const response = await getJson(route`/rest/api/3/mypermissions`, 'admin-account-1');

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.errorMessages).toEqual([expect.stringContaining('permissions')]);
  });

  it('describes the calling user on /myself', async () => {
    // Act
    const response = await getJson(route`/rest/api/3/myself`, 'user-account-2');

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ accountId: 'user-account-2', accountType: 'atlassian', active: true });
  });

  it('answers an unknown path with a Jira-style 404 that the app receives, not a throw', async () => {
    // Act
    const response = await api.asApp().requestJira(route`/rest/api/3/no-such-resource`);

    // Assess
    expect(response.status).toBe(404);
    expect((await response.json()).errorMessages).toEqual([expect.stringContaining('/rest/api/3/no-such-resource')]);
  });

  it('answers 405 for a known path with a method it does not serve', async () => {
    // Act
    const response = await api.asApp().requestJira(route`/rest/api/3/field`, { method: 'DELETE' });

    // Assess
    expect(response.status).toBe(405);
  });
});

describe('people by account id: GET /rest/api/3/user/bulk', () => {
  let jira: EmulatedJira;
  beforeEach(() => {
    jira = startJira({
      users: { 'acc-1': { displayName: 'Avery Admin' }, 'acc-2': { displayName: 'Robin Root', closed: true } },
    });
  });
  afterEach(() => jira.uninstall());

  it('names the people it knows, "Former user" for a closed account, and leaves unknown ids out', async () => {
    // Act
    const query = new URLSearchParams([
      ['accountId', 'acc-1'],
      ['accountId', 'acc-2'],
      ['accountId', 'nobody'],
    ]);
    const response = await getJson(route`/rest/api/3/user/bulk?${query}`, 'acc-1');

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ startAt: 0, maxResults: 10, total: 2, isLast: true });
    expect(response.body.values).toEqual([
      expect.objectContaining({ accountId: 'acc-1', displayName: 'Avery Admin', active: true }),
      expect.objectContaining({ accountId: 'acc-2', displayName: 'Former user', active: false }),
    ]);
    expect(response.body.values[0].avatarUrls['48x48']).toMatch(/^https:\/\//);
  });

  it('pages by maxResults and needs at least one accountId', async () => {
    // Act
    const page = await getJson(route`/rest/api/3/user/bulk?accountId=${'acc-1'}&accountId=${'acc-2'}&maxResults=${1}`);
    const none = await getJson(route`/rest/api/3/user/bulk`);

    // Assess
    expect(page.body).toMatchObject({ maxResults: 1, total: 2, isLast: false });
    expect(page.body.values).toHaveLength(1);
    expect(none.status).toBe(400);
  });
});
