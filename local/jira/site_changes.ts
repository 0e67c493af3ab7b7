/**
 * The site's administrators at work: a generated site is otherwise fixed, so a
 * report made 24 hours after installation would find exactly the configuration
 * the 12-hour one found, and the app's "what changed" section would never show
 * anything locally. From an instant the caller names (the app's installation),
 * the site changes at set times over the day: a busy project is created, a
 * custom field, an issue type and a status are added, and a custom field is
 * deleted. Each change makes a new JiraSite version; the emulator answers each
 * request from the version current at its `now`, so every endpoint stays a pure
 * function of (site, request, now).
 *
 * All changes fall between 12 h and 24 h after the anchor, so the 12-hour report
 * sees the generated site and the 24-hour report sees all five changes.
 */
import { ProjectTimeline } from './issue_timeline';
import { JiraSite, SiteField, SiteParts, SiteProject } from './site';
import { CUSTOM_FIELD_KINDS, ProjectTypeKey, StatusDef, WELL_KNOWN_CUSTOM_FIELDS, WORKFLOWS } from './site_catalogue';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export type SiteChange =
  | { kind: 'project-created'; name: string; key: string; typeKey: ProjectTypeKey; issueEveryMs: number }
  | { kind: 'custom-field-created'; name: string }
  | { kind: 'issue-type-created'; name: string }
  | { kind: 'status-created'; name: string; categoryId: number }
  | { kind: 'custom-field-deleted' };

/** What happens to the site, and when, counted from the anchor (the app's installation). */
export const DAY_OF_CHANGES: ReadonlyArray<{ afterMs: number; change: SiteChange }> = [
  {
    afterMs: 13 * HOUR,
    // A project that starts busy (an import, a launch): issues every few minutes, so it leads the activity list.
    change: {
      kind: 'project-created',
      name: 'Launch Readiness',
      key: 'LAUNCH',
      typeKey: 'software',
      issueEveryMs: 4 * MINUTE,
    },
  },
  { afterMs: 15 * HOUR, change: { kind: 'custom-field-created', name: 'Release Risk' } },
  { afterMs: 17 * HOUR, change: { kind: 'issue-type-created', name: 'Release' } },
  { afterMs: 18 * HOUR, change: { kind: 'status-created', name: 'Awaiting Deploy', categoryId: 4 } },
  { afterMs: 20 * HOUR, change: { kind: 'custom-field-deleted' } },
];

/** One version of the site and the instant it comes into effect. */
export interface SiteVersion {
  from: number;
  site: JiraSite;
}

function partsOf(site: JiraSite): SiteParts {
  return {
    seed: site.seed,
    spec: site.spec,
    baseUrl: site.baseUrl,
    calibratedAt: site.calibratedAt,
    projects: [...site.projects],
    fields: [...site.fields],
    issueTypes: [...site.issueTypes],
    statuses: [...site.statuses],
  };
}

/** The next free numeric id above every id of the list (ids like `10107` or `customfield_11200`). */
function nextId(ids: readonly string[], floor: number): number {
  let max = floor - 1;
  for (const id of ids) {
    const n = Number(id.replace(/^customfield_/, ''));
    if (Number.isInteger(n) && n > max) max = n;
  }
  return max + 1;
}

function uniqueName(taken: readonly { name: string }[], base: string): string {
  const names = new Set(taken.map((t) => t.name));
  let name = base;
  for (let i = 2; names.has(name); i++) name = `${base} ${i}`;
  return name;
}

function apply(parts: SiteParts, change: SiteChange, at: number): void {
  switch (change.kind) {
    case 'project-created': {
      const index = parts.projects.length;
      const workflow = WORKFLOWS[change.typeKey];
      const byName = <T extends { name: string; id: string }>(list: readonly T[], name: string) => {
        const found = list.find((item) => item.name === name);
        if (!found) throw new Error(`site catalogue has no entry named ${name}`);
        return found.id;
      };
      let key = change.key;
      for (let i = 2; parts.projects.some((p) => p.key === key); i++) key = `${change.key}${i}`;
      const project: SiteProject = {
        index,
        id: String(10_000 + index),
        key,
        name: uniqueName(parts.projects, change.name),
        typeKey: change.typeKey,
        style: 'classic',
        avatarId: 10_400,
        timeline: new ProjectTimeline({
          // The first issues arrive a few minutes after the project is created.
          firstCreatedAt: at + change.issueEveryMs,
          intervalMs: change.issueEveryMs,
          updateLagMs: 2 * HOUR,
          issueTypeIds: workflow.issueTypeNames.map((name) => byName(parts.issueTypes, name)),
          initialStatusId: byName(parts.statuses, workflow.initialStatusName),
          finalStatusIds: workflow.finalStatusNames.map((name) => byName(parts.statuses, name)),
        }),
      };
      parts.projects.push(project);
      return;
    }
    case 'custom-field-created': {
      const customId = nextId(
        parts.fields.filter((f) => f.custom).map((f) => f.id),
        10_000,
      );
      const kind = CUSTOM_FIELD_KINDS.find((k) => k.type === 'option') ?? CUSTOM_FIELD_KINDS[0];
      const name = uniqueName(parts.fields, change.name);
      const field: SiteField = {
        id: `customfield_${customId}`,
        name,
        custom: true,
        clauseNames: [`cf[${customId}]`, name, `${name}[${kind.label}]`],
        orderable: true,
        navigable: true,
        searchable: true,
        schema: { type: kind.type, custom: kind.custom, customId },
      };
      parts.fields.push(field);
      return;
    }
    case 'issue-type-created': {
      const id = String(
        nextId(
          parts.issueTypes.map((t) => t.id),
          10_100,
        ),
      );
      parts.issueTypes.push({
        id,
        name: uniqueName(parts.issueTypes, change.name),
        description: '',
        hierarchyLevel: 0,
        subtask: false,
        avatarId: 10_300,
      });
      return;
    }
    case 'status-created': {
      const status: StatusDef = {
        id: String(
          nextId(
            parts.statuses.map((s) => s.id),
            10_100,
          ),
        ),
        name: uniqueName(parts.statuses, change.name),
        description: '',
        categoryId: change.categoryId,
        icon: 'generic.png',
      };
      parts.statuses.push(status);
      return;
    }
    case 'custom-field-deleted': {
      // The oldest site-wide field an administrator made (not one Jira's apps bring, like Sprint or Rank).
      const firstGenerated = 10_000 + WELL_KNOWN_CUSTOM_FIELDS.length;
      const victim = parts.fields.find(
        (f) => f.custom && f.scopeProjectId === undefined && (f.schema?.customId ?? 0) >= firstGenerated,
      );
      if (victim) parts.fields = parts.fields.filter((f) => f !== victim);
      return;
    }
  }
}

/**
 * The site's versions when its administrators start making the day's changes at
 * `from`: the site as generated until the first change, then one version per
 * change, each holding every change before it.
 */
export function siteVersions(
  base: JiraSite,
  from: number,
  changes: ReadonlyArray<{ afterMs: number; change: SiteChange }> = DAY_OF_CHANGES,
): SiteVersion[] {
  const versions: SiteVersion[] = [{ from: -Infinity, site: base }];
  const parts = partsOf(base);
  for (const { afterMs, change } of [...changes].sort((a, b) => a.afterMs - b.afterMs)) {
    const at = from + afterMs;
    apply(parts, change, at);
    // Each version owns its lists: later changes must not reach back into it.
    const own = {
      ...parts,
      projects: [...parts.projects],
      fields: [...parts.fields],
      issueTypes: [...parts.issueTypes],
      statuses: [...parts.statuses],
    };
    versions.push({ from: at, site: new JiraSite(own) });
  }
  return versions;
}

/** The version in effect at `now`. */
export function versionAt(versions: readonly SiteVersion[], now: number): JiraSite {
  let current = versions[0].site;
  for (const v of versions) if (v.from <= now) current = v.site;
  return current;
}
