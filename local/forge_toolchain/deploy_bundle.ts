import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { getEntryPoints, getNodeBundler, getWrapperProvider } from '@forge/bundler';
import { FileSystemReader } from '@forge/cli-shared';
import type { ManifestSchema } from '@forge/manifest';

/**
 * The app's code bundled exactly as `forge deploy` bundles it: @forge/bundler's
 * Node bundler (webpack 5, ts-loader over the app's tsconfig.json, one
 * `<module>.cjs` per handler module, production mode). A TypeScript error in
 * any bundled file fails the build, as it fails a deploy.
 *
 * Offline, the one thing missing is Forge's runtime wrapper, which the bundler
 * downloads from Atlassian's CDN and copies beside the code. FORGE_RUNTIME_PATH
 * (read by @forge/bundler itself) points it at a directory holding a stand-in
 * `dist/wrapper.js` and `dist/loader.js` instead; the stand-in refuses to run,
 * so such a bundle cannot be mistaken for a release.
 */

const STAND_IN = (part: string) =>
  `// Stand-in for Forge's Node runtime ${part}, written by local/forge_toolchain for offline bundling.\n` +
  `// forge deploy downloads the real one from Atlassian's CDN.\n` +
  `throw new Error('Local stand-in for the Forge runtime ${part}: this bundle was built offline for checks, not for deployment');\n`;

/** A runtime wrapper directory for FORGE_RUNTIME_PATH (written fresh each time: the repo git-ignores every `dist/`). */
function standInRuntimeWrapper(workDir: string): string {
  const dir = path.join(workDir, 'runtime-stand-in');
  mkdirSync(path.join(dir, 'dist'), { recursive: true });
  writeFileSync(path.join(dir, 'dist', 'wrapper.js'), STAND_IN('wrapper'));
  writeFileSync(path.join(dir, 'dist', 'loader.js'), STAND_IN('loader'));
  return dir;
}

export interface BundledFile {
  name: string;
  bytes: number;
  gzipBytes: number;
}

export interface DeployBundle {
  outputDir: string;
  /** The manifest's handlers: `scheduler_entry.phase5SchedulerHandler` is exported by `scheduler_entry.cjs`. */
  handlers: Array<{ module: string; func: string }>;
  /** The handler modules, one `<module>.cjs` each. */
  handlerModules: string[];
  /** The code files Forge would run, without source maps. */
  code: BundledFile[];
  /** Every source webpack put into the bundle, from the source maps (`./src/…`, `./node_modules/…`). */
  sources: string[];
  /** The sources of each handler module's own `.cjs`, by module: what one function loads. */
  moduleSources: Record<string, string[]>;
  /** Files the bundler adds from the runtime wrapper directory (stand-ins here). */
  runtimeArtifacts: string[];
  /** Webpack warnings (errors throw). */
  warnings: string[];
  dispose(): void;
}

function handlerModulesOf(manifest: ManifestSchema): Array<{ module: string; func: string }> {
  const functions = (manifest.modules?.function ?? []) as Array<{ handler: string }>;
  const handlers = [...new Set(functions.map((f) => f.handler))];
  return handlers.map((handler) => {
    const [module, func, ...rest] = handler.split('.');
    if (!module || !func || rest.length > 0) throw new Error(`Handler "${handler}" must be <module>.<export>`);
    return { module, func };
  });
}

function sourcesOf(mapFile: string): string[] {
  const map = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources?: string[] };
  return (map.sources ?? []).map((s) => s.replace(/^webpack:\/\/[^/]*\//, ''));
}

/** The bundler's output directories this process has made (`tmp` names them forge-dist-<pid>-…). */
function ownOutputDirectories(): Set<string> {
  const prefix = `forge-dist-${process.pid}-`;
  return new Set(
    readdirSync(os.tmpdir())
      .filter((n) => n.startsWith(prefix))
      .map((n) => path.join(os.tmpdir(), n)),
  );
}

/**
 * Bundle `appRoot` as `forge deploy` would. The caller disposes of the result.
 * The bundler makes its output directory under the system temporary directory
 * and leaves it behind when the build fails; those are removed here.
 */
export async function bundleAsForgeDeploys(appRoot: string, manifest: ManifestSchema): Promise<DeployBundle> {
  const warnings: string[] = [];
  const logger = {
    info: () => undefined,
    debug: () => undefined,
    trace: () => undefined,
    error: () => undefined,
    warn: (message: string) => warnings.push(message),
  } as unknown as Parameters<typeof getNodeBundler>[0];
  const previousCwd = process.cwd();
  const previousRuntimePath = process.env.FORGE_RUNTIME_PATH;
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'forge-bundle-'));
  const outputsBefore = ownOutputDirectories();
  let built = false;
  process.env.FORGE_RUNTIME_PATH = previousRuntimePath ?? standInRuntimeWrapper(workDir);
  // Entry points are resolved against the working directory (`src/<module>`), as in the CLI.
  process.chdir(appRoot);
  try {
    const handlers = handlerModulesOf(manifest);
    const fileSystemReader = new FileSystemReader();
    const bundler = getNodeBundler(logger, getWrapperProvider({ fileSystemReader }), {
      readConfig: () => Promise.resolve(manifest),
    });
    const output = await bundler.bundle({ appDirectory: appRoot, entryPoints: getEntryPoints(handlers) });
    const outputDir = output.outputDir;
    const names = readdirSync(outputDir).sort();
    const code = names
      .filter((n) => n.endsWith('.cjs') || n.endsWith('.js'))
      .map((name) => {
        const content = readFileSync(path.join(outputDir, name));
        return { name, bytes: statSync(path.join(outputDir, name)).size, gzipBytes: gzipSync(content).length };
      });
    const sources = [
      ...new Set(names.filter((n) => n.endsWith('.map')).flatMap((n) => sourcesOf(path.join(outputDir, n)))),
    ].sort();
    const moduleSources: Record<string, string[]> = {};
    for (const { module } of handlers) {
      const map = names.find((n) => n === `${module}.cjs.map` || n === `${module}.js.map`);
      moduleSources[module] = map ? [...new Set(sourcesOf(path.join(outputDir, map)))].sort() : [];
    }
    built = true;
    return {
      outputDir,
      handlers,
      handlerModules: [...new Set(handlers.map((h) => h.module))],
      code,
      sources,
      moduleSources,
      runtimeArtifacts: [...(output.additionalOutputs?.keys() ?? [])].sort(),
      warnings,
      dispose: () => {
        rmSync(outputDir, { recursive: true, force: true });
        rmSync(workDir, { recursive: true, force: true });
      },
    };
  } finally {
    process.chdir(previousCwd);
    if (previousRuntimePath === undefined) delete process.env.FORGE_RUNTIME_PATH;
    else process.env.FORGE_RUNTIME_PATH = previousRuntimePath;
    if (!built) {
      rmSync(workDir, { recursive: true, force: true });
      for (const dir of ownOutputDirectories()) {
        if (!outputsBefore.has(dir)) rmSync(dir, { recursive: true, force: true });
      }
    }
  }
}

/** The app's own files in a bundle (everything that is not a dependency or webpack's runtime). */
export function appSourcesOf(bundle: Pick<DeployBundle, 'sources'>): string[] {
  return bundle.sources.filter(
    (s) => s.startsWith('./') && !s.startsWith('./node_modules/') && !s.includes('/node_modules/'),
  );
}
