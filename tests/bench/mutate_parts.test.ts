import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  changedFiles,
  dropTestResults,
  fileDigests,
  FOLDERS,
  importGraph,
  isTestFile,
  mutatedBy,
  Part,
  PARTS,
  partsAsked,
  planPart,
  reachedFrom,
  SETUP_FILES,
  testFilesWithResults,
} from '../../bench/mutate_parts';
import { APP_ROOT } from '../../local/runtime/invoker';

/**
 * `npm run mutate:parts` runs a part again only when something its mutants' results
 * depend on changed, and then has Stryker test again only what the change can
 * affect: its own code through Stryker's diff, and the test files that load a
 * changed runtime or support file by dropping their earlier results.
 */

/** A small project: a mutated file, a runtime file two tests load, a pure test that loads neither. */
function project(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'mutate-parts-'));
  const files: Record<string, string> = {
    'src/storage/keys.ts': 'export const A = 1;\n',
    'src/phase5/report.ts': "import { A } from '../storage/keys';\nexport const r = A;\n",
    'local/kvs/emulator.ts': 'export const store = new Map();\n',
    'tests/support/world.ts': "import { store } from '../../local/kvs/emulator';\nexport const w = store;\n",
    'tests/storage/keys.test.ts': "import { A } from '../../src/storage/keys';\ntest('a', () => expect(A).toBe(1));\n",
    'tests/storage/world.test.ts': "import { w } from '../support/world';\ntest('w', () => expect(w).toBeDefined());\n",
    'tests/phase5/report.test.ts':
      "const { r } = require('../../src/phase5/report');\ntest('r', () => expect(r).toBe(1));\n",
    'stryker.config.mjs': 'export default {};\n',
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

const storage = PARTS.find((p) => p.name === 'storage')!;
const scheduled = PARTS.find((p) => p.name === 'scheduled')!;
const TESTS = ['tests/phase5/report.test.ts', 'tests/storage/keys.test.ts', 'tests/storage/world.test.ts'];

/** The plan for `part` after `edit` changed files of `root` since a run that left results for TESTS. */
function planAfter(root: string, part: Part, edit: () => void) {
  const previous = fileDigests(root);
  edit();
  const current = fileDigests(root);
  return planPart(part, {
    previous,
    current,
    graph: importGraph(root, Object.keys(current)),
    testFilesWithResults: TESTS,
  });
}
const write = (root: string, file: string, text: string) => () => {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
};

describe('which files a change reaches', () => {
  it("follows imports, requires and re-exports to every file a test loads, and nothing it doesn't", () => {
    const root = project();
    const graph = importGraph(root, Object.keys(fileDigests(root)));

    expect([...reachedFrom(graph, 'tests/storage/world.test.ts')].sort()).toEqual([
      'local/kvs/emulator.ts',
      'tests/storage/world.test.ts',
      'tests/support/world.ts',
    ]);
    expect(reachedFrom(graph, 'tests/phase5/report.test.ts')).toContain('src/storage/keys.ts');
    expect(reachedFrom(graph, 'tests/storage/keys.test.ts')).not.toContain('local/kvs/emulator.ts');
  });

  it("in this project, reaches the app's handlers through the local runtime, which loads them by manifest.yml's paths", () => {
    const graph = importGraph(APP_ROOT, Object.keys(fileDigests(APP_ROOT)));
    const wakeUps = reachedFrom(graph, 'tests/scheduled/wake_ups.test.ts');

    for (const file of [
      'local/kvs/emulator.ts',
      'manifest.yml',
      'src/scheduler_entry.ts',
      'src/scheduled/phase5_scheduler.ts',
      'src/storage/kvs_store.ts',
      'src/phase5/report.ts',
    ]) {
      expect({ file, reached: wakeUps.has(file) }).toEqual({ file, reached: true });
    }
    // A pure decision test loads no runtime: a change to the KVS emulator leaves its results standing.
    expect(reachedFrom(graph, 'tests/scheduled/decisions.test.ts').has('local/kvs/emulator.ts')).toBe(false);
  });
});

describe('what a part does when run again', () => {
  it('runs everything when it has no earlier run', () => {
    const root = project();
    const current = fileDigests(root);
    const plan = planPart(storage, { previous: undefined, current, graph: new Map(), testFilesWithResults: [] });
    expect(plan.action).toBe('full');
  });

  it('does not run when nothing changed, or only build output and reports', () => {
    const root = project();
    expect(planAfter(root, storage, () => undefined).action).toBe('skip');
    const plan = planAfter(root, storage, () => {
      for (const dir of ['reports/mutation', 'node_modules/x', 'src/.stryker-tmp']) {
        write(root, `${dir}/f.json`, '{}')();
      }
    });
    expect(plan.action).toBe('skip');
  });

  it("leaves its own changed code to Stryker's diff: incremental, no test file's results dropped", () => {
    const root = project();
    const plan = planAfter(root, storage, write(root, 'src/storage/keys.ts', 'export const A = 2;\n'));
    expect(plan).toMatchObject({ action: 'incremental', retest: [] });
  });

  it("does not run for another part's code: that part tests its changed mutants", () => {
    const root = project();
    const plan = planAfter(root, scheduled, write(root, 'src/storage/keys.ts', 'export const A = 2;\n'));
    expect(plan.action).toBe('skip');
  });

  it('runs, dropping results, only the test files that load a changed runtime or support file', () => {
    const root = project();
    const plan = planAfter(root, storage, write(root, 'local/kvs/emulator.ts', 'export const store = new Set();\n'));
    expect(plan).toMatchObject({ action: 'incremental', retest: ['tests/storage/world.test.ts'] });
  });

  it('counts code no part mutates (src/phase5) as such a file', () => {
    const root = project();
    const plan = planAfter(root, storage, write(root, 'src/phase5/report.ts', 'export const r = 2;\n'));
    expect(plan).toMatchObject({ action: 'incremental', retest: ['tests/phase5/report.test.ts'] });
  });

  it('runs when a test file is added or changed, and leaves the rest to Stryker', () => {
    const root = project();
    const plan = planAfter(root, scheduled, write(root, 'tests/storage/new.test.ts', "test('n', () => {});\n"));
    expect(plan).toMatchObject({ action: 'incremental', retest: [] });
  });

  it('does not run for a runtime file none of its tests load', () => {
    const root = project();
    expect(planAfter(root, storage, write(root, 'local/jira/site.ts', 'export const s = 1;\n')).action).toBe('skip');
  });

  it('runs everything again when the setup every mutant depends on changed', () => {
    const root = project();
    expect(planAfter(root, storage, write(root, 'stryker.config.mjs', 'export default { x: 1 };\n')).action).toBe(
      'full',
    );
  });
});

describe("a part's incremental file", () => {
  it("names the test files behind its results, and loses only the dropped ones' results", () => {
    const root = project();
    const file = path.join(root, 'incremental.json');
    writeFileSync(
      file,
      JSON.stringify({
        files: {
          'src/storage/keys.ts': {
            source: 'x',
            mutants: [
              { id: 'm1', status: 'Killed', killedBy: ['2'], coveredBy: ['2'] },
              { id: 'm2', status: 'Survived', coveredBy: ['1'] },
            ],
          },
        },
        testFiles: {
          'tests/storage/world.test.ts': { tests: [{ id: '1', name: 'w' }] },
          [path.join(root, 'tests/storage/keys.test.ts')]: { tests: [{ id: '2', name: 'a' }] },
          'tests/phase5/report.test.ts': { tests: [{ id: '3', name: 'r' }] },
        },
      }),
    );

    // The report test reached none of the part's mutants: a change only it loads cannot change a result.
    expect(testFilesWithResults(root, file).sort()).toEqual([
      'tests/storage/keys.test.ts',
      'tests/storage/world.test.ts',
    ]);
    expect(dropTestResults(root, file, ['tests/storage/keys.test.ts'])).toBe(1);

    const after = JSON.parse(readFileSync(file, 'utf8')) as { files: object; testFiles: object };
    expect(Object.keys(after.testFiles)).toEqual(['tests/storage/world.test.ts', 'tests/phase5/report.test.ts']);
    expect(Object.keys(after.files)).toEqual(['src/storage/keys.ts']);
  });
});

describe('the setup files', () => {
  it('include every file the mutation Jest configuration names', () => {
    const saved = process.env.PROPERTY_RUNS;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const config = require(path.join(APP_ROOT, 'jest.mutation.config.js')) as Record<string, unknown>;
    // Loading it sets PROPERTY_RUNS for the mutation runs; this process keeps its own.
    if (saved === undefined) delete process.env.PROPERTY_RUNS;
    else process.env.PROPERTY_RUNS = saved;
    const named = [config.testEnvironment, config.testSequencer, ...((config.setupFilesAfterEnv as string[]) ?? [])]
      .map((f) => String(f).replace('<rootDir>', APP_ROOT))
      .map((f) => path.relative(APP_ROOT, f).split(path.sep).join('/'));

    // And the configuration files it builds on.
    const text = readFileSync(path.join(APP_ROOT, 'jest.mutation.config.js'), 'utf8');
    const required = [...text.matchAll(/require\('\.\/([^']+)'\)/g)].map((m) => m[1]);

    expect(named.length).toBeGreaterThan(0);
    expect(required.length).toBeGreaterThan(0);
    for (const file of [...named, ...required]) expect(SETUP_FILES).toContain(file);
  });

  it('are all changes that re-run a part in full', () => {
    const files = fileDigests(APP_ROOT);
    for (const file of SETUP_FILES) expect({ file, exists: file in files }).toEqual({ file, exists: true });
    expect(changedFiles({ a: '1', b: '2' }, { a: '1', c: '3' })).toEqual(['b', 'c']);
  });
});

describe('the parts', () => {
  const sourceFiles = (folder: string): string[] =>
    readdirSync(path.join(APP_ROOT, folder), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.posix.join(folder, f.split(path.sep).join('/')));

  it('mutate every source file of the four folders exactly once, each within its folder', () => {
    const files = FOLDERS.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const owners = PARTS.filter((p) => mutatedBy(p, file));
      expect({ file, owners: owners.map((p) => p.name) }).toEqual({ file, owners: [expect.any(String)] });
      expect(file.startsWith(`${owners[0].folder}/`)).toBe(true);
      expect(isTestFile(file)).toBe(false);
    }
  });

  it('have names that are distinct and safe as file names', () => {
    const names = PARTS.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9-]+$/);
  });

  it('are chosen by name or by folder, all of them when none is named', () => {
    const names = (args: string[]) => partsAsked(args).map((p) => p.name);
    expect(names([])).toEqual(PARTS.map((p) => p.name));
    expect(names(['src/admin'])).toEqual(['admin-actions', 'admin-status', 'admin-other']);
    expect(names(['admin-status', 'src/phase4'])).toEqual(['phase4', 'admin-status']);
  });
});
