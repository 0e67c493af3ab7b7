/**
 * Turns parsed JQL into an IssueQuery against one site at one instant:
 * names and keys become ids, relative dates become instants, and every clause
 * narrows a set or a time range (clauses are AND-joined, so narrowing is all
 * there is). Jira's own messages are used for the mistakes Jira would report:
 * unknown fields, unknown values, bad dates, operators a field does not take.
 */
import { ALL_TIME, IssueQuery, TimeRange } from './issue_timeline';
import { invalidDateMessage, parseJqlDate } from './jql_dates';
import { JqlClause, JqlError, JqlValue, parseJql } from './jql_parser';
import { JiraSite } from './site';

export interface CompiledJql {
  query: IssueQuery;
  /** Whether the JQL has any search restriction; Jira refuses unbounded JQL on the search endpoints. */
  bounded: boolean;
}

type SetField = 'project' | 'issuetype' | 'status' | 'statusCategory';
type DateField = 'created' | 'updated';

/** Clause names the emulator evaluates, lower-cased, with their canonical field. */
const EVALUATED: Record<string, SetField | DateField> = {
  project: 'project',
  issuetype: 'issuetype',
  type: 'issuetype',
  status: 'status',
  statuscategory: 'statusCategory',
  created: 'created',
  createddate: 'created',
  updated: 'updated',
  updateddate: 'updated',
};

export function compileJql(jql: string, site: JiraSite, now: number): CompiledJql {
  const parsed = parseJql(jql);
  const sets: Partial<Record<SetField, Set<string>>> = {};
  const ranges: Record<DateField, TimeRange> = { created: { ...ALL_TIME }, updated: { ...ALL_TIME } };

  for (const clause of parsed.clauses) {
    const field = EVALUATED[clause.field.toLowerCase()];
    if (!field) throw unknownField(clause.field, site);
    if (field === 'created' || field === 'updated') {
      narrowRange(ranges[field], clause, now);
    } else {
      const matched = resolveSet(site, field, clause);
      const previous = sets[field];
      sets[field] = previous ? new Set([...previous].filter((id) => matched.has(id))) : matched;
    }
  }

  const { issuetype: types, status: statuses, statusCategory: categories } = sets;
  const query: IssueQuery = {
    projectIds: sets.project ?? null,
    created: ranges.created,
    updated: ranges.updated,
    accepts: (issueTypeId, statusId) =>
      (!types || types.has(issueTypeId)) &&
      (!statuses || statuses.has(statusId)) &&
      (!categories || categories.has(String(site.status(statusId).categoryId))),
  };
  return { query, bounded: parsed.clauses.length > 0 };
}

function unknownField(name: string, site: JiraSite): JqlError {
  if (site.hasClauseName(name)) {
    return new JqlError(
      `The Jira emulator does not evaluate the field '${name}'; it supports project, issuetype, status, statusCategory, created and updated.`,
    );
  }
  return new JqlError(`Field '${name}' does not exist or you do not have permission to view it.`);
}

function unsupportedOperator(clause: JqlClause): JqlError {
  return new JqlError(
    `The operator '${clause.operator.toUpperCase()}' is not supported by the '${clause.field}' field.`,
  );
}

function literal(value: JqlValue, clause: JqlClause): string {
  if (value.kind === 'literal') return value.text;
  if (value.kind === 'function') return rejectFunction(value.name);
  throw new JqlError(`The Jira emulator does not evaluate EMPTY for the field '${clause.field}'.`);
}

function rejectFunction(name: string): never {
  throw new JqlError(`The Jira emulator does not evaluate the JQL function '${name}()'.`);
}

/** The ids a set clause admits: its values for = and IN, everything else for != and NOT IN. */
function resolveSet(site: JiraSite, field: SetField, clause: JqlClause): Set<string> {
  const negated = clause.operator === '!=' || clause.operator === 'not in';
  if (!negated && clause.operator !== '=' && clause.operator !== 'in') throw unsupportedOperator(clause);
  const named = new Set(
    clause.values.map((value) => {
      const text = literal(value, clause);
      const id = lookup(site, field, text);
      if (id === undefined) throw new JqlError(`The value '${text}' does not exist for the field '${clause.field}'.`);
      return id;
    }),
  );
  if (!negated) return named;
  return new Set(universe(site, field).filter((id) => !named.has(id)));
}

function lookup(site: JiraSite, field: SetField, text: string): string | undefined {
  const lower = text.toLowerCase();
  switch (field) {
    case 'project':
      return (site.project(text) ?? site.projects.find((p) => p.name.toLowerCase() === lower))?.id;
    case 'issuetype':
      return site.issueTypes.find((t) => t.id === text || t.name.toLowerCase() === lower)?.id;
    case 'status':
      return site.statuses.find((s) => s.id === text || s.name.toLowerCase() === lower)?.id;
    case 'statusCategory': {
      const category = site.statusCategories.find(
        (c) => String(c.id) === text || c.key === lower || c.name.toLowerCase() === lower,
      );
      return category && String(category.id);
    }
  }
}

function universe(site: JiraSite, field: SetField): string[] {
  switch (field) {
    case 'project':
      return site.projects.map((p) => p.id);
    case 'issuetype':
      return site.issueTypes.map((t) => t.id);
    case 'status':
      return site.statuses.map((s) => s.id);
    case 'statusCategory':
      return site.statusCategories.map((c) => String(c.id));
  }
}

/** Narrows [from, to) by one comparison; `>` and `<=` step by a millisecond, Jira's resolution. */
function narrowRange(range: TimeRange, clause: JqlClause, now: number): void {
  const value = clause.values[0];
  let at: number | undefined;
  if (value.kind === 'function') {
    if (value.name.toLowerCase() !== 'now') rejectFunction(value.name);
    at = now;
  } else {
    const text = literal(value, clause);
    at = parseJqlDate(text, now);
    if (at === undefined) throw new JqlError(invalidDateMessage(text, clause.field));
  }
  switch (clause.operator) {
    case '>=':
      range.from = Math.max(range.from, at);
      return;
    case '>':
      range.from = Math.max(range.from, at + 1);
      return;
    case '<':
      range.to = Math.min(range.to, at);
      return;
    case '<=':
      range.to = Math.min(range.to, at + 1);
      return;
    case '=':
      range.from = Math.max(range.from, at);
      range.to = Math.min(range.to, at + 1);
      return;
    default:
      throw unsupportedOperator(clause);
  }
}
