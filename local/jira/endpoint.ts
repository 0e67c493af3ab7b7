/**
 * What an endpoint sees and returns. Endpoints are pure functions of the
 * request, the site and the instant; the emulator does the I/O around them
 * (faults, latency, the request log, building the WHATWG Response).
 */
import type { JiraDataset } from './faults';
import type { Json } from './jira_json';
import type { JiraSite } from './site';

/** Who Jira thinks is calling: asApp(), asUser(accountId), or nobody. */
export type Caller = { kind: 'app' } | { kind: 'user'; accountId: string } | { kind: 'anonymous' };

export interface JiraRequest {
  method: string;
  url: URL;
  /** Parsed JSON body, or undefined when there was none. */
  body: unknown;
  caller: Caller;
  now: number;
}

export interface JiraReply {
  status: number;
  body?: Json;
  headers?: Record<string, string>;
}

export interface EndpointContext {
  site: JiraSite;
  admins: ReadonlySet<string>;
  /**
   * Projects (by id) the app's user may browse; `asApp()` sees only these, like any
   * user restricted by permission schemes. Undefined: every project.
   */
  appBrowsable?: ReadonlySet<string>;
  /** Whether approximate-count refuses JQL whose only restriction is an open-ended `<=` date bound. */
  refuseOpenEndedCount?: boolean;
}

/** The projects a caller may see: the app only those its user may browse; anyone else, all. */
export function visibleProjectIds(caller: Caller, context: EndpointContext): ReadonlySet<string> | undefined {
  return caller.kind === 'app' ? context.appBrowsable : undefined;
}

export type Endpoint = (request: JiraRequest, context: EndpointContext) => JiraReply;

export interface Route {
  path: string;
  /** The dataset a `forbidden` fault denies on this route, if any. */
  dataset?: JiraDataset;
  methods: Partial<Record<string, Endpoint>>;
}

/** An integer query parameter, or `fallback` when absent or not a number. */
export function intParam(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  const value = raw === null || raw.trim() === '' ? NaN : Number(raw);
  return Number.isInteger(value) ? value : fallback;
}
