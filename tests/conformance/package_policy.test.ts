import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { parse } from 'yaml';
import { APP_ROOT } from '../../local/runtime/invoker';

/**
 * package.json's promises about where the project runs and what runs at install:
 * `engines` lies inside what every installed package declares (so `npm ci` on a
 * supported Node has nothing to warn about, but for the one exception below),
 * it covers Forge's runtime and the Node running these tests, and
 * `allowScripts` has decided every install script in the lockfile.
 */

interface LockPackage {
  version?: string;
  optional?: boolean;
  engines?: { node?: string };
  hasInstallScript?: boolean;
}

const pkg = JSON.parse(readFileSync(path.join(APP_ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  allowScripts: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync(path.join(APP_ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockPackage>;
};
const installed = Object.entries(lock.packages)
  .filter(([where]) => where !== '')
  .map(([where, p]) => ({ name: where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length), ...p }));

/**
 * Packages whose declared engines the project knowingly runs outside of, and why that is safe.
 * jira.js 6.2 is the only release with zod models of Jira Cloud's responses, which
 * tests/local/jira validates the emulator against; 5.x (Node 20) has none of them.
 */
const ENGINE_EXCEPTIONS: Record<string, string> = {
  'jira.js':
    'ESM-only; asks for Node 22, where CommonJS can require() ESM. The app imports only its types ' +
    '(erased before bundling) and the schema test imports it from plain ESM in a child process, which ' +
    'Node 20 runs: CI checks that on every run.',
};

describe('engines', () => {
  it('lies within the Node versions every installed package declares, but for the listed exceptions', () => {
    const outside = installed
      .filter((p) => !p.optional && p.engines?.node && !semver.subset(pkg.engines.node, p.engines.node))
      .map((p) => `${p.name}@${p.version} wants ${p.engines!.node}`);

    expect(outside).toEqual(Object.keys(ENGINE_EXCEPTIONS).map((name) => expect.stringMatching(`^${name}@`)));
  });

  it('covers the Node these tests run on and the Forge runtime manifest.yml names', () => {
    const manifest = parse(readFileSync(path.join(APP_ROOT, 'manifest.yml'), 'utf8')) as {
      app: { runtime: { name: string } };
    };
    const forgeMajor = /^nodejs(\d+)\.x$/.exec(manifest.app.runtime.name)?.[1];

    expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
    expect(forgeMajor).toBeDefined();
    expect(semver.intersects(pkg.engines.node, `${forgeMajor}.x`)).toBe(true);
  });
});

describe('allowScripts', () => {
  it('decides every package in the lockfile that has an install script, and names no other', () => {
    const withScripts = [...new Set(installed.filter((p) => p.hasInstallScript).map((p) => p.name))].sort();

    expect(Object.keys(pkg.allowScripts).sort()).toEqual(withScripts);
  });
});
