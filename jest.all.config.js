/**
 * `npm run test:all`: the full suite, which CI runs (.ci/run). Everything in tests/, the property suites at
 * their default run counts, the whole platform-variant matrix, the browser test, the deploy bundle and
 * Forge lint. At most 10 minutes on a 2-core machine (README, "Run the tests").
 *
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Transpiled file by file (tsconfig.jest.json sets isolatedModules): `npm run build` type-checks.
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }],
  },
  // Jest's default is one worker fewer than the cores, a single worker on a 2-core machine, while the suites
  // spend their time in their own process (the local runtime runs in-process), so both cores can work.
  maxWorkers: 2,
  testTimeout: 30000,
};
