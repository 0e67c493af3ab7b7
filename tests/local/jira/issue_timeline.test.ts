import fc from 'fast-check';
import { IssueQuery, ProjectTimeline } from '../../../local/jira/issue_timeline';

/**
 * The timeline counts analytically; this checks it against the definition,
 * issue by issue, through the per-issue accessors.
 */
describe('ProjectTimeline', () => {
  const shape = fc.record({
    firstCreatedAt: fc.integer({ min: 0, max: 10_000 }),
    intervalMs: fc.integer({ min: 1, max: 500 }),
    updateLagMs: fc.integer({ min: 0, max: 3_000 }),
    issueTypeIds: fc.array(fc.constantFrom('A', 'B', 'C'), { minLength: 1, maxLength: 6 }),
    initialStatusId: fc.constantFrom('todo', 'doing'),
    finalStatusIds: fc.array(fc.constantFrom('todo', 'doing', 'done'), { minLength: 1, maxLength: 5 }),
  });
  const bound = fc.option(fc.integer({ min: -1_000, max: 40_000 }), { nil: undefined });
  const queryParts = fc.record({
    createdFrom: bound,
    createdTo: bound,
    updatedFrom: bound,
    updatedTo: bound,
    types: fc.option(fc.subarray(['A', 'B', 'C']), { nil: undefined }),
    statuses: fc.option(fc.subarray(['todo', 'doing', 'done']), { nil: undefined }),
  });

  it('counts exactly the issues that exist and match, for any shape, query and instant', () => {
    fc.assert(
      fc.property(shape, queryParts, fc.integer({ min: 0, max: 40_000 }), (s, q, now) => {
        // Prepare
        const timeline = new ProjectTimeline(s);
        const query: IssueQuery = {
          projectIds: null,
          created: { from: q.createdFrom ?? -Infinity, to: q.createdTo ?? Infinity },
          updated: { from: q.updatedFrom ?? -Infinity, to: q.updatedTo ?? Infinity },
          accepts: (type, status) =>
            (!q.types || q.types.includes(type)) && (!q.statuses || q.statuses.includes(status)),
        };
        const inRange = (t: number, r: { from: number; to: number }): boolean => t >= r.from && t < r.to;

        // Act
        const counted = timeline.count(now, query);
        const listed = [...timeline.matching(now, query)];

        // Assess
        const expected: number[] = [];
        for (let n = 0; timeline.createdAt(n) <= now; n++) {
          const matches =
            inRange(timeline.createdAt(n), query.created) &&
            inRange(timeline.updatedAt(n, now), query.updated) &&
            query.accepts(timeline.issueTypeId(n), timeline.statusId(n, now));
          if (matches) expected.push(n);
        }
        expect(counted).toBe(expected.length);
        expect(listed).toEqual(expected);
        expect(timeline.issueCount(now)).toBe(Math.max(0, Math.floor((now - s.firstCreatedAt) / s.intervalMs) + 1));
      }),
      { numRuns: 300, seed: 20260101 },
    );
  });

  it('reports the latest update among existing issues', () => {
    fc.assert(
      fc.property(shape, fc.integer({ min: 0, max: 40_000 }), (s, now) => {
        // Prepare
        const timeline = new ProjectTimeline(s);

        // Act
        const latest = timeline.lastUpdatedAt(now);

        // Assess
        let expected: number | undefined;
        for (let n = 0; timeline.createdAt(n) <= now; n++)
          expected = Math.max(expected ?? -Infinity, timeline.updatedAt(n, now));
        expect(latest).toBe(expected);
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
