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
 *  - Load only the files that hold the tests to run. Stryker picks a mutant's
 *    tests by name, and Jest still loads every test file related to the mutated
 *    file (often twenty, most of them with no test of that name) to find them.
 *    So the initial run, which runs every test, records which file holds which
 *    test (TEST_MAP, in the sandbox), and mutation_sequencer.js leaves out the
 *    files that hold none of the tests asked for.
 *
 * The initial run (no mutant active) is never cut short.
 */
const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';
const TEST_MAP = '.mutation-test-map.json';
let killedMutant;

/** The name Jest matches `testNamePattern` against: describe titles, then the test's, space-separated. */
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
  }

  async handleTestEvent(event) {
    const mutant = process.env[ACTIVE_MUTANT];
    if (mutant === undefined) {
      if (event.name === 'test_start') this.testIds.push(testId(event.test));
      return;
    }
    if (event.name === 'test_start' && killedMutant === mutant) event.test.mode = 'skip';
    if (event.name === 'test_done' && event.test.errors.length > 0) killedMutant = mutant;
  }

  async teardown() {
    // Only Stryker's initial run records: a plain `jest -c jest.mutation.config.js` leaves no file behind.
    const initialRun = process.env.STRYKER_MUTATOR_WORKER !== undefined && process.env[ACTIVE_MUTANT] === undefined;
    if (initialRun && this.testIds.length > 0) {
      let map = {};
      try {
        map = JSON.parse(readFileSync(this.mapFile, 'utf8'));
      } catch {
        // First file of the initial run.
      }
      map[this.testPath] = this.testIds;
      writeFileSync(this.mapFile, JSON.stringify(map));
    }
    await super.teardown();
  }
}

module.exports = BailOnFirstFailureEnvironment;
module.exports.TEST_MAP = TEST_MAP;
