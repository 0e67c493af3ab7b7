// Mutation testing of the scheduler, storage, admin actions and installation
// evidence: `npm run mutate`. Not part of `npm test` or CI: a full run takes four
// to five hours on two cores (README "Mutation testing").

// `npm run mutate:parts` (bench/mutate_parts.ts) runs one part at a time, naming its files with `--mutate`
// and the part in MUTATE_PART, and keeps each part's report and incremental file, so a run cut short keeps
// the parts it finished and a later run re-tests only what changed. One incremental file per part: with a
// shared one, each part's run would overwrite the others' results with its own.
const part = process.env.MUTATE_PART;
const reportName = part ? `parts/${part}` : 'mutation';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  mutate: ['src/scheduled/**/*.ts', 'src/storage/**/*.ts', 'src/admin/**/*.ts', 'src/phase4/**/*.ts'],
  testRunner: 'jest',
  jest: {
    configFile: 'jest.mutation.config.js',
    // Not Jest's --findRelatedTests: it follows static imports only, and most tests reach src/ through
    // the local Forge runtime, which loads each handler from the manifest's path. It found no test at
    // all for src/admin/actions.ts, so every mutant there "survived". Which files a mutant's run loads
    // is narrowed instead by tests/support/mutation_sequencer.js, from the initial run's record.
    enableFindRelatedTests: false,
  },
  // Each mutant runs only the tests that executed its code in the initial run.
  coverageAnalysis: 'perTest',
  // A mutant in code that runs as a module loads (a key pattern, a backoff duration) is "static": Stryker
  // cannot tell which tests see it, so it asks for every test. Ignoring them would also leave the
  // "hybrid" ones (loaded at the top of one test file, inside a test of another) tested only against
  // that one test, and they would falsely survive. They are run instead, and
  // tests/support/mutation_sequencer.js narrows "every test" to the files that reached the mutant.
  ignoreStatic: false,
  // A mutant that does not compile is reported as such instead of being run.
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // No `concurrency`: Stryker uses every core (all of them up to four, one fewer above). With the
  // TypeScript checker on, half of them check types first and then join the test runners.
  // `-- --concurrency 1` keeps to one test process on a shared machine.
  // The property suites' timings vary with load; give a slow run room before calling it a timeout.
  timeoutFactor: 2,
  timeoutMS: 20_000,
  // survivor-log (tests/support/stryker_survivor_log.mjs) writes each survivor as soon as it is known.
  plugins: ['@stryker-mutator/*', './tests/support/stryker_survivor_log.mjs'],
  reporters: ['clear-text', 'progress-append-only', 'html', 'json', 'survivor-log'],
  htmlReporter: { fileName: `reports/mutation/${reportName}.html` },
  jsonReporter: { fileName: `reports/mutation/${reportName}.json` },
  incrementalFile: part
    ? `reports/mutation/parts/${part}.incremental.json`
    : 'reports/mutation/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  ignorePatterns: ['reports', '.local-data', 'static/admin-page/build', 'coverage', 'out'],
  thresholds: { high: 90, low: 80, break: null },
};
