import { parseJql, JqlError } from '../../../local/jira/jql_parser';
import { parseJqlDate } from '../../../local/jira/jql_dates';

describe('JQL parsing', () => {
  it('reads AND-joined clauses, IN lists, quoted values and ORDER BY', () => {
    // Act
    const query = parseJql(
      'project in (ABC, "10001") AND "issuetype" != Bug && created >= "2025-01-02 03:04" ORDER BY created DESC, key',
    );

    // Assess
    expect(query.clauses).toEqual([
      {
        field: 'project',
        operator: 'in',
        values: [
          { kind: 'literal', text: 'ABC' },
          { kind: 'literal', text: '10001' },
        ],
      },
      { field: 'issuetype', operator: '!=', values: [{ kind: 'literal', text: 'Bug' }] },
      { field: 'created', operator: '>=', values: [{ kind: 'literal', text: '2025-01-02 03:04' }] },
    ]);
    expect(query.orderBy).toEqual([
      { field: 'created', direction: 'desc' },
      { field: 'key', direction: 'asc' },
    ]);
  });

  it('treats a query of only ORDER BY as having no clauses (unbounded)', () => {
    expect(parseJql('order by created').clauses).toEqual([]);
    expect(parseJql('').clauses).toEqual([]);
  });

  it('reports where a syntax error is, as Jira does', () => {
    expect(() => parseJql('project = ABC status = Done')).toThrow(
      new JqlError("Error in the JQL Query: Expecting either 'OR' or 'AND' but got 'status'. (line 1, character 15)"),
    );
    expect(() => parseJql('project = "ABC')).toThrow(/has not been completed/);
    expect(() => parseJql('project ABC')).toThrow(/Expecting operator but got 'ABC'/);
  });

  it('rejects OR, NOT and parentheses explicitly instead of evaluating something else', () => {
    expect(() => parseJql('project = A OR project = B')).toThrow(/does not evaluate 'OR'/);
    expect(() => parseJql('NOT project = A')).toThrow(/does not evaluate 'NOT'/);
    expect(() => parseJql('(project = A)')).toThrow(/parenthesised groups/);
  });
});

describe('JQL dates', () => {
  const now = Date.UTC(2026, 0, 10, 12, 0);

  it.each([
    ['2025-03-04 05:06', Date.UTC(2025, 2, 4, 5, 6)],
    ['2025/03/04 05:06', Date.UTC(2025, 2, 4, 5, 6)],
    ['2025-03-04', Date.UTC(2025, 2, 4)],
    ['-12h', now - 12 * 3_600_000],
    ['-720m', now - 12 * 3_600_000],
    ['-1d', now - 86_400_000],
    ['-4w 2d', now - 30 * 86_400_000],
    ['1w', now + 7 * 86_400_000],
  ])('reads %j', (text, expected) => {
    expect(parseJqlDate(text, now)).toBe(expected);
  });

  it.each(['2025-02-30', '2025-13-01', 'yesterday', '-1y', '2025-01-01 24:00'])('rejects %j', (text) => {
    expect(parseJqlDate(text, now)).toBeUndefined();
  });
});
