/**
 * Invents a site's content from a seed: projects with their issue timelines,
 * custom fields, and the issue types and statuses beyond Jira's built-in ones.
 * Every choice is drawn, in a fixed order, from one Prng, so the same seed and
 * spec always produce the same site.
 */
import { Prng } from '../prng';
import { ProjectTimeline } from './issue_timeline';
import {
  BASE_ISSUE_TYPES,
  BASE_STATUSES,
  CUSTOM_FIELD_KINDS,
  CustomFieldKind,
  ProjectTypeKey,
  StatusDef,
  SYSTEM_FIELDS,
  WELL_KNOWN_CUSTOM_FIELDS,
  WORDS,
  WORKFLOWS,
} from './site_catalogue';
import type { SiteField, SiteIssueType, SiteParts, SiteProject, SiteSpec } from './site';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export function generateSiteParts(input: Pick<SiteParts, 'seed' | 'spec' | 'calibratedAt' | 'baseUrl'>): SiteParts {
  const { seed, spec, calibratedAt } = input;
  const prng = new Prng(seed);
  const issueTypes = generateIssueTypes(spec, prng);
  const statuses = generateStatuses(spec, prng);
  const projects = generateProjects(spec, calibratedAt, prng, issueTypes, statuses);
  attachTeamManagedScopes(issueTypes, projects, prng);
  const fields = [...systemFields(), ...generateCustomFields(spec, prng, projects)];
  return { ...input, projects, fields, issueTypes, statuses };
}

function generateProjects(
  spec: SiteSpec,
  calibratedAt: number,
  prng: Prng,
  issueTypes: readonly SiteIssueType[],
  statuses: readonly StatusDef[],
): SiteProject[] {
  const startedAt = calibratedAt - spec.historyDays * DAY_MS;
  const names = new UniqueNames();
  const keys = new Set<string>();
  const drafts = Array.from({ length: spec.projects }, (_, index) => {
    // The first three projects cover every type, so even a tiny site is varied.
    const typeKey: ProjectTypeKey =
      index < 3 ? (['software', 'business', 'service_desk'] as const)[index] : weightedType(prng.next());
    const name = names.take(`${prng.pick(WORDS.adjectives)} ${prng.pick(WORDS.nouns)}`);
    const style: SiteProject['style'] = prng.chance(typeKey === 'service_desk' ? 0.3 : 0.4) ? 'next-gen' : 'classic';
    // Skewed weights: a few busy projects and a long tail of quiet ones, as on real sites.
    const weight = 0.2 + 3 * prng.next() ** 2;
    const firstCreatedAt = startedAt + Math.floor(prng.next() * 0.6 * spec.historyDays * DAY_MS);
    return { index, typeKey, name, style, weight, firstCreatedAt, key: uniqueKey(name, keys) };
  });
  const totalWeight = drafts.reduce((sum, d) => sum + d.weight, 0);

  return drafts.map((draft) => {
    const target = Math.max(1, Math.round((spec.issues * draft.weight) / totalWeight));
    const intervalMs = Math.max(1, Math.floor((calibratedAt - draft.firstCreatedAt) / target));
    // A random phase, so projects do not all create an issue in the same millisecond before calibratedAt.
    const firstCreatedAt = draft.firstCreatedAt + prng.int(0, intervalMs - 1);
    const workflow = WORKFLOWS[draft.typeKey];
    const shift = prng.int(0, 9);
    return {
      index: draft.index,
      id: String(10_000 + draft.index),
      key: draft.key,
      name: draft.name,
      typeKey: draft.typeKey,
      style: draft.style,
      uuid: draft.style === 'next-gen' ? uuid(prng) : undefined,
      avatarId: 10_400 + prng.int(0, 24),
      timeline: new ProjectTimeline({
        firstCreatedAt,
        intervalMs,
        updateLagMs: prng.int(1, 14 * 24) * HOUR_MS + prng.int(0, 59_999),
        issueTypeIds: rotate(workflow.issueTypeNames, shift).map((name) => byName(issueTypes, name).id),
        initialStatusId: byName(statuses, workflow.initialStatusName).id,
        finalStatusIds: rotate(workflow.finalStatusNames, shift).map((name) => byName(statuses, name).id),
      }),
    };
  });
}

function weightedType(u: number): ProjectTypeKey {
  if (u < 0.5) return 'software';
  return u < 0.8 ? 'business' : 'service_desk';
}

/** Jira keys are upper-case letters then letters/digits: initials plus a counter on clashes. */
function uniqueKey(name: string, taken: Set<string>): string {
  const words = name.toUpperCase().split(/\s+/);
  const base = (words[0].slice(0, 2) + words[1].slice(0, 2)).replace(/[^A-Z]/g, 'X');
  let key = base;
  for (let i = 2; taken.has(key); i++) key = `${base}${i}`;
  taken.add(key);
  return key;
}

const EXTRA_ISSUE_TYPE_NAMES = [
  'Improvement',
  'New Feature',
  'Change',
  'Problem',
  'Spike',
  'Risk',
  'Test',
  'Initiative',
  'Requirement',
  'Feedback',
];

function generateIssueTypes(spec: SiteSpec, prng: Prng): SiteIssueType[] {
  const types: SiteIssueType[] = BASE_ISSUE_TYPES.map((t) => ({ ...t }));
  const names = new UniqueNames(types.map((t) => t.name));
  for (let i = 0; types.length < spec.issueTypes; i++) {
    types.push({
      id: String(10_100 + i),
      name: names.take(EXTRA_ISSUE_TYPE_NAMES[i % EXTRA_ISSUE_TYPE_NAMES.length]),
      description: '',
      hierarchyLevel: 0,
      subtask: false,
      avatarId: 10_300 + prng.int(0, 30),
    });
  }
  return types;
}

/** Some generated issue types belong to one team-managed project, as Jira scopes them. */
function attachTeamManagedScopes(types: SiteIssueType[], projects: readonly SiteProject[], prng: Prng): void {
  const teamManaged = projects.filter((p) => p.style === 'next-gen');
  if (teamManaged.length === 0) return;
  for (const type of types.slice(BASE_ISSUE_TYPES.length)) {
    if (!prng.chance(0.3)) continue;
    type.scopeProjectId = prng.pick(teamManaged).id;
    type.entityId = uuid(prng);
  }
}

const EXTRA_STATUS_NAMES = [
  'Blocked',
  'Testing',
  'Ready for QA',
  'Deployed',
  'On hold',
  'Triage',
  'Planned',
  'Released',
  'Rejected',
  'Awaiting approval',
];

function generateStatuses(spec: SiteSpec, prng: Prng): StatusDef[] {
  const statuses: StatusDef[] = [...BASE_STATUSES];
  const names = new UniqueNames(statuses.map((s) => s.name));
  for (let i = 0; statuses.length < spec.statuses; i++) {
    statuses.push({
      id: String(10_100 + i),
      name: names.take(EXTRA_STATUS_NAMES[i % EXTRA_STATUS_NAMES.length]),
      description: '',
      categoryId: prng.pick([2, 4, 3]),
      icon: 'generic.png',
    });
  }
  return statuses;
}

function systemFields(): SiteField[] {
  return SYSTEM_FIELDS.map((f) => ({ ...f, custom: false }));
}

function generateCustomFields(spec: SiteSpec, prng: Prng, projects: readonly SiteProject[]): SiteField[] {
  const teamManaged = projects.filter((p) => p.style === 'next-gen');
  const names = new UniqueNames();
  const fields: SiteField[] = [];
  for (let i = 0; i < spec.customFields; i++) {
    const known = WELL_KNOWN_CUSTOM_FIELDS[i];
    const kind: CustomFieldKind = known ? known.kind : prng.pick(CUSTOM_FIELD_KINDS);
    const name = names.take(known ? known.name : prng.pick(WORDS.fieldTopics));
    const customId = 10_000 + i;
    const scoped = !known && teamManaged.length > 0 && prng.chance(0.15);
    fields.push({
      id: `customfield_${customId}`,
      name,
      custom: true,
      // Jira lists the cf[] form, the bare name, and the name qualified by its type.
      clauseNames: [`cf[${customId}]`, name, `${name}[${kind.label}]`],
      orderable: true,
      navigable: true,
      searchable: true,
      schema: { type: kind.type, ...(kind.items ? { items: kind.items } : {}), custom: kind.custom, customId },
      scopeProjectId: scoped ? prng.pick(teamManaged).id : undefined,
    });
  }
  return fields;
}

/** Hands out names, suffixing a counter when one is already taken. */
class UniqueNames {
  private readonly taken: Set<string>;

  constructor(initial: Iterable<string> = []) {
    this.taken = new Set(initial);
  }

  take(base: string): string {
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = `${base} ${i}`;
    this.taken.add(name);
    return name;
  }
}

function byName<T extends { name: string }>(items: readonly T[], name: string): T {
  const found = items.find((item) => item.name === name);
  if (!found) throw new Error(`site catalogue has no entry named ${name}`);
  return found;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

function uuid(prng: Prng): string {
  const hex = Array.from({ length: 4 }, () => prng.nextUint32().toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
