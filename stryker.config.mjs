// Mutation testing of the scheduler, storage, admin actions and installation
// evidence: `npm run mutate`. Not part of `npm test` or CI (a full run takes the
// better part of an hour on two cores; README "Mutation testing").
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  mutate: ['src/scheduled/**/*.ts', 'src/storage/**/*.ts', 'src/admin/**/*.ts', 'src/phase4/**/*.ts'],
  testRunner: 'jest',
  jest: {
    configFile: 'jest.mutation.config.js',
    // Only test files that import the mutated file (directly or not) are loaded for a mutant.
    enableFindRelatedTests: true,
  },
  // Each mutant runs only the tests that executed its code in the initial run.
  coverageAnalysis: 'perTest',
  // A mutant in a module-level constant (a key pattern, a duration in config.ts) takes effect when
  // the module loads, so it would need every test file run afresh: ten times the cost of the rest.
  // They are left out of the score; `-- --ignoreStatic false` runs them too.
  ignoreStatic: true,
  // A mutant that does not compile is reported as such instead of being run.
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // One test process: the machine this runs on is shared. `-- --concurrency 2` is faster on an idle one.
  concurrency: 1,
  // The property suites' timings vary with load; give a slow run room before calling it a timeout.
  timeoutFactor: 2,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  ignorePatterns: ['reports', '.local-data', 'static/admin-page/build', 'coverage', 'out'],
  thresholds: { high: 90, low: 80, break: null },
};
