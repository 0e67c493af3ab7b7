import type {
  CatalogueChanges,
  CatalogueName,
  ChangedItem,
  ConfigurationChanges,
  ConfigurationInventory,
  IdRuns,
  InventoryList,
} from './report';

/**
 * What changed in the site's configuration between the 12-hour report and the
 * 24-hour one. Pure: catalogues in, an inventory or a list of changes out.
 *
 * The 12-hour report keeps the ids of every project, custom field, issue type and
 * status, compressed into runs (Jira hands out ids in sequence), with each one's
 * key or name so a removed one can still be named. On the `large` preset (3,000
 * projects, 1,200 custom fields) that is about 56 KB. Names beyond
 * INVENTORY_LABEL_BYTES are dropped, largest list first, and a removed item is
 * then shown by its id; an inventory still over INVENTORY_MAX_BYTES (ids that do
 * not run, by the ten thousand) drops whole lists, largest first, and the
 * 24-hour report says it could not compare those.
 */

/** One catalogue entry as read from Jira: its id, and the key (projects) or name the admin knows it by. */
export interface CatalogueEntry {
  id: string;
  label: string;
  /** Projects: the name beside the key. */
  name?: string;
}

/** The catalogues as this report read them; null when one could not be read completely. */
export type Catalogues = Record<CatalogueName, CatalogueEntry[] | null>;

/** Labels kept in an inventory, in bytes of JSON, at most. */
export const INVENTORY_LABEL_BYTES = 96 * 1024;

/** The whole inventory, in bytes of JSON, at most: what keeps the 12-hour report well inside one KVS value. */
export const INVENTORY_MAX_BYTES = 128 * 1024;

/** Items listed per added or removed list in a report; the counts cover the rest. */
export const CHANGES_LISTED = 25;

const CUSTOM_FIELD_PREFIX = 'customfield_';

const CATALOGUES: readonly CatalogueName[] = ['projects', 'custom_fields', 'issue_types', 'statuses'];

/** The id as stored: custom fields lose their prefix, so `customfield_10042` runs with its neighbours. */
function storedId(catalogue: CatalogueName, id: string): string {
  return catalogue === 'custom_fields' && id.startsWith(CUSTOM_FIELD_PREFIX)
    ? id.slice(CUSTOM_FIELD_PREFIX.length)
    : id;
}

function jiraId(catalogue: CatalogueName, id: string): string {
  return catalogue === 'custom_fields' && /^\d+$/.test(id) ? `${CUSTOM_FIELD_PREFIX}${id}` : id;
}

/** A canonical decimal id (no sign, no leading zero) that round-trips through a JSON number. */
function numericId(id: string): number | null {
  if (!/^(0|[1-9]\d{0,14})$/.test(id)) return null;
  return Number(id);
}

/** Sorts numeric ids ascending (then the others), the order `encodeIds` stores and `decodeIds` returns. */
function byId(a: string, b: string): number {
  const x = numericId(a);
  const y = numericId(b);
  if (x !== null && y !== null) return x - y;
  if (x !== null) return -1;
  if (y !== null) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function encodeIds(sortedIds: readonly string[]): IdRuns {
  const runs: IdRuns = [];
  for (const id of sortedIds) {
    const n = numericId(id);
    const last = runs[runs.length - 1];
    if (n === null) runs.push(id);
    else if (typeof last === 'number' && last === n - 1) runs[runs.length - 1] = [last, n];
    else if (Array.isArray(last) && last[1] === n - 1) last[1] = n;
    else runs.push(n);
  }
  return runs;
}

/**
 * The ids back, in stored order; null for something that is not an IdRuns (an
 * older or edited report), or that would expand past `limit` ids.
 */
export function decodeIds(runs: unknown, limit = 1_000_000): string[] | null {
  if (!Array.isArray(runs)) return null;
  const ids: string[] = [];
  for (const run of runs) {
    if (typeof run === 'string') ids.push(run);
    else if (typeof run === 'number' && Number.isSafeInteger(run)) ids.push(String(run));
    else if (
      Array.isArray(run) &&
      run.length === 2 &&
      Number.isSafeInteger(run[0]) &&
      Number.isSafeInteger(run[1]) &&
      run[1] >= run[0] &&
      ids.length + run[1] - run[0] < limit
    ) {
      for (let n = run[0] as number; n <= (run[1] as number); n++) ids.push(String(n));
    } else return null;
    if (ids.length > limit) return null;
  }
  return ids;
}

function listOf(catalogue: CatalogueName, entries: readonly CatalogueEntry[]): InventoryList {
  const sorted = entries.map((e) => ({ ...e, id: storedId(catalogue, e.id) })).sort((a, b) => byId(a.id, b.id));
  return { ids: encodeIds(sorted.map((e) => e.id)), labels: sorted.map((e) => e.label) };
}

const labelBytes = (list: InventoryList | null) => (list?.labels ? JSON.stringify(list.labels).length : 0);

/**
 * The inventory the 12-hour report stores. `issueCounts` is Jira's issue count per
 * project id (from the same listing), kept in the order of the projects' ids.
 */
export function inventoryOf(
  catalogues: Catalogues,
  issueCounts: ReadonlyMap<string, number> | null,
): ConfigurationInventory {
  const lists = Object.fromEntries(
    CATALOGUES.map((c) => [c, catalogues[c] === null ? null : listOf(c, catalogues[c] as CatalogueEntry[])]),
  ) as Record<CatalogueName, InventoryList | null>;
  // Over the label budget: drop the largest list's labels until it fits; ids alone still say what changed.
  while (CATALOGUES.reduce((sum, c) => sum + labelBytes(lists[c]), 0) > INVENTORY_LABEL_BYTES) {
    const largest = [...CATALOGUES].sort((a, b) => labelBytes(lists[b]) - labelBytes(lists[a]))[0];
    lists[largest] = { ...(lists[largest] as InventoryList), labels: null };
  }
  const projectIds = lists.projects ? decodeIds(lists.projects.ids) : null;
  const counts =
    projectIds && issueCounts && projectIds.every((id) => issueCounts.has(id))
      ? projectIds.map((id) => issueCounts.get(id) as number)
      : null;
  const inventory: ConfigurationInventory = { ...lists, project_issue_counts: counts };
  const size = (c: CatalogueName) => JSON.stringify(inventory[c]).length;
  while (JSON.stringify(inventory).length > INVENTORY_MAX_BYTES) {
    const largest = [...CATALOGUES].sort((a, b) => size(b) - size(a))[0];
    if (inventory[largest] === null) break;
    inventory[largest] = null;
    if (largest === 'projects') inventory.project_issue_counts = null;
  }
  return inventory;
}

/** An inventory list read back from a stored report: id to label (null when not kept). */
export function readInventoryList(list: unknown): Map<string, string | null> | null {
  if (typeof list !== 'object' || list === null) return null;
  const { ids: runs, labels } = list as { ids?: unknown; labels?: unknown };
  const ids = decodeIds(runs);
  if (!ids) return null;
  const named =
    Array.isArray(labels) && labels.length === ids.length && labels.every((l) => typeof l === 'string')
      ? (labels as string[])
      : null;
  return new Map(ids.map((id, i) => [id, named ? named[i] : null]));
}

/** Per project id, the issue count the 12-hour report's listing saw; null when it kept none. */
export function readIssueCounts(inventory: unknown): Map<string, number> | null {
  if (typeof inventory !== 'object' || inventory === null) return null;
  const { projects, project_issue_counts: counts } = inventory as {
    projects?: unknown;
    project_issue_counts?: unknown;
  };
  const ids = decodeIds((projects as { ids?: unknown } | null | undefined)?.ids);
  if (!ids || !Array.isArray(counts) || counts.length !== ids.length) return null;
  if (!counts.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)) return null;
  return new Map(ids.map((id, i) => [id, counts[i] as number]));
}

function changesIn(
  catalogue: CatalogueName,
  before: Map<string, string | null>,
  now: readonly CatalogueEntry[],
): CatalogueChanges {
  const current = new Map(now.map((e) => [storedId(catalogue, e.id), e]));
  const added = [...current.keys()].filter((id) => !before.has(id)).sort(byId);
  const removed = [...before.keys()].filter((id) => !current.has(id)).sort(byId);
  const item = (id: string): ChangedItem => {
    const entry = current.get(id);
    if (entry) return { id: jiraId(catalogue, id), label: entry.label, ...(entry.name ? { name: entry.name } : {}) };
    return { id: jiraId(catalogue, id), label: before.get(id) ?? null };
  };
  return {
    added_count: added.length,
    removed_count: removed.length,
    added: added.slice(0, CHANGES_LISTED).map(item),
    removed: removed.slice(0, CHANGES_LISTED).map(item),
  };
}

/** What was added to and removed from each catalogue since the 12-hour report's inventory. */
export function configurationChanges(earlier: unknown, now: Catalogues): ConfigurationChanges {
  const inventory = (typeof earlier === 'object' && earlier !== null ? earlier : {}) as Record<string, unknown>;
  return Object.fromEntries(
    CATALOGUES.map((c) => {
      const before = readInventoryList(inventory[c]);
      const current = now[c];
      if (!before) return [c, { status: 'not_compared', reason: 'NOT_LISTED_12H' }];
      if (!current) return [c, { status: 'not_compared', reason: 'NOT_LISTED_NOW' }];
      return [c, changesIn(c, before, current)];
    }),
  ) as ConfigurationChanges;
}
