import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * npm run mutate:parts [-- --force] [src/storage | admin-actions ...]
 *
 * The same mutation run as `npm run mutate`, one part at a time, each part's
 * report kept in reports/mutation/parts/. A whole run takes four to five hours on
 * two cores; run in parts, a run that is cut short (a laptop lid, a CI job's
 * limit, the end of a working day) keeps every part it finished, and running the
 * command again starts at the first part whose report is missing or out of date.
 * A part is a folder, or for src/admin, whose run alone is about two hours, a
 * group of its files, so that no part takes much more than the hour and a half
 * of src/scheduled.
 *
 * A part's report is up to date when nothing it depends on has changed since
 * its run started: the code, the tests, the local runtime, the lockfile and the
 * Jest and Stryker configuration (inputsStamp). Any test may kill any mutant, so
 * every part depends on all of them. `--force` runs every part.
 *
 * Each part costs one extra initial test run (under a minute) against a single
 * run's. At the end the reports are scored together (`npm run mutate:score`).
 */

export const FOLDERS = ['src/phase4', 'src/storage', 'src/scheduled', 'src/admin'] as const;

export interface Part {
  /** The report's name under reports/mutation/parts/. */
  name: string;
  folder: (typeof FOLDERS)[number];
  /** Stryker `mutate` patterns; a `!` pattern leaves files out. */
  mutate: string[];
}

const ADMIN_ACTIONS = ['src/admin/actions.ts', 'src/admin/admin_records.ts'];
const ADMIN_STATUS = ['src/admin/status_view.ts', 'src/admin/format.ts', 'src/admin/people.ts'];

/**
 * Smallest first. The last admin part is "everything else in src/admin", so a file
 * added there later is mutated without anyone updating this list.
 */
export const PARTS: readonly Part[] = [
  { name: 'phase4', folder: 'src/phase4', mutate: ['src/phase4/**/*.ts'] },
  { name: 'storage', folder: 'src/storage', mutate: ['src/storage/**/*.ts'] },
  { name: 'scheduled', folder: 'src/scheduled', mutate: ['src/scheduled/**/*.ts'] },
  { name: 'admin-actions', folder: 'src/admin', mutate: ADMIN_ACTIONS },
  { name: 'admin-status', folder: 'src/admin', mutate: ADMIN_STATUS },
  {
    name: 'admin-other',
    folder: 'src/admin',
    mutate: ['src/admin/**/*.ts', ...[...ADMIN_ACTIONS, ...ADMIN_STATUS].map((f) => `!${f}`)],
  },
];

/** The parts a command line asks for: by part name or by folder; all of them when it names none. */
export function partsAsked(args: readonly string[]): { parts: Part[]; unknown: string[] } {
  const asked = args.filter((a) => !a.startsWith('--'));
  const unknown = asked.filter((a) => !PARTS.some((p) => p.name === a || p.folder === a));
  const parts =
    asked.length === 0 ? [...PARTS] : PARTS.filter((p) => asked.includes(p.name) || asked.includes(p.folder));
  return { parts, unknown };
}

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

export interface PartPaths {
  report: string;
  stamp: string;
}

export function partPaths(root: string, part: string): PartPaths {
  const base = path.join(root, 'reports', 'mutation', 'parts', part);
  return { report: `${base}.json`, stamp: `${base}.stamp` };
}

/** Whether a part's kept report answers for the inputs as they are now. */
export function isUpToDate(paths: PartPaths, stamp: string): boolean {
  if (!existsSync(paths.report) || !existsSync(paths.stamp)) return false;
  return readFileSync(paths.stamp, 'utf8').trim() === stamp;
}

function main(): void {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const { parts, unknown } = partsAsked(args);
  if (unknown.length > 0) {
    console.error(
      `Not a part or a mutated folder: ${unknown.join(', ')}. ` +
        `The parts are ${PARTS.map((p) => p.name).join(', ')}; the folders ${FOLDERS.join(', ')}.`,
    );
    process.exit(2);
  }
  const root = process.cwd();
  mkdirSync(path.join(root, 'reports', 'mutation', 'parts'), { recursive: true });

  for (const part of parts) {
    const paths = partPaths(root, part.name);
    const stamp = inputsStamp(root);
    if (!force && isUpToDate(paths, stamp)) {
      console.log(`${part.name}: report up to date (${path.relative(root, paths.report)}), not run again`);
      continue;
    }
    console.log(`${part.name}: mutation run started ${new Date().toISOString()}`);
    const started = Date.now();
    const run = spawnSync('npx', ['stryker', 'run', '--mutate', part.mutate.join(',')], {
      stdio: 'inherit',
      env: { ...process.env, MUTATE_PART: part.name },
    });
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    if (run.status !== 0 || !existsSync(paths.report) || statSync(paths.report).mtimeMs < started) {
      console.error(`${part.name}: the run did not finish (exit ${run.status ?? run.signal}) after ${minutes} min`);
      process.exit(1);
    }
    writeFileSync(paths.stamp, `${stamp}\n`);
    console.log(`${part.name}: done in ${minutes} min`);
  }

  const reports = PARTS.map((p) => partPaths(root, p.name).report).filter((r) => existsSync(r));
  const score = spawnSync('npx', ['tsx', path.join(__dirname, 'mutation_score.ts'), ...reports], { stdio: 'inherit' });
  process.exit(score.status ?? 1);
}

if (require.main === module) main();
