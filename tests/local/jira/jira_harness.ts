/**
 * Shared set-up for the Jira emulator tests: a site, a manual clock, and the
 * emulator installed behind @forge/api, so every request in these tests takes
 * the same path an app's `asApp().requestJira(route`...`)` takes.
 */
import api, { route } from '@forge/api';
import { ManualClock } from '../../../local/clock';
import {
  DEFAULT_CALIBRATED_AT,
  generateSite,
  installJiraOnly,
  JiraEmulator,
  JiraFaults,
  SitePreset,
} from '../../../local/jira';

/** One hour after the presets' calibration instant: a fixed, realistic "now". */
export const TEST_NOW = DEFAULT_CALIBRATED_AT + 3_600_000;

export interface EmulatedJira {
  emulator: JiraEmulator;
  clock: ManualClock;
  uninstall: () => void;
}

const siteCache = new Map<string, ReturnType<typeof generateSite>>();

/** Sites are immutable, so tests in one file share them instead of regenerating. */
export function siteFor(seed: number, size: SitePreset = 'small'): ReturnType<typeof generateSite> {
  const key = `${seed}/${size}`;
  let site = siteCache.get(key);
  if (!site) {
    site = generateSite({ seed, size });
    siteCache.set(key, site);
  }
  return site;
}

export function startJira(
  options: {
    seed?: number;
    size?: SitePreset;
    faults?: JiraFaults;
    admins?: string[];
    users?: Record<string, { displayName: string; closed?: boolean }>;
    now?: number;
    /** The instant the site's day of configuration changes counts from. */
    configurationChangesFrom?: number;
  } = {},
): EmulatedJira {
  const clock = new ManualClock(options.now ?? TEST_NOW);
  const emulator = new JiraEmulator({
    site: siteFor(options.seed ?? 7, options.size),
    clock,
    faults: options.faults,
    admins: options.admins,
    users: options.users,
    configurationChangesFrom: options.configurationChangesFrom,
  });
  return { emulator, clock, uninstall: installJiraOnly(emulator) };
}

/** @forge/api declares its own, narrower Headers type; this is the part the tests read. */
interface HeaderLookup {
  get(name: string): string | null;
}

export interface JsonResponse {
  status: number;
  headers: HeaderLookup;
  body: any;
}

async function read(response: {
  status: number;
  headers: HeaderLookup;
  text(): Promise<string>;
}): Promise<JsonResponse> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

export async function countIssues(jql: string): Promise<JsonResponse> {
  return read(
    await api.asApp().requestJira(route`/rest/api/3/search/approximate-count`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({ jql }),
    }),
  );
}

export async function searchPage(body: {
  jql: string;
  nextPageToken?: string;
  maxResults?: number;
  fields?: string[];
}): Promise<JsonResponse> {
  return read(
    await api.asApp().requestJira(route`/rest/api/3/search/jql`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );
}

/** Follows nextPageToken to the end; returns every issue id and the number of pages. */
export async function searchAll(
  jql: string,
  maxResults = 100,
  fields?: string[],
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  let nextPageToken: string | undefined;
  do {
    const page = await searchPage({ jql, nextPageToken, maxResults, fields });
    if (page.status !== 200) throw new Error(`search/jql answered ${page.status}: ${JSON.stringify(page.body)}`);
    pages++;
    ids.push(...page.body.issues.map((issue: { id: string }) => issue.id));
    nextPageToken = page.body.nextPageToken;
  } while (nextPageToken);
  return { ids, pages };
}

export async function getJson(path: ReturnType<typeof route>, asUser?: string): Promise<JsonResponse> {
  const requester = asUser === undefined ? api.asApp() : api.asUser(asUser);
  return read(await requester.requestJira(path, { headers: { Accept: 'application/json' } }));
}
