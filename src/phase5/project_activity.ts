import { route } from '@forge/api';
import type { JiraReader, JiraResult } from './jira_reader';
import { isApproximateCount } from './jira_shapes';
import type { ActiveProject, ProjectActivity } from './report';

/**
 * The most active projects since installation. Counting issues per project
 * costs two requests a project, so which projects to count is decided first,
 * for free, from what the project listing already holds: Jira's project insight
 * gives each project's last issue update, and a project whose issues have not
 * changed since installation has nothing to count. When more projects were
 * active than the budget can count, the ones counted are picked by their growth
 * since the 12-hour report (its listing kept every project's issue count) or,
 * without one, by their most recent change; the report then says it sampled.
 */

/** A project as the listing (project search with `expand=insight`) gave it. */
export interface ListedProject {
  id: string;
  key: string;
  name: string;
  type: string;
  /** Jira's insight: issues in the project, and when one last changed (epoch ms). */
  issueCount: number | null;
  lastIssueUpdate: number | null;
}

export interface ActivityPlan {
  /** Projects active since installation, among those listed. */
  active: number;
  /** The ones to count, in the order they were picked. */
  counted: ListedProject[];
  selection: ProjectActivity['selection'];
  pickedBy: ProjectActivity['picked_by'];
}

/**
 * Which active projects to count, at most `room`. Pure. `earlierCounts` is the
 * 12-hour report's issue count per project id; a project it does not hold is
 * new since then and grew from zero.
 */
export function planActivity(
  listed: readonly ListedProject[],
  installedAt: number,
  room: number,
  earlierCounts: ReadonlyMap<string, number> | null,
): ActivityPlan {
  const active = listed.filter((p) => p.lastIssueUpdate !== null && p.lastIssueUpdate >= installedAt);
  const recent = (a: ListedProject, b: ListedProject) => (b.lastIssueUpdate ?? 0) - (a.lastIssueUpdate ?? 0);
  if (active.length <= room) {
    return { active: active.length, counted: [...active].sort(recent), selection: 'all_active', pickedBy: null };
  }
  if (earlierCounts) {
    const growth = (p: ListedProject) => (p.issueCount ?? 0) - (earlierCounts.get(p.id) ?? 0);
    const picked = [...active].sort((a, b) => growth(b) - growth(a) || recent(a, b)).slice(0, room);
    return { active: active.length, counted: picked, selection: 'sampled', pickedBy: 'growth_since_12h' };
  }
  return {
    active: active.length,
    counted: [...active].sort(recent).slice(0, Math.max(0, room)),
    selection: 'sampled',
    pickedBy: 'last_update',
  };
}

/** Most updated first, then most created, then by key: the order the report lists them in. */
export function byActivity(a: ActiveProject, b: ActiveProject): number {
  return (
    (b.updated_since_install ?? -1) - (a.updated_since_install ?? -1) ||
    (b.created_since_install ?? -1) - (a.created_since_install ?? -1) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}

/**
 * Counts issues created and updated since installation in each planned project,
 * with the same bounded, relative JQL the site-wide counts use.
 */
export async function countActivity(
  jira: JiraReader,
  projects: readonly ListedProject[],
  window: string,
): Promise<{ projects: ActiveProject[]; results: Array<JiraResult<unknown>> }> {
  const count = (jql: string) => jira.post(route`/rest/api/3/search/approximate-count`, { jql }, isApproximateCount);
  const counted = await Promise.all(
    projects.map(async (p) => {
      const [created, updated] = await Promise.all([
        count(`project = ${p.id} AND created >= ${window}`),
        count(`project = ${p.id} AND updated >= ${window}`),
      ]);
      const row: ActiveProject = {
        id: p.id,
        key: p.key,
        name: p.name,
        type: p.type,
        created_since_install: created.ok ? created.value.count : null,
        updated_since_install: updated.ok ? updated.value.count : null,
        last_issue_update: p.lastIssueUpdate === null ? null : new Date(p.lastIssueUpdate).toISOString(),
      };
      return { row, results: [created, updated] };
    }),
  );
  return { projects: counted.map((c) => c.row).sort(byActivity), results: counted.flatMap((c) => c.results) };
}
