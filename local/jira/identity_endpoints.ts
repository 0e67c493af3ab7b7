/**
 * Who is calling and what they may do: GET /myself and GET /mypermissions.
 *
 * An app calling asApp() acts as the app's own system user, which Forge grants
 * what the app's scopes allow; the emulator treats it as holding every
 * permission. A user (asUser) is a Jira administrator only when listed in the
 * emulator's `admins`, and can browse every project otherwise.
 */
import { Caller, Endpoint, intParam, JiraUser } from './endpoint';
import { errorBody, JsonObject } from './jira_json';
import { hashString } from '../prng';
import type { JiraSite } from './site';

interface PermissionDef {
  id: string;
  key: string;
  name: string;
  type: 'GLOBAL' | 'PROJECT';
  description: string;
  /** Only administrators hold it. */
  adminOnly: boolean;
}

const PERMISSIONS: readonly PermissionDef[] = [
  {
    id: '0',
    key: 'ADMINISTER',
    name: 'Administer Jira',
    type: 'GLOBAL',
    description:
      'Create and administer projects, issue types, fields, workflows, and schemes for all projects. ' +
      'Users with this permission can perform most administration tasks, except: managing users, importing data, and editing system email settings.',
    adminOnly: true,
  },
  {
    id: '44',
    key: 'SYSTEM_ADMIN',
    name: 'Jira System Administrator',
    type: 'GLOBAL',
    description:
      'Ability to perform all administration functions. There must be at least one group with this permission.',
    adminOnly: true,
  },
  {
    id: '10',
    key: 'BROWSE_PROJECTS',
    name: 'Browse Projects',
    type: 'PROJECT',
    description: 'Ability to browse projects and the issues within them.',
    adminOnly: false,
  },
  {
    id: '23',
    key: 'ADMINISTER_PROJECTS',
    name: 'Administer Projects',
    type: 'PROJECT',
    description: 'Ability to administer a project in Jira.',
    adminOnly: true,
  },
  {
    id: '27',
    key: 'USER_PICKER',
    name: 'Browse users and groups',
    type: 'GLOBAL',
    description:
      'View and select users or groups from the user picker, and share issues. Users with this permission can see the names of all users and groups on your site.',
    adminOnly: false,
  },
];

function holds(caller: Caller, permission: PermissionDef, admins: ReadonlySet<string>): boolean {
  switch (caller.kind) {
    case 'app':
      return true;
    case 'anonymous':
      return false;
    case 'user':
      return !permission.adminOnly || admins.has(caller.accountId);
  }
}

export const myPermissions: Endpoint = (request, { admins }) => {
  const requested = (request.url.searchParams.get('permissions') ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (requested.length === 0) {
    return { status: 400, body: errorBody(['The permissions query parameter is required.']) };
  }
  const permissions: JsonObject = {};
  for (const key of requested) {
    const permission = PERMISSIONS.find((p) => p.key === key);
    if (!permission) return { status: 400, body: errorBody([`Permission '${key}' does not exist.`]) };
    const { id, name, type, description } = permission;
    permissions[key] = { id, key, name, type, description, havePermission: holds(request.caller, permission, admins) };
  }
  return { status: 200, body: { permissions } };
};

export const myself: Endpoint = (request, { site, admins, users }) => {
  const { caller } = request;
  if (caller.kind === 'anonymous') {
    return {
      status: 401,
      body: errorBody(['You are not authenticated. Authentication required to perform this operation.']),
    };
  }
  const accountId = caller.kind === 'app' ? appAccountId(site) : caller.accountId;
  const isApp = caller.kind === 'app';
  const displayName = isApp
    ? 'Forge app'
    : (users.get(accountId)?.displayName ?? `Emulated user ${accountId.slice(-6)}`);
  return {
    status: 200,
    body: {
      self: `${site.baseUrl}/rest/api/3/user?accountId=${encodeURIComponent(accountId)}`,
      accountId,
      accountType: isApp ? 'app' : 'atlassian',
      ...(isApp ? {} : { emailAddress: `user-${accountId.slice(-6)}@example.com` }),
      avatarUrls: userAvatars(accountId),
      displayName,
      active: true,
      timeZone: 'Etc/UTC',
      locale: 'en_US',
      // Group membership: every user is in jira-users; administrators also in jira-admins.
      groups: { size: isApp ? 0 : admins.has(accountId) ? 2 : 1, items: [] },
      applicationRoles: { size: 1, items: [] },
      expand: 'groups,applicationRoles',
    },
  };
};

/** The app's system user is stable per site, like a real installation's. */
function appAccountId(site: JiraSite): string {
  return `712020:${hashString(`${site.baseUrl}#app`).toString(16).padStart(8, '0')}-forge-app`;
}

function userAvatars(accountId: string): JsonObject {
  const base = `https://secure.gravatar.com/avatar/${hashString(accountId).toString(16).padStart(8, '0')}?d=mm`;
  return { '48x48': `${base}&s=48`, '24x24': `${base}&s=24`, '16x16': `${base}&s=16`, '32x32': `${base}&s=32` };
}

/** The user API's answer for one person: what Jira returns for a known id, "Former user" for a closed one. */
function userJson(site: JiraSite, accountId: string, user: JiraUser): JsonObject {
  return {
    self: `${site.baseUrl}/rest/api/3/user?accountId=${encodeURIComponent(accountId)}`,
    accountId,
    accountType: 'atlassian',
    avatarUrls: userAvatars(accountId),
    displayName: user.closed ? 'Former user' : user.displayName,
    active: !user.closed,
  };
}

/**
 * GET /rest/api/3/user/bulk?accountId=…&accountId=…: the people with those ids,
 * a page of them (`maxResults`, default 10, at most 200). An id the site does not
 * know is left out, not an error. Needs a caller; any user may look people up
 * (Jira asks for "Browse users and groups", which every user here holds).
 */
export const usersBulk: Endpoint = (request, { site, users }) => {
  if (request.caller.kind === 'anonymous') {
    return {
      status: 401,
      body: errorBody(['You are not authenticated. Authentication required to perform this operation.']),
    };
  }
  const ids = request.url.searchParams.getAll('accountId').filter((id) => id.trim() !== '');
  if (ids.length === 0) return { status: 400, body: errorBody(['The accountId query parameter is required.']) };
  const startAt = Math.max(0, intParam(request.url, 'startAt', 0));
  const maxResults = Math.min(200, Math.max(1, intParam(request.url, 'maxResults', 10)));
  const known = [...new Set(ids)].filter((id) => users.has(id));
  const page = known.slice(startAt, startAt + maxResults);
  return {
    status: 200,
    body: {
      self: `${site.baseUrl}${request.url.pathname}${request.url.search}`,
      maxResults,
      startAt,
      total: known.length,
      isLast: startAt + page.length >= known.length,
      values: page.map((id) => userJson(site, id, users.get(id)!)),
    },
  };
};
