/**
 * A deterministic, generated Jira Cloud site: projects, fields, issue types,
 * statuses and an issue history, all derived from a seed and a size spec.
 *
 * Issues are never stored. Each project carries a ProjectTimeline (see
 * issue_timeline.ts): a steady creation rate from the project's first issue
 * onwards, so the site at any instant `now` is a pure function of
 * (seed, spec, now). The site holds no clock; the emulator passes `now` in.
 *
 * Calibration: `spec.issues` is the number of issues the site holds at
 * `calibratedAt` (default 2026-01-01T00:00Z), spread over `spec.historyDays`
 * before it. Creation continues at the same per-project rates afterwards, so a
 * clock after calibratedAt sees proportionally more issues.
 */
import type { IssueQuery, ProjectTimeline } from './issue_timeline';
import { generateSiteParts } from './site_generator';
import {
  FieldSchemaDef,
  IssueTypeDef,
  ProjectTypeKey,
  STATUS_CATEGORIES,
  StatusCategoryDef,
  StatusDef,
} from './site_catalogue';

export interface SiteSpec {
  projects: number;
  customFields: number;
  /** Issue types on the site; at least the 7 built-in ones are always present. */
  issueTypes: number;
  /** Statuses on the site; at least the 11 built-in ones are always present. */
  statuses: number;
  /** Issues on the whole site at `calibratedAt`. */
  issues: number;
  /** How long before `calibratedAt` the first issue was created. */
  historyDays: number;
}

export const SITE_PRESETS = {
  small: { projects: 12, customFields: 40, issueTypes: 7, statuses: 11, issues: 4_000, historyDays: 365 },
  large: {
    projects: 3_000,
    customFields: 1_200,
    issueTypes: 40,
    statuses: 60,
    issues: 5_000_000,
    historyDays: 5 * 365,
  },
} as const satisfies Record<string, SiteSpec>;

export type SitePreset = keyof typeof SITE_PRESETS;

export const DEFAULT_CALIBRATED_AT = Date.UTC(2026, 0, 1);

export interface SiteOptions {
  seed: number;
  size?: SitePreset | SiteSpec;
  calibratedAt?: number;
  /** e.g. https://acme.atlassian.net; defaults to one derived from the seed. */
  baseUrl?: string;
}

export interface SiteProject {
  /** Position in id order; also the order search/jql walks projects in. */
  index: number;
  id: string;
  key: string;
  name: string;
  typeKey: ProjectTypeKey;
  /** Team-managed ("next-gen") projects are simplified and carry a uuid. */
  style: 'classic' | 'next-gen';
  uuid?: string;
  avatarId: number;
  timeline: ProjectTimeline;
}

export interface SiteField {
  id: string;
  name: string;
  custom: boolean;
  clauseNames: string[];
  orderable: boolean;
  navigable: boolean;
  searchable: boolean;
  schema?: FieldSchemaDef;
  /** Set for fields that belong to one team-managed project. */
  scopeProjectId?: string;
}

export interface SiteIssueType extends IssueTypeDef {
  scopeProjectId?: string;
  entityId?: string;
}

/** One issue, rendered on demand from its project's timeline. */
export interface SiteIssue {
  id: string;
  key: string;
  project: SiteProject;
  n: number;
  createdAt: number;
  updatedAt: number;
  issueTypeId: string;
  statusId: string;
}

/** Where search/jql resumes: the next issue number to consider in a project. */
export interface IssueCursor {
  projectIndex: number;
  n: number;
}

/**
 * Issue ids are `(project index + 1) * ISSUE_ID_STRIDE + n`: unique without a
 * global counter, and still below 2^53 for 90 000 projects.
 */
const ISSUE_ID_STRIDE = 100_000_000;

/** Everything a site is made of; what the generator produces. */
export interface SiteParts {
  seed: number;
  spec: SiteSpec;
  baseUrl: string;
  calibratedAt: number;
  projects: SiteProject[];
  fields: SiteField[];
  issueTypes: SiteIssueType[];
  statuses: StatusDef[];
}

export class JiraSite {
  readonly seed: number;
  readonly spec: SiteSpec;
  readonly baseUrl: string;
  readonly calibratedAt: number;
  /** Projects in id order. */
  readonly projects: readonly SiteProject[];
  /** Projects in key order: GET /project/search's default `orderBy=key`. */
  readonly projectsByKey: readonly SiteProject[];
  /** System fields followed by custom fields, as GET /field lists them. */
  readonly fields: readonly SiteField[];
  readonly issueTypes: readonly SiteIssueType[];
  readonly statuses: readonly StatusDef[];
  readonly statusCategories: readonly StatusCategoryDef[] = STATUS_CATEGORIES;

  private readonly projectLookup = new Map<string, SiteProject>();
  private readonly statusById = new Map<string, StatusDef>();
  private readonly clauseNames = new Set<string>();

  constructor(parts: SiteParts) {
    this.seed = parts.seed;
    this.spec = parts.spec;
    this.baseUrl = parts.baseUrl;
    this.calibratedAt = parts.calibratedAt;
    this.projects = parts.projects;
    this.projectsByKey = [...parts.projects].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.fields = parts.fields;
    this.issueTypes = parts.issueTypes;
    this.statuses = parts.statuses;
    for (const project of parts.projects) {
      this.projectLookup.set(project.id, project);
      this.projectLookup.set(project.key, project);
    }
    for (const status of parts.statuses) this.statusById.set(status.id, status);
    for (const field of parts.fields) for (const name of field.clauseNames) this.clauseNames.add(name.toLowerCase());
  }

  /** By id or key (keys are matched case-insensitively, as JQL does). */
  project(idOrKey: string): SiteProject | undefined {
    return this.projectLookup.get(idOrKey) ?? this.projectLookup.get(idOrKey.toUpperCase());
  }

  /** Whether some field on the site answers to this JQL clause name (case-insensitive). */
  hasClauseName(name: string): boolean {
    return this.clauseNames.has(name.toLowerCase());
  }

  status(id: string): StatusDef {
    const status = this.statusById.get(id);
    if (!status) throw new Error(`unknown status id ${id}`);
    return status;
  }

  /** How many issues match `query` at `now`; exact, computed from the timelines. */
  countIssues(query: IssueQuery, now: number): number {
    let total = 0;
    for (const project of this.projectsIn(query)) total += project.timeline.count(now, query);
    return total;
  }

  /** Issues in `project` at `now`, i.e. what Jira reports as the project's totalIssueCount. */
  issueCount(project: SiteProject, now: number): number {
    return project.timeline.issueCount(now);
  }

  /**
   * Up to `limit` matching issues from `from` on, in project-id then creation
   * order, and the cursor of the next match if there is one.
   */
  pageIssues(
    query: IssueQuery,
    now: number,
    from: IssueCursor,
    limit: number,
  ): { issues: SiteIssue[]; next?: IssueCursor } {
    const issues: SiteIssue[] = [];
    for (const project of this.projectsIn(query)) {
      if (project.index < from.projectIndex) continue;
      const fromN = project.index === from.projectIndex ? from.n : 0;
      for (const n of project.timeline.matching(now, query, fromN)) {
        if (issues.length === limit) return { issues, next: { projectIndex: project.index, n } };
        issues.push(this.issue(project, n, now));
      }
    }
    return { issues };
  }

  issue(project: SiteProject, n: number, now: number): SiteIssue {
    const timeline = project.timeline;
    return {
      id: String((project.index + 1) * ISSUE_ID_STRIDE + n),
      key: `${project.key}-${n + 1}`,
      project,
      n,
      createdAt: timeline.createdAt(n),
      updatedAt: timeline.updatedAt(n, now),
      issueTypeId: timeline.issueTypeId(n),
      statusId: timeline.statusId(n, now),
    };
  }

  /** The latest `updated` of any issue in the project, or undefined if it has none yet. */
  lastIssueUpdate(project: SiteProject, now: number): number | undefined {
    return project.timeline.lastUpdatedAt(now);
  }

  private projectsIn(query: IssueQuery): readonly SiteProject[] {
    if (!query.projectIds) return this.projects;
    const selected: SiteProject[] = [];
    for (const id of query.projectIds) {
      const project = this.projectLookup.get(id);
      if (project) selected.push(project);
    }
    return selected.sort((a, b) => a.index - b.index);
  }
}

/** Builds the site for a seed. Same options, same site, byte for byte. */
export function generateSite(options: SiteOptions): JiraSite {
  const seed = Math.trunc(options.seed);
  return new JiraSite(
    generateSiteParts({
      seed,
      spec: typeof options.size === 'object' ? options.size : SITE_PRESETS[options.size ?? 'small'],
      calibratedAt: options.calibratedAt ?? DEFAULT_CALIBRATED_AT,
      baseUrl: options.baseUrl ?? `https://emulated-${(seed >>> 0).toString(36)}.atlassian.net`,
    }),
  );
}
