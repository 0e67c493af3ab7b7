/**
 * Issues as search/jql returns them, honouring its `fields` parameter.
 *
 * search/jql returns only issue ids unless fields are asked for, and Jira lets
 * the page size shrink when many fields are requested; the selection therefore
 * also decides the page-size cap (see pageLimit).
 */
import { DONE_RESOLUTION, PRIORITIES, WORDS } from './site_catalogue';
import { hashUnit } from '../prng';
import { issueTypeJson, jiraDateTime, JsonObject, projectRefJson, statusJson } from './jira_json';
import type { JiraSite, SiteIssue } from './site';

export interface FieldSelection {
  /** True when nothing beyond `id` was asked for: issues render as {id} only. */
  idsOnly: boolean;
  /** Field ids to render inside `fields`. */
  fields: string[];
}

/** Fields the emulator renders with values; other known fields render as null. */
const RENDERED = [
  'summary',
  'issuetype',
  'project',
  'status',
  'created',
  'updated',
  'statuscategorychangedate',
  'priority',
  'labels',
  'assignee',
  'reporter',
  'resolution',
  'resolutiondate',
] as const;

/**
 * Parses `fields` as Jira does: entries may be comma-separated, `*all` and
 * `*navigable` expand (here to the rendered fields), `-name` excludes, and
 * fields the site does not have are ignored.
 */
export function parseFieldSelection(site: JiraSite, raw: readonly string[] | undefined): FieldSelection {
  const entries = (raw ?? [])
    .flatMap((entry) => entry.split(','))
    .map((e) => e.trim())
    .filter(Boolean);
  const include = new Set<string>();
  const exclude = new Set<string>();
  const known = new Set(site.fields.map((f) => f.id));
  for (const entry of entries) {
    if (entry.startsWith('-')) exclude.add(entry.slice(1));
    else if (entry === '*all' || entry === '*navigable') RENDERED.forEach((f) => include.add(f));
    else if (entry === 'key' || entry === 'id' || known.has(entry)) include.add(entry);
  }
  const fields = [...include].filter((f) => !exclude.has(f) && f !== 'id' && f !== 'key' && f !== 'issuekey');
  const idsOnly = fields.length === 0 && !include.has('key');
  return { idsOnly, fields };
}

/** Jira serves up to 5000 ids per page, but far fewer issues once fields are included. */
export function pageLimit(selection: FieldSelection, requested: number): number {
  return Math.min(requested, selection.fields.length > 0 ? 100 : 5_000);
}

export function issueJson(site: JiraSite, issue: SiteIssue, selection: FieldSelection): JsonObject {
  if (selection.idsOnly) return { id: issue.id };
  const fields: JsonObject = {};
  for (const id of selection.fields) fields[id] = fieldValue(site, issue, id);
  return {
    expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
    id: issue.id,
    self: `${site.baseUrl}/rest/api/3/issue/${issue.id}`,
    key: issue.key,
    fields,
  };
}

function fieldValue(site: JiraSite, issue: SiteIssue, id: string): JsonObject[string] {
  const status = site.status(issue.statusId);
  const done = status.categoryId === 3;
  switch (id) {
    case 'summary':
      return summary(issue);
    case 'issuetype': {
      const type = site.issueTypes.find((t) => t.id === issue.issueTypeId);
      return type ? issueTypeJson(site, type) : null;
    }
    case 'project':
      return projectRefJson(site, issue.project);
    case 'status':
      return statusJson(site, status);
    case 'created':
      return jiraDateTime(issue.createdAt);
    case 'updated':
      return jiraDateTime(issue.updatedAt);
    case 'statuscategorychangedate': {
      const initial = site.status(issue.project.timeline.initialStatusId);
      return jiraDateTime(initial.categoryId === status.categoryId ? issue.createdAt : issue.updatedAt);
    }
    case 'priority': {
      const priority = PRIORITIES[Math.floor(hashUnit(site.seed, issue.project.index, issue.n, 1) * PRIORITIES.length)];
      return {
        self: `${site.baseUrl}/rest/api/3/priority/${priority.id}`,
        iconUrl: `${site.baseUrl}/images/icons/priorities/${priority.icon}`,
        name: priority.name,
        id: priority.id,
      };
    }
    case 'labels':
      return [];
    case 'resolution':
      return done ? { self: `${site.baseUrl}/rest/api/3/resolution/${DONE_RESOLUTION.id}`, ...DONE_RESOLUTION } : null;
    case 'resolutiondate':
      return done ? jiraDateTime(issue.updatedAt) : null;
    default:
      return null;
  }
}

function summary(issue: SiteIssue): string {
  const pick = <T>(items: readonly T[], salt: number): T =>
    items[Math.floor(hashUnit(issue.project.index, issue.n, salt) * items.length)];
  return `${pick(WORDS.verbs, 2)} ${pick(WORDS.nouns, 3).toLowerCase()} ${pick(WORDS.fieldTopics, 4).toLowerCase()}`;
}
