const Sequencer = require('@jest/test-sequencer').default;
const { statSync } = require('node:fs');

/**
 * Mutation runs only (jest.mutation.config.js): the quick, focused test files
 * first and the property suites last, so a mutant is usually killed (and the
 * rest of its run skipped, see mutation_bail_environment.js) before the slow
 * generated histories start.
 */
class FastFirstSequencer extends Sequencer {
  sort(tests) {
    const weight = (test) => (test.path.includes('/tests/properties/') ? 1e9 : 0) + statSync(test.path).size;
    return [...tests].sort((a, b) => weight(a) - weight(b));
  }
}

module.exports = FastFirstSequencer;
