import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse } from 'yaml';
import { APP_ROOT } from '../runtime/invoker';
import { ADMIN_PAGE_DIR, adminPageUpToDate, buildAdminPage } from './build_ui';
import { DEV_ACCOUNTS, DevWorld, ScenarioName, Viewer } from './dev_world';

/**
 * `npm run dev`: the admin page as Jira would show it, served from this
 * machine. `/` draws a Jira-like settings frame around an iframe; the iframe
 * loads the built Custom UI (static/admin-page) with a host script that
 * provides `window.__bridge`, so the page's real @forge/bridge `invoke` reaches
 * the app's real resolver, run by the local Forge runtime as the chosen user.
 * The page is served with a Content-Security-Policy as strict as Forge's
 * default, so anything inline that Forge would block fails here too.
 *
 * Loopback only: the server answers as a Jira administrator by default.
 */

const HOST_DIR = path.join(__dirname, 'host');
/** Loopback only. */
export const HOST = '127.0.0.1';

/**
 * The image hosts Forge's policy allows every Custom UI resource with no manifest entry, in
 * production: Gravatar and Unsplash, and Atlassian's avatar, media, emoji, team and object-store
 * hosts. From @forge/csp 6.3.2 (`EXTERNAL_ALLOW_LISTED_IMAGES_HOSTS` and
 * `getAtlassianImageHost('prod')`, the package Forge builds a resource's policy with; a test keeps
 * this list equal to it). The avatars Jira's user API points at (`secure.gravatar.com`, which
 * falls back to Atlassian's avatar service) are among them, so the app shows people's avatars with
 * no `permissions.external.images`: no egress, as Runs on Atlassian requires (FORGE_FACTS §7a).
 */
export const FORGE_DEFAULT_IMAGE_HOSTS: readonly string[] = [
  'https://secure.gravatar.com',
  'https://images.unsplash.com',
  'https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net',
  'https://*.wp.com/avatar-management--avatars.us-west-2.prod.public.atl-paas.net/',
  'https://api.atlassian.com',
  'https://api.media.atlassian.com',
  'https://pf-emoji-service.prod-east.frontend.public.atl-paas.net',
  'https://pf-reactions-service.prod-east.frontend.public.atl-paas.net',
  'https://assets-media.atlassian.com',
  'https://teams-directory-frontend.prod-east.frontend.public.atl-paas.net/assets/',
  'https://teams-directory-frontend.prod-east.frontend.public.atl-paas.net/assets/gradients/',
  'https://tdp-os.services.atlassian.com/fos-eap/download/',
  'https://tdp-os.services.atlassian.com/fos/app/download/',
  'https://tdp-os.services.atlassian.com/fos/cdn/download/',
  'https://object-store.atlassian.com/os/ecosystem/installation/',
];

/**
 * Forge's default policy for a Custom UI resource, widened only by what
 * manifest.yml declares (`permissions.content` and `permissions.external.images`),
 * as Forge widens it: what the manifest does not allow fails here too. Images
 * also load from the hosts Forge allows by default (FORGE_DEFAULT_IMAGE_HOSTS).
 */
export function forgeLikeCsp(manifestYaml: string): string {
  const permissions = ((parse(manifestYaml) as Record<string, unknown> | null)?.permissions ?? {}) as {
    content?: { styles?: unknown[]; scripts?: unknown[] };
    external?: { images?: unknown[] };
  };
  // CSP source keywords and hashes, written in the manifest without their quotes.
  const words = (list: unknown[] | undefined) =>
    (list ?? [])
      .filter(
        (w): w is string =>
          typeof w === 'string' && /^(unsafe-(inline|eval|hashes)|sha(256|384|512)-[\w+/=]+)$/.test(w),
      )
      .map((w) => `'${w}'`);
  const images = (permissions.external?.images ?? [])
    .map((i) => (typeof i === 'string' ? i : (i as { address?: unknown } | null)?.address))
    .filter((i): i is string => typeof i === 'string');
  return [
    "default-src 'self'",
    ["script-src 'self'", ...words(permissions.content?.scripts)].join(' '),
    ["style-src 'self'", ...words(permissions.content?.styles)].join(' '),
    ["img-src 'self' data: blob:", ...FORGE_DEFAULT_IMAGE_HOSTS, ...images].join(' '),
    "connect-src 'self'",
    "frame-ancestors 'self'",
  ].join('; ');
}

const FORGE_LIKE_CSP = forgeLikeCsp(readFileSync(path.join(APP_ROOT, 'manifest.yml'), 'utf8'));

/**
 * The translations as `forge deploy` ships them beside every Custom UI resource, under `__LOCALES__/`:
 * one file per language the manifest's `translations` names, and `i18n-info.json` (the languages, the
 * fallback, and the manifest's own translated fields), made by the Forge CLI's own bundling service.
 * @forge/bridge's i18n reads them from there, relative to the page.
 */
export async function translationBundle(manifestYaml: string): Promise<Map<string, Buffer>> {
  const manifest = (parse(manifestYaml) ?? {}) as {
    modules?: Record<string, unknown>;
    translations?: { resources: Array<{ key: string; path: string }>; fallback: { default: string } };
  };
  const files = new Map<string, Buffer>();
  if (!manifest.translations) return files;
  // The CLI reads the files relative to the app; the dev server may run from anywhere.
  const config = {
    ...manifest.translations,
    resources: manifest.translations.resources.map((r) => ({ ...r, path: path.join(APP_ROOT, r.path) })),
  };
  // Loaded only here: the CLI's shared code is large, and only the dev host needs this from it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { I18nResourceBundlingService } = require('@forge/cli-shared') as typeof import('@forge/cli-shared');
  const bundle = await new I18nResourceBundlingService().bundle(
    manifest.modules as Parameters<InstanceType<typeof I18nResourceBundlingService>['bundle']>[0],
    config as Parameters<InstanceType<typeof I18nResourceBundlingService>['bundle']>[1],
  );
  if (!bundle.exists) return files;
  for (const name of readdirSync(bundle.path)) files.set(name, readFileSync(path.join(bundle.path, name)));
  rmSync(bundle.path, { recursive: true, force: true });
  return files;
}

/**
 * The design-token themes Jira applies to a Custom UI frame after `view.theme.enable()`
 * (colour modes, plus spacing, typography and shape), served from @atlaskit/tokens.
 */
const THEMES = ['atlassian-light', 'atlassian-dark', 'atlassian-spacing', 'atlassian-typography', 'atlassian-shape'];

function themeCss(id: string): string | null {
  if (!THEMES.includes(id)) return null;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const css = (require(`@atlaskit/tokens/dist/cjs/artifacts/themes/${id}.js`) as { default?: unknown }).default;
  return typeof css === 'string' ? css : null;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

export interface DevServerOptions {
  port?: number;
  /** The made-up installation to show (default done-12h); not with `kvsFile`. */
  scenario?: ScenarioName;
  /** Show the installation `npm start -- --kvs-file` saved in this file instead of a scenario. */
  kvsFile?: string;
  /** Build the page before serving (default: only when the build is missing or older than its sources). */
  build?: 'always' | 'if-stale';
}

export interface DevServer {
  url: string;
  world: DevWorld;
  close(): Promise<void>;
}

function viewerOf(value: unknown): Viewer {
  return value === 'user' || value === 'anonymous' ? value : 'admin';
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(body);
}

const json = (res: ServerResponse, status: number, value: unknown) =>
  send(res, status, TYPES['.json'], JSON.stringify(value));

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Forge refuses invoke payloads over 500 KB; so does this host.
    if (size > 500 * 1024) throw new Error('Payload larger than 500 KB');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

/** A file under `root`, or null for anything outside it. */
function fileUnder(root: string, relative: string): Buffer | null {
  const full = path.resolve(root, '.' + path.posix.normalize('/' + relative));
  if (!full.startsWith(root + path.sep)) return null;
  try {
    return readFileSync(full);
  } catch {
    return null;
  }
}

function colourModeOf(value: unknown): 'light' | 'dark' {
  return value === 'dark' ? 'dark' : 'light';
}

/** What `data-theme` says in Jira for a colour mode: every theme the page may use, by kind. */
const THEME_ATTRIBUTE = 'dark:dark light:light spacing:spacing typography:typography shape:shape';

function chromePage(url: URL): string {
  const viewer = viewerOf(url.searchParams.get('as'));
  const mode = colourModeOf(url.searchParams.get('theme'));
  const frameQuery = new URLSearchParams({ as: viewer });
  for (const name of ['tz', 'locale']) {
    const value = url.searchParams.get(name);
    if (value) frameQuery.set(name, value);
  }
  const devbar =
    url.searchParams.get('devbar') === '0'
      ? ''
      : `<div class="devbar"><strong>Local dev host</strong><span id="dev-clock"></span><span class="devbar__spacer"></span>
  <label>Theme <select id="dev-theme">${(['light', 'dark'] as const)
    .map((m) => `<option value="${m}"${m === mode ? ' selected' : ''}>${m === 'light' ? 'Light' : 'Dark'}</option>`)
    .join('')}</select></label>
  <label>View as <select id="dev-viewer">${(['admin', 'user', 'anonymous'] as const)
    .map(
      (v) =>
        `<option value="${v}"${v === viewer ? ' selected' : ''}>${v === 'admin' ? 'Jira administrator' : v === 'user' ? 'Standard user' : 'No user'}</option>`,
    )
    .join('')}</select></label>
  <button type="button" data-advance="5">+5 min</button><button type="button" data-advance="60">+1 h</button><button type="button" data-advance="720">+12 h</button></div>`;
  return readFileSync(path.join(HOST_DIR, 'jira_chrome.html'), 'utf8')
    .replace('<html lang="en">', `<html lang="en" data-color-mode="${mode}" data-theme="${THEME_ATTRIBUTE}">`)
    .replace(
      '<!--THEMES-->',
      THEMES.map((id) => `<link rel="stylesheet" href="/__dev/theme/${id}.css" />`).join('\n    '),
    )
    .replace('<!--DEVBAR-->', devbar)
    .replace('<!--FRAME-QUERY-->', frameQuery.toString().replace(/&/g, '&amp;'));
}

/** The resource's index.html with the host's bridge script ahead of the app's bundle, as Forge injects its own. */
function appIndex(): string {
  const html = readFileSync(path.join(ADMIN_PAGE_DIR, 'index.html'), 'utf8');
  const at = html.indexOf('<script');
  const host = '<script src="/__dev/bridge_host.js"></script>\n    ';
  return at < 0 ? html.replace('</body>', `${host}</body>`) : html.slice(0, at) + host + html.slice(at);
}

async function route(
  world: DevWorld,
  locales: Map<string, Buffer>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', `http://${HOST}`);
  const p = url.pathname;
  if (req.method === 'GET' && p.startsWith('/app/__LOCALES__/')) {
    const file = locales.get(p.slice('/app/__LOCALES__/'.length));
    return file ? send(res, 200, TYPES['.json'], file) : send(res, 404, 'text/plain', 'Not found');
  }
  if (req.method === 'GET' && p === '/') return send(res, 200, TYPES['.html'], chromePage(url));
  if (req.method === 'GET' && p === '/favicon.ico') return send(res, 204, 'image/x-icon', '');
  if (req.method === 'GET' && p === '/app') return send(res, 302, 'text/plain', '', { Location: `/app/${url.search}` });
  if (req.method === 'GET' && p === '/app/') {
    return send(res, 200, TYPES['.html'], appIndex(), { 'Content-Security-Policy': FORGE_LIKE_CSP });
  }
  if (req.method === 'GET' && p.startsWith('/app/')) {
    const file = fileUnder(ADMIN_PAGE_DIR, p.slice('/app/'.length));
    if (!file) return send(res, 404, 'text/plain', 'Not found');
    return send(res, 200, TYPES[path.extname(p)] ?? 'application/octet-stream', file, {
      'Content-Security-Policy': FORGE_LIKE_CSP,
    });
  }
  if (req.method === 'GET' && p.startsWith('/__dev/theme/') && p.endsWith('.css')) {
    const css = themeCss(p.slice('/__dev/theme/'.length, -'.css'.length));
    return css === null ? send(res, 404, 'text/plain', 'Not found') : send(res, 200, TYPES['.css'], css);
  }
  if (req.method === 'GET' && p.startsWith('/__dev/') && /\.(js|css)$/.test(p)) {
    const file = fileUnder(HOST_DIR, p.slice('/__dev/'.length));
    if (!file) return send(res, 404, 'text/plain', 'Not found');
    return send(res, 200, TYPES[path.extname(p)], file);
  }
  if (req.method === 'GET' && p === '/__dev/state') {
    return json(res, 200, {
      now: new Date(world.now()).toISOString(),
      hoursSinceInstall: world.hoursSinceInstall(),
      scenario: world.scenario,
      kvsFile: world.kvsFile,
      cloudId: world.installation.cloudId,
      accounts: DEV_ACCOUNTS,
    });
  }
  if (req.method === 'GET' && p === '/__dev/context') {
    const viewer = viewerOf(url.searchParams.get('as'));
    return json(res, 200, {
      accountId: viewer === 'anonymous' ? undefined : DEV_ACCOUNTS[viewer],
      cloudId: world.installation.cloudId,
      siteUrl: 'https://local-dev.atlassian.net',
      moduleKey: world.moduleKey,
      environmentType: 'DEVELOPMENT',
      // The viewer's Jira profile settings; `?locale=` and `?tz=` try others.
      locale: url.searchParams.get('locale') ?? 'en-US',
      timezone: url.searchParams.get('tz') ?? 'UTC',
      extension: { type: 'jira:adminPage' },
    });
  }
  if (req.method === 'POST' && p === '/__dev/invoke') {
    const body = (await bodyOf(req)) as { functionKey?: unknown; payload?: unknown; as?: unknown };
    if (typeof body.functionKey !== 'string') return json(res, 400, { message: 'functionKey must be a string' });
    const outcome = await world.invoke(body.functionKey, body.payload, viewerOf(body.as));
    return outcome.failure !== undefined
      ? json(res, 500, { message: outcome.failure })
      : json(res, 200, { result: outcome.result });
  }
  if (req.method === 'POST' && p === '/__dev/advance') {
    const { minutes } = (await bodyOf(req)) as { minutes?: unknown };
    if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 5 || minutes > 48 * 60) {
      return json(res, 400, { message: 'minutes must be an integer from 5 to 2880' });
    }
    await world.advance(minutes);
    return json(res, 200, { now: new Date(world.now()).toISOString() });
  }
  return send(res, 404, 'text/plain', 'Not found');
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  if (options.scenario !== undefined && options.kvsFile !== undefined) {
    throw new Error('A dev server shows either a scenario or a --kvs-file installation, not both');
  }
  if (options.build === 'always' || !adminPageUpToDate()) await buildAdminPage();
  const locales = await translationBundle(readFileSync(path.join(APP_ROOT, 'manifest.yml'), 'utf8'));
  const world = new DevWorld(
    options.kvsFile !== undefined ? { kvsFile: options.kvsFile } : (options.scenario ?? 'done-12h'),
  );
  await world.prepare();
  const server = createServer((req, res) => {
    route(world, locales, req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { message: err instanceof Error ? err.message : String(err) });
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, HOST, () => resolve());
    });
  } catch (err) {
    // Not serving after all: let go of the world (and the --kvs-file it holds).
    world.dispose();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${HOST}:${port}`,
    world,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          world.dispose();
          resolve();
        });
      }),
  };
}
