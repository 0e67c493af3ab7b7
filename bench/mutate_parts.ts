import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { minimatch } from 'minimatch';
import {
  commandLineOrExit,
  EXIT_CODES,
  helpText,
  OperandSpec,
  Rejected,
  runTool,
  toggle,
  wholeNumber,
} from '../local/cli/options';
import { loadManifest } from '../local/runtime/manifest';

/**
 * npm run mutate:parts [-- --force] [-- --concurrency N] [src/storage | admin-actions ...]
 *
 * The same mutation run as `npm run mutate`, one part at a time, each part with
 * its own report and its own Stryker incremental file in reports/mutation/parts/.
 * The first run of a part mutates all of it (a whole run takes four to five hours
 * on two cores); after that, each run is incremental: Stryker re-tests only the
 * mutants a change can affect and reuses every other result, so re-scoring after
 * a change fits in a working session. A run cut short keeps every part it
 * finished. A part is a folder, or for src/admin, whose run alone is about two
 * hours, a group of its files, so that no part takes much more than the hour and
 * a half of src/scheduled.
 *
 * Which changes a part's run must answer for, and who notices them:
 *
 *  - Its own mutated files and the test files: Stryker's incremental diff. A
 *    mutant whose code changed is tested again; a killed one again when the test
 *    that killed it changed; a surviving one when a test was added or changed.
 *  - Files mutated by another part: Stryker's model, as in one whole incremental
 *    run. That part re-tests its changed mutants; this part keeps its results.
 *  - Everything else the tests load, which Stryker's diff never looks at: the
 *    local Forge runtime (local/), shared test support (tests/support/), the
 *    parts of src/ no part mutates (src/phase5, the entry files, ...) and
 *    manifest.yml. Here a change *reaches* a test file when the file loads it,
 *    directly or through other files (importGraph: the relative imports and
 *    requires of every file, plus the handlers the local runtime loads by the
 *    paths in manifest.yml). Each test file a change reaches, of those behind the
 *    part's results (a test in it killed or covered one of its mutants), has its
 *    earlier results dropped from the part's incremental file, so Stryker counts
 *    its tests as new: every mutant one of them killed or covered is tested again,
 *    and every other result is kept. A part none of whose such test files is
 *    reached is not run.
 *  - The setup every mutant's run depends on (SETUP_FILES: the lockfile, the Jest,
 *    Stryker and TypeScript configuration, the test environment and sequencer):
 *    every part is run again in full.
 *
 * Each part's run costs one initial test run (about a minute) on top of the
 * mutants it tests. At the end the kept reports are scored together
 * (`npm run mutate:score`).
 */

const COMMAND = 'npm run mutate:parts';

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

/** Whether `part` mutates `file` (relative, `/`-separated), as Stryker reads its `mutate` patterns. */
export function mutatedBy(part: Part, file: string): boolean {
  return (
    part.mutate.some((p) => !p.startsWith('!') && minimatch(file, p)) &&
    !part.mutate.some((p) => p.startsWith('!') && minimatch(file, p.slice(1)))
  );
}

/** The parts a command line asks for: by part name or by folder; all of them when it names none. */
export function partsAsked(asked: readonly string[]): Part[] {
  return asked.length === 0 ? [...PARTS] : PARTS.filter((p) => asked.includes(p.name) || asked.includes(p.folder));
}

/**
 * What every mutant's result depends on, whoever's it is: a change here re-runs every part
 * in full. The three files under tests/support, and the configuration it builds on, are the ones
 * jest.mutation.config.js names (a test that reads that configuration keeps this list complete).
 */
export const SETUP_FILES = [
  'package-lock.json',
  'jest.config.js',
  'jest.all.config.js',
  'jest.mutation.config.js',
  'stryker.config.mjs',
  'tsconfig.json',
  'tsconfig.jest.json',
  'tests/support/fixed_property_seed.ts',
  'tests/support/mutation_bail_environment.js',
  'tests/support/mutation_sequencer.js',
];

/** What a mutation run's outcome can depend on, relative to the project root. */
export const INPUTS = ['src', 'tests', 'local', 'manifest.yml', ...SETUP_FILES];

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

/** Every input file's content digest, by path relative to `root`. */
export type Digests = Record<string, string>;

export function fileDigests(root: string, inputs: readonly string[] = INPUTS): Digests {
  const files: string[] = [];
  for (const input of inputs) filesUnder(root, input, files);
  const digests: Digests = {};
  for (const file of [...new Set(files)].sort()) {
    digests[file] = createHash('sha256')
      .update(readFileSync(path.join(root, file)))
      .digest('hex');
  }
  return digests;
}

/** Files added, removed or changed between two digests. */
export function changedFiles(before: Digests, after: Digests): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((f) => before[f] !== after[f]).sort();
}

export const isTestFile = (file: string): boolean => file.startsWith('tests/') && /\.test\.tsx?$/.test(file);

const CODE = /\.(ts|tsx|js|mjs|cjs)$/;
const SPECIFIERS =
  /\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)|\bimport\s+['"]([^'"]+)['"]/g;
/** The file through which the local runtime loads each handler, by the path manifest.yml gives. */
const HANDLER_LOADER = 'local/runtime/manifest.ts';

/**
 * Which files each code file loads: its relative imports, re-exports and requires (string
 * literals; packages are left out, the lockfile stands for them), and, for the local runtime's
 * handler loader, manifest.yml and every handler's entry file under src/.
 */
export function importGraph(root: string, files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  /** As Node and TypeScript resolve a relative module path from folder `dir`. */
  const resolve = (dir: string, spec: string): string | undefined => {
    const base = path.posix.normalize(path.posix.join(dir, spec));
    return ['', '.ts', '.tsx', '.js', '.mjs', '.cjs', '/index.ts', '/index.js']
      .map((ext) => base + ext)
      .find((f) => known.has(f));
  };
  const graph = new Map<string, string[]>();
  for (const file of files) {
    if (!CODE.test(file)) continue;
    const text = readFileSync(path.join(root, file), 'utf8');
    const loads = new Set<string>();
    for (const m of text.matchAll(SPECIFIERS)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
      if (!spec.startsWith('.')) continue;
      const target = resolve(path.posix.dirname(file), spec);
      if (target) loads.add(target);
    }
    graph.set(file, [...loads]);
  }
  if (graph.has(HANDLER_LOADER) && known.has('manifest.yml')) {
    // `<module>.<export>`, the module relative to src/ (resolveHandler).
    const entries = [...loadManifest(root).functions.values()]
      .map((f) => resolve('src', f.handler.split('.')[0]))
      .filter((f) => f !== undefined);
    graph.set(HANDLER_LOADER, [...graph.get(HANDLER_LOADER)!, 'manifest.yml', ...entries]);
  }
  return graph;
}

/** Every file `start` loads, directly or through others, and `start` itself. */
export function reachedFrom(graph: ReadonlyMap<string, readonly string[]>, start: string): Set<string> {
  const seen = new Set([start]);
  const queue = [start];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    for (const next of graph.get(file) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

export type PartPlan =
  | { action: 'skip'; why: string }
  | { action: 'full'; why: string }
  | {
      action: 'incremental';
      why: string;
      /** Test files whose earlier results are dropped, so that their mutants are tested again. */
      retest: string[];
    };

export interface PartState {
  /** The inputs' digests when the part's last completed run started; absent when it has none. */
  previous: Digests | undefined;
  current: Digests;
  graph: ReadonlyMap<string, readonly string[]>;
  /** The test files behind the part's kept results (testFilesWithResults). */
  testFilesWithResults: readonly string[];
}

const listed = (files: readonly string[]) =>
  files.length <= 3 ? files.join(', ') : `${files.slice(0, 3).join(', ')} and ${files.length - 3} more`;

/** What running `part` again must do, from what changed since its last completed run (module comment). */
export function planPart(part: Part, state: PartState): PartPlan {
  if (state.previous === undefined) return { action: 'full', why: 'no earlier run kept: every mutant is tested' };
  const changed = changedFiles(state.previous, state.current);
  if (changed.length === 0) return { action: 'skip', why: 'nothing changed since its last run' };
  const setup = changed.filter((f) => SETUP_FILES.includes(f));
  if (setup.length > 0) return { action: 'full', why: `${listed(setup)} changed: every mutant is tested again` };

  const own = changed.filter((f) => mutatedBy(part, f));
  const tests = changed.filter(isTestFile);
  const others = changed.filter((f) => !isTestFile(f) && !PARTS.some((p) => mutatedBy(p, f)));
  const withResults = new Set(state.testFilesWithResults);
  const retest =
    others.length === 0
      ? []
      : [...withResults].filter((t) => others.some((f) => reachedFrom(state.graph, t).has(f))).sort();

  const reasons = [
    ...(own.length > 0 ? [`its files changed (${listed(own)})`] : []),
    ...(tests.length > 0 ? [`test files changed (${listed(tests)})`] : []),
    ...(retest.length > 0 ? [`${listed(others)} changed, which ${retest.length} of its test files load`] : []),
  ];
  if (reasons.length === 0) {
    return {
      action: 'skip',
      why: `up to date: what changed (${listed(changed)}) is another part's code, or loaded by none of its tests`,
    };
  }
  return { action: 'incremental', why: `${reasons.join('; ')}: only what that can affect is tested`, retest };
}

export interface PartPaths {
  /** Stryker's JSON report of the part, every mutant's result (reused or new). */
  report: string;
  /** Stryker's incremental file for the part alone. */
  incremental: string;
  /** The inputs' digests when the last completed run started (PartRecord). */
  record: string;
}

export function partPaths(root: string, part: string): PartPaths {
  const base = path.join(root, 'reports', 'mutation', 'parts', part);
  return { report: `${base}.json`, incremental: `${base}.incremental.json`, record: `${base}.inputs.json` };
}

interface IncrementalReport {
  files?: Record<string, { mutants?: Array<{ coveredBy?: string[]; killedBy?: string[] }> }>;
  testFiles?: Record<string, { tests?: Array<{ id: string }> }>;
}

const relative = (root: string, file: string) =>
  (path.isAbsolute(file) ? path.relative(root, file) : file).split(path.sep).join('/');

/**
 * The test files behind an incremental file's results, relative to `root`: those holding a test
 * that killed or covered one of its mutants. A test file that reached none of them can change
 * no result by changing its behaviour, except by killing a survivor it did not reach before,
 * which the next run with --force (or a change to the part's own code) finds.
 */
export function testFilesWithResults(root: string, incrementalFile: string): string[] {
  const report = JSON.parse(readFileSync(incrementalFile, 'utf8')) as IncrementalReport;
  const used = new Set<string>();
  for (const file of Object.values(report.files ?? {})) {
    for (const m of file.mutants ?? []) for (const id of [...(m.killedBy ?? []), ...(m.coveredBy ?? [])]) used.add(id);
  }
  return Object.entries(report.testFiles ?? {})
    .filter(([, t]) => (t.tests ?? []).some((test) => used.has(test.id)))
    .map(([name]) => relative(root, name));
}

/**
 * Drops what an incremental file knows of `testFiles`. Stryker then finds their tests new: it
 * tests again every mutant one of them killed (its killer is no longer known) or covered (a
 * new test covers it), and reuses every other result. Returns how many files were dropped.
 */
export function dropTestResults(root: string, incrementalFile: string, testFiles: readonly string[]): number {
  const report = JSON.parse(readFileSync(incrementalFile, 'utf8')) as IncrementalReport;
  const drop = new Set(testFiles);
  let dropped = 0;
  for (const name of Object.keys(report.testFiles ?? {})) {
    if (drop.has(relative(root, name))) {
      delete report.testFiles![name];
      dropped++;
    }
  }
  writeFileSync(incrementalFile, JSON.stringify(report));
  return dropped;
}

/** What the part's kept files say: the earlier digests, if its last run completed and left both files. */
function previousDigests(paths: PartPaths): Digests | undefined {
  if (![paths.report, paths.incremental, paths.record].every((f) => existsSync(f))) return undefined;
  return (JSON.parse(readFileSync(paths.record, 'utf8')) as { digests: Digests }).digests;
}

const PART_OPERAND: OperandSpec<string> = {
  placeholder: 'PART',
  accepts: `a part (${PARTS.map((p) => p.name).join(', ')}) or a mutated folder (${FOLDERS.join(', ')})`,
  help: 'the parts to run, by name or folder; all of them when none is named',
  parse: (text) => {
    if (!PARTS.some((p) => p.name === text || p.folder === text)) {
      throw new Rejected(
        `is not a part or a mutated folder: the parts are ${PARTS.map((p) => p.name).join(', ')}; ` +
          `the folders ${FOLDERS.join(', ')}`,
      );
    }
    return text;
  },
};

export const MUTATE_PARTS_OPTIONS = {
  force: toggle('test every mutant of the parts asked for, reusing no earlier result'),
  concurrency: wholeNumber({
    min: 1,
    max: 64,
    help: "Stryker's test processes (its default: every core, up to four); 1 keeps to one on a shared machine",
  }),
  help: toggle('show this text'),
};

export const MUTATE_PARTS_HELP = helpText(
  `Usage: ${COMMAND} -- [options] [PART ...]`,
  'Mutation testing (Stryker) one part at a time, each with its own report and incremental file in\n' +
    'reports/mutation/parts/; a part whose inputs have not changed is not run again, and one whose\n' +
    'inputs changed tests again only what the change can affect (see bench/mutate_parts.ts). Then\n' +
    'scores the kept reports together. Exit code 0 when every survivor is listed, 1 when not, 2 when\n' +
    'an argument is wrong, 3 when a part did not finish.',
  MUTATE_PARTS_OPTIONS,
  PART_OPERAND,
);

async function main(): Promise<void> {
  const { values, operands } = commandLineOrExit(COMMAND, MUTATE_PARTS_OPTIONS, MUTATE_PARTS_HELP, PART_OPERAND);
  const root = process.cwd();
  mkdirSync(path.join(root, 'reports', 'mutation', 'parts'), { recursive: true });
  // Taken before any part runs: an edit made meanwhile is a change the next run answers for.
  const current = fileDigests(root);
  const graph = importGraph(root, Object.keys(current));

  for (const part of partsAsked(operands)) {
    const paths = partPaths(root, part.name);
    const previous = previousDigests(paths);
    const plan: PartPlan = values.force
      ? { action: 'full', why: '--force: every mutant is tested' }
      : planPart(part, {
          previous,
          current,
          graph,
          testFilesWithResults: previous ? testFilesWithResults(root, paths.incremental) : [],
        });
    console.log(`${part.name}: ${plan.why}`);
    if (plan.action === 'skip') continue;
    if (plan.action === 'incremental' && plan.retest.length > 0) {
      dropTestResults(root, paths.incremental, plan.retest);
    }
    console.log(`${part.name}: mutation run started ${new Date().toISOString()}`);
    const started = Date.now();
    const args = [
      'stryker',
      'run',
      '--mutate',
      part.mutate.join(','),
      '--incremental',
      '--incrementalFile',
      path.relative(root, paths.incremental),
      ...(plan.action === 'full' ? ['--force'] : []),
      ...(values.concurrency !== undefined ? ['--concurrency', String(values.concurrency)] : []),
    ];
    const run = spawnSync('npx', args, { stdio: 'inherit', env: { ...process.env, MUTATE_PART: part.name } });
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    if (run.status !== 0 || !existsSync(paths.report) || statSync(paths.report).mtimeMs < started) {
      console.error(
        `${COMMAND}: ${part.name}: the run did not finish (exit ${run.status ?? run.signal}) after ${minutes} min`,
      );
      process.exit(EXIT_CODES.crashed);
    }
    writeFileSync(paths.record, JSON.stringify({ digests: current }));
    console.log(`${part.name}: done in ${minutes} min`);
  }

  const reports = PARTS.map((p) => partPaths(root, p.name).report).filter((r) => existsSync(r));
  if (reports.length === 0) return;
  const score = spawnSync('npx', ['tsx', path.join(__dirname, 'mutation_score.ts'), ...reports], { stdio: 'inherit' });
  process.exitCode = score.status ?? EXIT_CODES.crashed;
}

if (require.main === module) runTool(COMMAND, main);
