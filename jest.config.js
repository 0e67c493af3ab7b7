/**
 * `npm test`: the everyday loop, at most 3 minutes on a 2-core machine (README, "Run the tests").
 *
 * It reaches every module of src/ and local/, but runs the expensive suites small:
 *  - the property suites at PROPERTY_RUNS=25 generated histories (their defaults, 150 to 300, in test:all);
 *  - a sample of the platform-variant matrix (VARIANT_MATRIX=sample, tests/variants/scheduler_story.test.ts);
 *  - not the browser test, the deploy bundle or Forge lint, which exercise the build rather than the code,
 *    and are most of the full suite's fixed cost.
 * `npm run test:all` (jest.all.config.js) runs everything, as CI does.
 */
process.env.PROPERTY_RUNS ??= '25';
process.env.VARIANT_MATRIX ??= 'sample';

const all = require('./jest.all.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...all,
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/tests/e2e/',
    '<rootDir>/tests/conformance/deploy_bundle.test.ts',
    '<rootDir>/tests/conformance/forge_lint.test.ts',
  ],
};
