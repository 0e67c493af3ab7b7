import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * npm run mutate:parts [-- --force] [src/storage ...]
 *
 * The same mutation run as `npm run mutate`, one folder at a time, smallest
 * first, each folder's report kept in reports/mutation/parts/. A whole run takes
 * over two hours on two cores; run in parts, a run that is cut short (a laptop
 * lid, a CI job's limit) keeps every folder it finished, and running the command
 * again starts at the first folder whose report is missing or out of date.
 *
 * A folder's report is up to date when nothing it depends on has changed since
 * its run started: the code, the tests, the local runtime, the lockfile and the
 * Jest and Stryker configuration (inputsStamp). `--force` runs every folder.
 *
 * Each folder costs one extra initial test run (under a minute) against a single
 * run's. At the end the reports are scored together (`npm run mutate:score`).
 */

export const FOLDERS = ['src/phase4', 'src/storage', 'src/scheduled', 'src/admin'] as const;

/** What a mutation run's outcome depends on, relative to the project root. */
export const INPUTS = [
  'src',
  'tests',
  'local',
  'package-lock.json',
  'jest.config.js',
  'jest.mutation.config.js',
  'stryker.config.mjs',
  'tsconfig.json',
];

const SKIP_DIRS = new Set(['node_modules', '.stryker-tmp', 'reports', 'coverage', 'build']);

function filesUnder(root: string, rel: string, out: string[]): void {
  const full = path.join(root, rel);
  if (!existsSync(full)) return;
  if (!statSync(full).isDirectory()) {
    out.push(rel);
    return;
  }
  for (const name of readdirSync(full)) {
    if (SKIP_DIRS.has(name)) continue;
    filesUnder(root, path.posix.join(rel, name), out);
  }
}

/** A digest of every input's path and content: equal stamps, equal mutation results (up to flaky tests). */
export function inputsStamp(root: string, inputs: readonly string[] = INPUTS): string {
  const files: string[] = [];
  for (const input of inputs) filesUnder(root, input, files);
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(path.join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export const partName = (folder: string) => folder.replace(/^src\//, '');

export interface PartPaths {
  report: string;
  stamp: string;
}

export function partPaths(root: string, folder: string): PartPaths {
  const base = path.join(root, 'reports', 'mutation', 'parts', partName(folder));
  return { report: `${base}.json`, stamp: `${base}.stamp` };
}

/** Whether a folder's kept report answers for the inputs as they are now. */
export function isUpToDate(paths: PartPaths, stamp: string): boolean {
  if (!existsSync(paths.report) || !existsSync(paths.stamp)) return false;
  return readFileSync(paths.stamp, 'utf8').trim() === stamp;
}

function main(): void {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const asked = args.filter((a) => !a.startsWith('--'));
  const unknown = asked.filter((a) => !(FOLDERS as readonly string[]).includes(a));
  if (unknown.length > 0) {
    console.error(`Not a mutated folder: ${unknown.join(', ')}. The folders are ${FOLDERS.join(', ')}.`);
    process.exit(2);
  }
  const root = process.cwd();
  const folders = asked.length > 0 ? asked : [...FOLDERS];
  mkdirSync(path.join(root, 'reports', 'mutation', 'parts'), { recursive: true });

  for (const folder of folders) {
    const paths = partPaths(root, folder);
    const stamp = inputsStamp(root);
    if (!force && isUpToDate(paths, stamp)) {
      console.log(`${folder}: report up to date (${path.relative(root, paths.report)}), not run again`);
      continue;
    }
    console.log(`${folder}: mutation run started ${new Date().toISOString()}`);
    const started = Date.now();
    const run = spawnSync('npx', ['stryker', 'run'], {
      stdio: 'inherit',
      env: { ...process.env, MUTATE_FOLDER: folder },
    });
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    if (run.status !== 0 || !existsSync(paths.report) || statSync(paths.report).mtimeMs < started) {
      console.error(`${folder}: the run did not finish (exit ${run.status ?? run.signal}) after ${minutes} min`);
      process.exit(1);
    }
    writeFileSync(paths.stamp, `${stamp}\n`);
    console.log(`${folder}: done in ${minutes} min`);
  }

  const reports = FOLDERS.map((f) => partPaths(root, f).report).filter((r) => existsSync(r));
  const score = spawnSync('npx', ['tsx', path.join(__dirname, 'mutation_score.ts'), ...reports], { stdio: 'inherit' });
  process.exit(score.status ?? 1);
}

if (require.main === module) main();
