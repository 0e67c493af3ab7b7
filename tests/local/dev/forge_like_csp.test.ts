import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { FORGE_DEFAULT_IMAGE_HOSTS, forgeLikeCsp } from '../../../local/dev/dev_server';
import { generateSite, JiraEmulator } from '../../../local/jira';
import { ManualClock } from '../../../local/clock';
import { APP_ROOT } from '../../../local/runtime/invoker';

/**
 * `npm run dev` serves the page under the policy Forge would give it: Forge's
 * strict default, with the image hosts Forge allows every app, widened only by
 * what manifest.yml declares. A page that needs more than the manifest asks for
 * fails locally as it would in Jira, and the avatars Jira points at load with
 * no egress declared.
 */

const directive = (csp: string, name: string) => csp.split('; ').find((d) => d.startsWith(`${name} `));
const manifestYaml = () => readFileSync(path.join(APP_ROOT, 'manifest.yml'), 'utf8');
const defaultImages = `img-src 'self' data: blob: ${FORGE_DEFAULT_IMAGE_HOSTS.join(' ')}`;

/** @forge/csp, the package Forge builds a Custom UI resource's policy with, as the pinned @forge/lint depends on it. */
function forgeCsp(): { EXTERNAL_ALLOW_LISTED_IMAGES_HOSTS: string[]; getAtlassianImageHost(env: string): string[] } {
  const lint = path.dirname(require.resolve('@forge/lint/package.json'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve('@forge/csp', { paths: [lint] }));
}

describe("the dev host's Content-Security-Policy", () => {
  it("is Forge's strict default, with Forge's default image hosts, for a manifest that declares nothing", () => {
    const csp = forgeLikeCsp('modules: {}\n');
    expect(directive(csp, 'style-src')).toBe("style-src 'self'");
    expect(directive(csp, 'script-src')).toBe("script-src 'self'");
    expect(directive(csp, 'img-src')).toBe(defaultImages);
  });

  it("allows images from exactly the hosts Forge's own policy package allows in production", () => {
    const csp = forgeCsp();
    expect(FORGE_DEFAULT_IMAGE_HOSTS).toEqual([
      ...csp.EXTERNAL_ALLOW_LISTED_IMAGES_HOSTS,
      ...csp.getAtlassianImageHost('prod'),
    ]);
  });

  it("adds only what this app's manifest declares: inline styles for the design system, and no image host", () => {
    const csp = forgeLikeCsp(manifestYaml());
    expect(directive(csp, 'style-src')).toBe("style-src 'self' 'unsafe-inline'");
    expect(directive(csp, 'script-src')).toBe("script-src 'self'");
    expect(directive(csp, 'img-src')).toBe(defaultImages);
  });

  it('lets the avatars Jira points at load with no egress declared, and has no wildcard of its own making', async () => {
    const manifest = parse(manifestYaml()) as { permissions?: { external?: unknown } };
    expect(manifest.permissions?.external).toBeUndefined();

    // The avatar the emulated Jira's user API gives (as Jira Cloud does: Gravatar, falling back to
    // Atlassian's avatar service), against the policy's hosts by origin.
    const jira = new JiraEmulator({ site: generateSite({ seed: 1, size: 'small' }), clock: new ManualClock(0) });
    const me = await jira.handle({ provider: 'user', accountId: '5b10a2844c20165700ede21g' }, '/rest/api/3/myself');
    const avatars = ((await me.json()) as { avatarUrls: Record<string, string> }).avatarUrls;
    const hosts = directive(forgeLikeCsp(manifestYaml()), 'img-src')!.split(' ').slice(1);
    for (const url of [
      avatars['48x48'],
      'https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/x.png',
    ]) {
      expect({ url, allowed: hosts.includes(new URL(url).origin) }).toEqual({ url, allowed: true });
    }
    expect(hosts.filter((h) => h.startsWith('https://*.') && !h.includes('/avatar-management'))).toEqual([]);
  });

  it('takes CSP keywords and hashes from permissions.content, and nothing else', () => {
    const csp = forgeLikeCsp(
      'permissions:\n  content:\n    scripts: ["unsafe-eval", "sha256-abc=", "https://elsewhere.example"]\n',
    );
    expect(directive(csp, 'script-src')).toBe("script-src 'self' 'unsafe-eval' 'sha256-abc='");
  });
});
