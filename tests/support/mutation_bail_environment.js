const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { TestEnvironment } = require('jest-environment-node');

/**
 * Mutation runs only (jest.mutation.config.js). Two things Jest cannot be told
 * when Stryker calls it as a library:
 *
 *  - Stop at the first failing test. A killed mutant would still run every test
 *    that reaches it, so this environment skips the remaining tests of a run once
 *    one has failed for the same mutant: one failure is all it takes to call the
 *    mutant killed. Jest loads environments in the runner's own realm, so this
 *    module's state is shared by every test file of a run.
 *  - Load only the files that can see the mutant. Stryker picks a mutant's tests
 *    by name, or asks for every test when the mutant is in code that runs as a
 *    module loads; either way Jest would load every test file (sixty of them) to
 *    find out. So the initial run, which runs every test, records for each file
 *    the names of its tests and the mutants it reached (TEST_MAP, in the
 *    sandbox), and mutation_sequencer.js leaves out the files that hold none of
 *    the tests asked for, or, when every test is asked for, that never reached the
 *    mutant.
 *
 * Why the second record: Stryker's per-test coverage charges code that runs as a
 * module loads to whichever test was running at that moment. The local Forge
 * runtime loads handlers lazily, inside a test, so a key pattern or a backoff
 * duration would be charged to the one test that first loaded it, and the tests
 * that check it would never be run against its mutants. With `ignoreStatic` off,
 * Stryker asks for every test for such a mutant, and this record narrows that to
 * the files that load the module.
 *
 * The initial run (no mutant active) is never cut short.
 */
const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';
const TEST_MAP = '.mutation-test-map.json';
let killedMutant;

/** The name Jest matches `testNamePattern` against, and Stryker keys coverage by: describe titles, then the test's. */
function testId(test) {
  const titles = [];
  for (let block = test; block && block.parent; block = block.parent) titles.unshift(block.name);
  return titles.join(' ');
}

class BailOnFirstFailureEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.testPath = context.testPath;
    this.mapFile = path.join(config.projectConfig.rootDir, TEST_MAP);
    this.testIds = [];
    this.reached = new Set();
    this.staticBefore = {};
  }

  /** Stryker's coverage counters, shared by every file of a run (absent outside Stryker). */
  coverage() {
    const ns = this.global[this.global.__strykerGlobalNamespace__ ?? '__stryker__'];
    return ns?.mutantCoverage;
  }

  async handleTestEvent(event) {
    const mutant = process.env[ACTIVE_MUTANT];
    if (mutant === undefined) {
      if (event.name === 'setup') this.staticBefore = { ...this.coverage()?.static };
      if (event.name === 'test_start') this.testIds.push(testId(event.test));
      if (event.name === 'test_done') {
        for (const id of Object.keys(this.coverage()?.perTest?.[testId(event.test)] ?? {})) this.reached.add(id);
      }
      return;
    }
    if (event.name === 'test_start' && killedMutant === mutant) event.test.mode = 'skip';
    if (event.name === 'test_done' && event.test.errors.length > 0) killedMutant = mutant;
  }

  async teardown() {
    // Only Stryker's initial run records: a plain `jest -c jest.mutation.config.js` leaves no file behind.
    const initialRun = process.env.STRYKER_MUTATOR_WORKER !== undefined && process.env[ACTIVE_MUTANT] === undefined;
    if (initialRun && this.testIds.length > 0) {
      // Reached outside any test: while this file and the modules it imports loaded, or in its hooks.
      for (const [id, hits] of Object.entries(this.coverage()?.static ?? {})) {
        if (hits > (this.staticBefore[id] ?? 0)) this.reached.add(id);
      }
      let map = {};
      try {
        map = JSON.parse(readFileSync(this.mapFile, 'utf8'));
      } catch {
        // First file of the initial run.
      }
      map[this.testPath] = { tests: this.testIds, mutants: [...this.reached] };
      writeFileSync(this.mapFile, JSON.stringify(map));
    }
    await super.teardown();
  }
}

module.exports = BailOnFirstFailureEnvironment;
module.exports.TEST_MAP = TEST_MAP;
module.exports.ACTIVE_MUTANT = ACTIVE_MUTANT;
