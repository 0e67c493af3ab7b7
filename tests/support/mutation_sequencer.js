const Sequencer = require('@jest/test-sequencer').default;
const { readFileSync, statSync } = require('node:fs');
const path = require('node:path');
const { TEST_MAP, ACTIVE_MUTANT } = require('./mutation_bail_environment');

/**
 * Mutation runs only (jest.mutation.config.js).
 *
 * Which files, from the initial run's record (see mutation_bail_environment.js):
 *  - when Stryker asks for a mutant's tests by name, the files that hold one of
 *    those tests;
 *  - when it asks for every test (a mutant in code that runs as a module loads),
 *    the files that reached that mutant in the initial run, at load or in a test.
 *    A file that never ran the mutated code cannot tell the mutant apart.
 * A file the record does not know is kept, and so is every file when there is no
 * record: leaving a file out must never drop a test that could kill the mutant.
 *
 * In which order: the quick, focused test files first and the property suites
 * last, so a mutant is usually killed (and the rest of its run skipped) before
 * the slow generated histories start.
 */
class FastFirstSequencer extends Sequencer {
  constructor(options) {
    super(options);
    const { globalConfig } = options;
    this.namePattern = globalConfig.testNamePattern ? new RegExp(globalConfig.testNamePattern, 'i') : undefined;
    this.rootDir = globalConfig.rootDir;
    this.mutant = process.env[ACTIVE_MUTANT];
  }

  /** Test file path → `{ tests, mutants }` from the initial run, or undefined when there is no record. */
  record(tests) {
    const dirs = new Set([this.rootDir, ...tests.map((t) => t.context.config.rootDir)]);
    for (const dir of dirs) {
      if (!dir) continue;
      try {
        return JSON.parse(readFileSync(path.join(dir, TEST_MAP), 'utf8'));
      } catch {
        // No record in this root.
      }
    }
    return undefined;
  }

  sort(tests) {
    let chosen = tests;
    const record = (this.namePattern || this.mutant !== undefined) && this.record(tests);
    if (record) {
      chosen = tests.filter((t) => {
        const seen = record[t.path];
        if (seen === undefined) return true;
        if (this.namePattern) return seen.tests.some((name) => this.namePattern.test(name));
        return seen.mutants.includes(this.mutant);
      });
    }
    const weight = (test) => (test.path.includes('/tests/properties/') ? 1e9 : 0) + statSync(test.path).size;
    return [...chosen].sort((a, b) => weight(a) - weight(b));
  }
}

module.exports = FastFirstSequencer;
