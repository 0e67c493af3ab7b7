/**
 * Site entities rendered as Jira Cloud REST v3 JSON. Field names and nesting
 * follow the v3 reference; the schema-conformance test validates every shape
 * here against the zod models jira.js publishes, in its strict audit mode, so
 * a key that Jira does not document cannot creep in.
 */
import type { SiteField, SiteIssueType, SiteProject, JiraSite } from './site';
import type { StatusCategoryDef, StatusDef } from './site_catalogue';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };
export type JsonObject = { [key: string]: Json | undefined };

/** What Jira answers, with 400, to a body that is not the JSON an endpoint expects. */
export const INVALID_PAYLOAD = 'Invalid request payload. Refer to the REST API documentation and try again.';

/** Jira's error envelope, used for every 4xx the emulator produces. */
export function errorBody(messages: string[], errors: Record<string, string> = {}): JsonObject {
  return { errorMessages: messages, errors };
}

/** Jira's datetime format: millisecond precision and a +0000 style offset (always UTC here). */
export function jiraDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

function avatarUrls(site: JiraSite, type: 'project' | 'issuetype', avatarId: number): JsonObject {
  const base = `${site.baseUrl}/rest/api/3/universal_avatar/view/type/${type}/avatar/${avatarId}`;
  return {
    '48x48': base,
    '24x24': `${base}?size=small`,
    '16x16': `${base}?size=xsmall`,
    '32x32': `${base}?size=medium`,
  };
}

/** A project as GET /project/search lists it. `insight` is only present when expanded. */
export function projectJson(site: JiraSite, project: SiteProject, insight?: { now: number }): JsonObject {
  const teamManaged = project.style === 'next-gen';
  const lastUpdate = insight && site.lastIssueUpdate(project, insight.now);
  return {
    expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight',
    self: `${site.baseUrl}/rest/api/3/project/${project.id}`,
    id: project.id,
    key: project.key,
    name: project.name,
    avatarUrls: avatarUrls(site, 'project', project.avatarId),
    projectTypeKey: project.typeKey,
    simplified: teamManaged,
    style: project.style,
    isPrivate: false,
    properties: {},
    ...(teamManaged ? { entityId: project.uuid, uuid: project.uuid } : {}),
    ...(insight
      ? {
          insight: {
            totalIssueCount: site.issueCount(project, insight.now),
            ...(lastUpdate === undefined ? {} : { lastIssueUpdateTime: jiraDateTime(lastUpdate) }),
          },
        }
      : {}),
  };
}

/** The short project form Jira embeds in issues and scopes. */
export function projectRefJson(site: JiraSite, project: SiteProject): JsonObject {
  return {
    self: `${site.baseUrl}/rest/api/3/project/${project.id}`,
    id: project.id,
    key: project.key,
    name: project.name,
    projectTypeKey: project.typeKey,
    simplified: project.style === 'next-gen',
    avatarUrls: avatarUrls(site, 'project', project.avatarId),
  };
}

function scopeJson(site: JiraSite, projectId: string | undefined): JsonObject {
  if (projectId === undefined) return {};
  const project = site.project(projectId);
  return { scope: { type: 'PROJECT', project: project ? { id: project.id } : { id: projectId } } };
}

export function fieldJson(site: JiraSite, field: SiteField): JsonObject {
  return {
    id: field.id,
    key: field.id,
    name: field.name,
    ...(field.custom ? { untranslatedName: field.name } : {}),
    custom: field.custom,
    orderable: field.orderable,
    navigable: field.navigable,
    searchable: field.searchable,
    clauseNames: field.clauseNames,
    ...(field.schema ? { schema: { ...field.schema } } : {}),
    ...scopeJson(site, field.scopeProjectId),
  };
}

export function issueTypeJson(site: JiraSite, type: SiteIssueType): JsonObject {
  return {
    self: `${site.baseUrl}/rest/api/3/issuetype/${type.id}`,
    id: type.id,
    description: type.description,
    iconUrl: `${site.baseUrl}/rest/api/2/universal_avatar/view/type/issuetype/avatar/${type.avatarId}?size=medium`,
    name: type.name,
    untranslatedName: type.name,
    subtask: type.subtask,
    avatarId: type.avatarId,
    hierarchyLevel: type.hierarchyLevel,
    ...(type.entityId ? { entityId: type.entityId } : {}),
    ...scopeJson(site, type.scopeProjectId),
  };
}

export function statusCategoryJson(site: JiraSite, category: StatusCategoryDef): JsonObject {
  return {
    self: `${site.baseUrl}/rest/api/3/statuscategory/${category.id}`,
    id: category.id,
    key: category.key,
    colorName: category.colorName,
    name: category.name,
  };
}

export function statusJson(site: JiraSite, status: StatusDef): JsonObject {
  const category = site.statusCategories.find((c) => c.id === status.categoryId);
  if (!category) throw new Error(`status ${status.id} has unknown category ${status.categoryId}`);
  return {
    self: `${site.baseUrl}/rest/api/3/status/${status.id}`,
    description: status.description,
    iconUrl: `${site.baseUrl}/images/icons/statuses/${status.icon}`,
    name: status.name,
    untranslatedName: status.name,
    id: status.id,
    statusCategory: statusCategoryJson(site, category),
  };
}
