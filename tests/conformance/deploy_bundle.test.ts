import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { APP_ROOT } from '../../local/runtime/invoker';
import { LocalApp } from '../../local/runtime/local_app';
import { appSourcesOf, bundleAsForgeDeploys, DeployBundle } from '../../local/forge_toolchain/deploy_bundle';
import { validateManifest } from '../../local/forge_toolchain/manifest_check';

/**
 * The production bundle, built by @forge/bundler as `forge deploy` builds it
 * (see deploy_bundle.ts for the one offline substitution).
 */

jest.setTimeout(180_000);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
type Handler = (request: unknown, context: unknown) => Promise<unknown>;

/** A module of the built bundle, loaded the way Forge's loader loads it. */
function loadBundled(bundle: DeployBundle, module: string): unknown {
  // The bundle exists only at run time, in a temporary directory: a static import cannot name it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(bundle.outputDir, `${module}.cjs`));
}

describe('the bundle forge deploy would upload', () => {
  let bundle: DeployBundle;

  beforeAll(async () => {
    const { manifest } = await validateManifest(APP_ROOT);
    bundle = await bundleAsForgeDeploys(APP_ROOT, manifest!);
  });
  afterAll(() => bundle?.dispose());

  it('has one .cjs per handler module', () => {
    const names = bundle.code.map((c) => c.name);

    for (const module of bundle.handlerModules) expect(names).toContain(`${module}.cjs`);
  });

  it('contains app code from src/ only: nothing from local/, tests/ or bench/', () => {
    const appSources = appSourcesOf(bundle);

    expect(appSources).toContain('./src/scheduler_entry.ts');
    expect(appSources.filter((s) => !s.startsWith('./src/'))).toEqual([]);
    expect(
      bundle.sources.filter((s) => /(^|\/)(local|tests|bench)\//.test(s.replace(/^.*node_modules\//, ''))),
    ).toEqual([]);
  });

  it('gives the scheduler and wake-up functions bundles without the admin page or its resolver', () => {
    const scheduled = ['scheduler_entry', 'wake_up_entry'];

    for (const module of scheduled) {
      const own = appSourcesOf({ sources: bundle.moduleSources[module] });
      expect({ module, scheduler: own.includes('./src/scheduled/phase5_scheduler.ts') }).toEqual({
        module,
        scheduler: true,
      });
      expect({ module, admin: own.filter((s) => /^\.\/src\/(admin|frontend)\//.test(s)) }).toEqual({
        module,
        admin: [],
      });
    }
  });

  it('builds without webpack warnings', () => {
    expect(bundle.warnings).toEqual([]);
  });

  it('exports every handler the manifest names from its module', () => {
    for (const { module, func } of bundle.handlers) {
      const exported = loadBundled(bundle, module) as Record<string, unknown>;
      expect({ handler: `${module}.${func}`, type: typeof exported[func] }).toEqual({
        handler: `${module}.${func}`,
        type: 'function',
      });
    }
  });

  it('runs: the bundled scheduler generates the 12 h report against the local Forge runtime', async () => {
    // Prepare: an installation whose Phase-4 evidence says it was installed 12 h 5 min ago.
    const app = new LocalApp();
    try {
      const inst = app.newInstallation();
      await app.put(inst, `phase4:evidence:installation:${inst.cloudId}`, {
        installation_timestamp: new Date(app.clock.now() - 12 * HOUR - 5 * MINUTE).toISOString(),
        source: 'avi:forge:installed:app',
      });
      const trigger = app.invoker.manifest.scheduledTriggers[0];
      const fn = app.invoker.manifest.functions.get(trigger.function)!;
      const [module, func] = fn.handler.split('.');
      const bundled = loadBundled(bundle, module) as Record<string, Handler>;

      // Act: call it with the arguments Forge passes a scheduled trigger.
      const run = await app.runtime.run(inst, trigger.key, 120_000, () =>
        bundled[func](
          { context: { cloudId: inst.cloudId, moduleKey: trigger.key }, contextToken: 'local' },
          { principal: undefined, installContext: inst.siteAri },
        ),
      );

      // Assess: the report and its DONE key are stored.
      expect(run.killed).toBe(false);
      const stored = app.stored(inst);
      expect(stored.has(`phase5:report:${inst.cloudId}:AUTO_12H`)).toBe(true);
      expect(stored.has(`phase5:scheduler:${inst.cloudId}:AUTO_12H:DONE`)).toBe(true);
    } finally {
      app.dispose();
    }
  });
});

describe('a type error in src/', () => {
  it('fails the bundle, as it fails forge deploy', async () => {
    // Prepare: a copy of the app whose handler module does not type-check.
    const copy = mkdtempSync(path.join(os.tmpdir(), 'forge-typecheck-'));
    try {
      for (const entry of ['src', 'manifest.yml', 'tsconfig.json', 'package.json']) {
        cpSync(path.join(APP_ROOT, entry), path.join(copy, entry), { recursive: true });
      }
      symlinkSync(path.join(APP_ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
      const index = path.join(copy, 'src', 'scheduler_entry.ts');
      writeFileSync(index, `${readFileSync(index, 'utf8')}\nexport const notANumber: number = 'twelve hours';\n`);
      const { manifest } = await validateManifest(copy);

      // Act / Assess
      await expect(bundleAsForgeDeploys(copy, manifest!)).rejects.toThrow(/TS2322/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
