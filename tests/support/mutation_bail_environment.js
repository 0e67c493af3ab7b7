const { TestEnvironment } = require('jest-environment-node');

/**
 * Mutation runs only (jest.mutation.config.js). Jest cannot be told to stop at
 * the first failing test when called as a library, which Stryker does, so a
 * killed mutant would still run every test that reaches it. This environment
 * skips the remaining tests of a run once one has failed for the same mutant:
 * one failure is all it takes to call the mutant killed. The initial run (no
 * mutant active) is never cut short. Jest loads environments in the runner's
 * own realm, so this module's state is shared by every test file of a run.
 */
const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';
let killedMutant;

class BailOnFirstFailureEnvironment extends TestEnvironment {
  async handleTestEvent(event) {
    const mutant = process.env[ACTIVE_MUTANT];
    if (mutant === undefined) return;
    if (event.name === 'test_start' && killedMutant === mutant) event.test.mode = 'skip';
    if (event.name === 'test_done' && event.test.errors.length > 0) killedMutant = mutant;
  }
}

module.exports = BailOnFirstFailureEnvironment;
