import type { FieldDetails } from 'jira.js/dist/cloud/models/fieldDetails';
import type { IssueTypeDetails } from 'jira.js/dist/cloud/models/issueTypeDetails';
import type { JQLCountResults } from 'jira.js/dist/cloud/models/jqlCountResults';
import type { PageProject } from 'jira.js/dist/cloud/models/pageProject';
import type { Project } from 'jira.js/dist/cloud/models/project';
import type { StatusDetails } from 'jira.js/dist/cloud/models/statusDetails';

/**
 * Shape checks for the Jira responses the report reads. The types are
 * jira.js's models of Jira Cloud's REST API (imported for types only, so they
 * cost the bundle nothing); the checks cover just the fields we take numbers
 * from, so they stay small and cold starts stay fast.
 */

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A page of projects with the `total` we read. */
export function isProjectPage(body: unknown): body is PageProject & { total: number } {
  return isObject(body) && isCount(body.total) && Array.isArray(body.values);
}

/** A project as the listing reads it: what names it, and Jira's insight when expanded. */
export interface ListedProjectJson {
  id: string;
  key: string;
  name: string;
  projectTypeKey?: Project['projectTypeKey'];
  /** As JSON carries it: jira.js's model holds the time as a Date it parsed. */
  insight?: { totalIssueCount?: number; lastIssueUpdateTime?: string };
}

function isListedProject(v: unknown): v is ListedProjectJson {
  if (!isObject(v) || typeof v.id !== 'string' || typeof v.key !== 'string' || typeof v.name !== 'string') return false;
  if (v.insight === undefined) return true;
  if (!isObject(v.insight)) return false;
  const { totalIssueCount, lastIssueUpdateTime } = v.insight;
  return (
    (totalIssueCount === undefined || isCount(totalIssueCount)) &&
    (lastIssueUpdateTime === undefined || typeof lastIssueUpdateTime === 'string')
  );
}

/** A page of the project listing: every project on it named, so none is silently skipped. */
export function isProjectListingPage(
  body: unknown,
): body is PageProject & { total: number; values: ListedProjectJson[] } {
  return isProjectPage(body) && (body.values as unknown[]).every(isListedProject);
}

/** Jira's datetime (`2026-01-01T10:00:00.000+0000`) as epoch ms; null when unreadable. */
export function jiraInstant(text: string | undefined): number | null {
  if (text === undefined) return null;
  const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(ms) ? ms : null;
}

export function isApproximateCount(body: unknown): body is JQLCountResults & { count: number } {
  return isObject(body) && isCount(body.count);
}

export function isFieldList(body: unknown): body is Array<FieldDetails & { id: string; custom: boolean }> {
  return (
    Array.isArray(body) && body.every((f) => isObject(f) && typeof f.custom === 'boolean' && typeof f.id === 'string')
  );
}

export function isIssueTypeList(body: unknown): body is Array<IssueTypeDetails & { id: string }> {
  return Array.isArray(body) && body.every((t) => isObject(t) && typeof t.id === 'string');
}

export function isStatusList(body: unknown): body is Array<StatusDetails & { id: string }> {
  return Array.isArray(body) && body.every((s) => isObject(s) && typeof s.id === 'string');
}
