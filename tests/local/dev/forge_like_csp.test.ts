import { readFileSync } from 'node:fs';
import path from 'node:path';
import { forgeLikeCsp } from '../../../local/dev/dev_server';
import { APP_ROOT } from '../../../local/runtime/invoker';

/**
 * `npm run dev` serves the page under the policy Forge would give it: Forge's
 * strict default, widened only by what manifest.yml declares. A page that
 * needs more than the manifest asks for fails locally as it would in Jira.
 */

const directive = (csp: string, name: string) => csp.split('; ').find((d) => d.startsWith(`${name} `));

describe("the dev host's Content-Security-Policy", () => {
  it("is Forge's strict default for a manifest that declares nothing", () => {
    const csp = forgeLikeCsp('modules: {}\n');
    expect(directive(csp, 'style-src')).toBe("style-src 'self'");
    expect(directive(csp, 'script-src')).toBe("script-src 'self'");
    expect(directive(csp, 'img-src')).toBe("img-src 'self' data: blob:");
  });

  it("allows what this app's manifest declares: inline styles for the design system, avatar hosts", () => {
    const csp = forgeLikeCsp(readFileSync(path.join(APP_ROOT, 'manifest.yml'), 'utf8'));
    expect(directive(csp, 'style-src')).toBe("style-src 'self' 'unsafe-inline'");
    expect(directive(csp, 'script-src')).toBe("script-src 'self'");
    expect(directive(csp, 'img-src')).toBe(
      "img-src 'self' data: blob: https://secure.gravatar.com https://*.prod.public.atl-paas.net",
    );
  });

  it('takes CSP keywords and hashes from permissions.content, and nothing else', () => {
    const csp = forgeLikeCsp(
      'permissions:\n  content:\n    scripts: ["unsafe-eval", "sha256-abc=", "https://elsewhere.example"]\n',
    );
    expect(directive(csp, 'script-src')).toBe("script-src 'self' 'unsafe-eval' 'sha256-abc='");
  });
});
