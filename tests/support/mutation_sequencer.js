const Sequencer = require('@jest/test-sequencer').default;
const { readFileSync, statSync } = require('node:fs');
const path = require('node:path');
const { TEST_MAP } = require('./mutation_bail_environment');

/**
 * Mutation runs only (jest.mutation.config.js).
 *
 * Which files: when Stryker asks for tests by name (a mutant's run), only the
 * files that hold one of those tests, as the initial run recorded them (see
 * mutation_bail_environment.js). A file the record does not know is kept, and so
 * is every file when no record or no name is given: leaving a file out must never
 * drop a test that was asked for.
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
  }

  /** Test file path → the names of its tests, or undefined when there is no record. */
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
    const record = this.namePattern && this.record(tests);
    if (record) {
      chosen = tests.filter((t) => {
        const names = record[t.path];
        return names === undefined || names.some((name) => this.namePattern.test(name));
      });
    }
    const weight = (test) => (test.path.includes('/tests/properties/') ? 1e9 : 0) + statSync(test.path).size;
    return [...chosen].sort((a, b) => weight(a) - weight(b));
  }
}

module.exports = FastFirstSequencer;
