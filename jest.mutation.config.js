/**
 * The Jest configuration Stryker runs (`npm run mutate`), never `npm test`.
 *
 * Every mutant is run against the tests that reach its line, so this suite must
 * be fast and repeatable rather than exhaustive:
 *  - suites that never execute src/scheduled, src/storage, src/admin or src/phase4
 *    are left out: the browser test, the deploy bundle and Forge lint, the bench
 *    and soak, the KVS and Jira emulators' own contract tests;
 *  - so is the `npm start` simulator's test: one fault-free installation through
 *    360 invocations, which would add its 7-20 s to every scheduler and storage
 *    mutant while checking nothing the scheduler tests do not check one by one;
 *  - and the platform-variant matrix (tests/variants/scheduler_story.test.ts), the
 *    whole scheduler story once per variant, about 40 s; the storage behaviour
 *    per variant has its own quick tests in tests/storage/kvs_store_variants.test.ts;
 *  - the property suites run fewer generated histories (PROPERTY_RUNS, 300 in
 *    `npm test`) from a fixed seed, so a mutant they kill is killed on every run
 *    and the report does not change between two runs of the same code.
 */
process.env.PROPERTY_RUNS ??= '10';

const path = require('node:path');
const base = require('./jest.all.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  // Jest finds a mutated file's tests through the import graph, which it only sees inside its roots.
  roots: ['<rootDir>/tests', '<rootDir>/src', '<rootDir>/local'],
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/tests/e2e/',
    // `npm start` and `npm run dev` as child processes: coverage cannot see into them, so no mutant is ever
    // given one of these tests to run, and they would only lengthen the initial run.
    '<rootDir>/tests/cli/',
    '<rootDir>/tests/conformance/',
    '<rootDir>/tests/bench/',
    '<rootDir>/tests/local/kvs/',
    '<rootDir>/tests/local/jira/',
    '<rootDir>/tests/local/simulator/',
    '<rootDir>/tests/variants/scheduler_story.test.ts',
  ],
  setupFilesAfterEnv: ['<rootDir>/tests/support/fixed_property_seed.ts'],
  // A mutant is killed by its first failing test: run the quick files first and skip the rest.
  // An absolute path: Stryker loads the environment itself and does not expand <rootDir>.
  testEnvironment: path.join(__dirname, 'tests/support/mutation_bail_environment.js'),
  testSequencer: path.join(__dirname, 'tests/support/mutation_sequencer.js'),
};
