import type { FieldDetails } from 'jira.js/dist/cloud/models/fieldDetails';
import type { IssueTypeDetails } from 'jira.js/dist/cloud/models/issueTypeDetails';
import type { JQLCountResults } from 'jira.js/dist/cloud/models/jqlCountResults';
import type { PageProject } from 'jira.js/dist/cloud/models/pageProject';
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

export function isApproximateCount(body: unknown): body is JQLCountResults & { count: number } {
  return isObject(body) && isCount(body.count);
}

export function isFieldList(body: unknown): body is Array<FieldDetails & { custom: boolean }> {
  return Array.isArray(body) && body.every((f) => isObject(f) && typeof f.custom === 'boolean');
}

export function isIssueTypeList(body: unknown): body is IssueTypeDetails[] {
  return Array.isArray(body) && body.every((t) => isObject(t) && typeof t.id === 'string');
}

export function isStatusList(body: unknown): body is StatusDetails[] {
  return Array.isArray(body) && body.every((s) => isObject(s) && typeof s.id === 'string');
}
