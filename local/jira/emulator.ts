/**
 * A Jira Cloud site behind the same seam @forge/api uses in production:
 * `handle(descriptor, path, init)` receives what `global.__forge_fetch__` is
 * given for `requestJira(route\`...\`, init)` and answers with a WHATWG
 * Response. Non-2xx answers are returned, never thrown, because that is what
 * the app sees from the real product.
 *
 * Each request, in order: latency fault, rate-limit fault (counted for every
 * request, like a gateway in front of the site), routing (404/405),
 * forbidden-dataset fault (403), then the endpoint, evaluated at one `now`
 * read from the clock. Every request is appended to `requestLog`.
 */
import { Clock, systemClock } from '../clock';
import { DEFAULT_VARIANTS, JiraVariants } from '../platform_variants';
import { Caller, EndpointContext, JiraReply, JiraRequest, JiraUser } from './endpoint';
import { FaultInjector, JiraDataset, JiraFaults } from './faults';
import { errorBody, INVALID_PAYLOAD } from './jira_json';
import { findRoute } from './routes';
import { SiteVersion, siteVersions, versionAt } from './site_changes';
import type { JiraSite } from './site';

export type { JiraFaults } from './faults';

export interface JiraEmulatorOptions {
  site: JiraSite;
  clock?: Clock;
  faults?: JiraFaults;
  /** accountIds that are Jira administrators. */
  admins?: string[];
  /** The people the user API knows, by accountId. */
  users?: Record<string, JiraUser>;
  /** Answers to the behaviours the docs leave open; defaults to DEFAULT_VARIANTS.jira. */
  variants?: Partial<JiraVariants>;
  /**
   * From this instant (the app's installation) the site's administrators make the
   * day's configuration changes (site_changes.ts). Without it the site never changes.
   */
  configurationChangesFrom?: number;
}

/** The parts of a Forge product-fetch descriptor the emulator reads. */
export interface JiraCallDescriptor {
  provider?: string;
  accountId?: string;
}

export interface JiraRequestInit {
  method?: string;
  body?: string;
  headers?: Record<string, string> | Headers;
}

export interface JiraLogEntry {
  method: string;
  path: string;
  status: number;
}

const FORBIDDEN_MESSAGES: Record<JiraDataset, string> = {
  projects: 'You do not have permission to browse projects on this site.',
  issues: 'You do not have permission to search issues on this site.',
  fields: 'You do not have permission to view fields on this site.',
  issuetypes: 'You do not have permission to view issue types on this site.',
  statuses: 'You do not have permission to view statuses on this site.',
};

export class JiraEmulator {
  /** The site as generated, before any of the day's configuration changes. */
  readonly site: JiraSite;
  readonly requestLog: JiraLogEntry[] = [];
  private readonly clock: Clock;
  private readonly context: EndpointContext;
  private faults: FaultInjector;
  private readonly versions: readonly SiteVersion[];

  constructor(options: JiraEmulatorOptions) {
    this.site = options.site;
    this.versions =
      options.configurationChangesFrom === undefined
        ? [{ from: -Infinity, site: options.site }]
        : siteVersions(options.site, options.configurationChangesFrom);
    this.clock = options.clock ?? systemClock;
    this.faults = new FaultInjector(options.faults);
    const variants = { ...DEFAULT_VARIANTS.jira, ...options.variants };
    const browsable = variants.appBrowsableProjects;
    this.context = {
      site: options.site,
      admins: new Set(options.admins ?? []),
      users: new Map(Object.entries(options.users ?? {})),
      appBrowsable:
        browsable === 'all' ? undefined : new Set(options.site.projects.slice(0, browsable).map((p) => p.id)),
      refuseOpenEndedCount: variants.approximateCountOpenEnded === 'refuses',
    };
  }

  /** The site as it is at `now`, with the configuration changes made by then. */
  siteAt(now: number): JiraSite {
    return versionAt(this.versions, now);
  }

  /** Replaces the faults; counters and random draws restart, so a scenario replays identically. */
  setFaults(faults?: JiraFaults): void {
    this.faults = new FaultInjector(faults);
  }

  async handle(descriptor: JiraCallDescriptor, path: string, init: JiraRequestInit = {}): Promise<Response> {
    const method = (init.method ?? 'GET').toUpperCase();
    const delay = this.faults.latency();
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const reply = this.reply(descriptor, method, path, init.body);
    this.requestLog.push({ method, path, status: reply.status });
    return toResponse(reply);
  }

  private reply(descriptor: JiraCallDescriptor, method: string, path: string, rawBody: unknown): JiraReply {
    const retryAfter = this.faults.throttle();
    if (retryAfter !== undefined) {
      return {
        status: 429,
        body: errorBody(['Rate limit exceeded.']),
        headers: { 'Retry-After': String(retryAfter), 'RateLimit-Reason': 'jira-burst-based' },
      };
    }
    const url = new URL(path, this.site.baseUrl);
    const route = findRoute(url.pathname);
    if (!route) return { status: 404, body: errorBody([`null for uri: ${url.href}`]) };
    const endpoint = route.methods[method];
    if (!endpoint) return { status: 405, body: errorBody([`Method ${method} is not allowed for ${url.pathname}.`]) };
    if (route.dataset && this.faults.isForbidden(route.dataset)) {
      return { status: 403, body: errorBody([FORBIDDEN_MESSAGES[route.dataset]]) };
    }

    let body: unknown;
    if (typeof rawBody === 'string' && rawBody.trim() !== '') {
      try {
        body = JSON.parse(rawBody);
      } catch {
        return {
          status: 400,
          body: errorBody([INVALID_PAYLOAD]),
        };
      }
    }
    const now = this.clock.now();
    const request: JiraRequest = { method, url, body, caller: callerOf(descriptor), now };
    return endpoint(request, { ...this.context, site: this.siteAt(now) });
  }
}

function callerOf(descriptor: JiraCallDescriptor): Caller {
  if (descriptor.provider === 'app') return { kind: 'app' };
  if (descriptor.provider === 'user' && descriptor.accountId) return { kind: 'user', accountId: descriptor.accountId };
  return { kind: 'anonymous' };
}

function toResponse(reply: JiraReply): Response {
  const headers = new Headers(reply.headers);
  if (reply.body === undefined) return new Response(null, { status: reply.status, headers });
  headers.set('Content-Type', 'application/json;charset=UTF-8');
  return new Response(JSON.stringify(reply.body), { status: reply.status, headers });
}
