import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { APP_ROOT } from '../runtime/invoker';

/**
 * `npm run build:ui`: bundles the admin page (src/frontend, React 18 and the
 * real @forge/bridge) into the Custom UI resource directory the manifest
 * names. index.html there is source; build/ is generated and not committed.
 * Deploys, `npm run dev` and the browser test all build it the same way.
 */

export const ADMIN_PAGE_DIR = path.join(APP_ROOT, 'static', 'admin-page');
export const ADMIN_PAGE_BUILD_DIR = path.join(ADMIN_PAGE_DIR, 'build');
const ENTRY = path.join(APP_ROOT, 'src', 'frontend', 'index.tsx');

export interface UiBuild {
  files: Array<{ name: string; bytes: number }>;
  millis: number;
}

export async function buildAdminPage(): Promise<UiBuild> {
  const started = Date.now();
  // Chunk names carry content hashes: start clean so old chunks do not pile up.
  rmSync(ADMIN_PAGE_BUILD_DIR, { recursive: true, force: true });
  mkdirSync(ADMIN_PAGE_BUILD_DIR, { recursive: true });
  const result = await build({
    entryPoints: { main: ENTRY },
    bundle: true,
    outdir: ADMIN_PAGE_BUILD_DIR,
    platform: 'browser',
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    target: ['chrome111', 'edge111', 'firefox111', 'safari16'],
    jsx: 'automatic',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
    metafile: true,
  });
  // A lazily loaded chunk's CSS is written beside it but never loaded by anything; the page's one stylesheet
  // carries it instead (the design system's classes are atomic, so a repeat is harmless).
  const lazyCss = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.css') && !f.endsWith('main.css'));
  for (const file of lazyCss)
    appendFileSync(path.join(ADMIN_PAGE_BUILD_DIR, 'main.css'), readFileSync(path.resolve(file), 'utf8'));
  return {
    files: Object.entries(result.metafile.outputs).map(([file, out]) => ({
      name: path.basename(file),
      bytes: out.bytes,
    })),
    millis: Date.now() - started,
  };
}

/** The code the page is built from: the frontend and what it shares with the resolver (contract, words, the schedule's constants, the closed-account marker). */
const SOURCE_DIRS = ['frontend', 'admin', 'privacy', 'scheduled'].map((dir) => path.join(APP_ROOT, 'src', dir));

function newestSourceChange(): number {
  let newest = 0;
  for (const dir of SOURCE_DIRS) {
    for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      newest = Math.max(newest, statSync(path.join(dir, name)).mtimeMs);
    }
  }
  return newest;
}

/** A build exists and is newer than every source it is made from (otherwise the browser test rebuilds). */
export function adminPageUpToDate(): boolean {
  try {
    return statSync(path.join(ADMIN_PAGE_BUILD_DIR, 'main.js')).mtimeMs >= newestSourceChange();
  } catch {
    return false;
  }
}

if (require.main === module) {
  buildAdminPage().then(
    ({ files, millis }) => {
      for (const f of files) console.log(`static/admin-page/build/${f.name}  ${(f.bytes / 1024).toFixed(1)} KiB`);
      console.log(`built in ${millis} ms`);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
