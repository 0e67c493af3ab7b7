// ESLint for defects, not style (Prettier owns formatting). Type-aware, because the
// defects that matter most in a scheduler are promises: a floating promise in a Forge
// function is work that may never run once the handler returns, and a `return promise`
// inside `try` escapes the `catch` that turns every failure into a response.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // What .gitignore names: built output and local data, never source.
    ignores: [
      'node_modules/**',
      'coverage/**',
      '**/dist/**',
      'out/**',
      '.forge/**',
      '.local-data/**',
      'reports/**',
      '.stryker-tmp*/**',
      'static/**/build/**',
    ],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Promises.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      'no-async-promise-executor': 'error',
      // Exhaustive handling of the app's unions (outcome reasons, triggers, datasets).
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // Logic slips the type checker does not see.
      'no-constant-binary-expression': 'error',
      'no-self-compare': 'error',
      'no-unsafe-finally': 'error',
      'no-unsafe-optional-chaining': 'error',
      'no-template-curly-in-string': 'error',
      eqeqeq: ['error', 'smart'],
      // tsc's noUnusedLocals/noUnusedParameters already report these.
      '@typescript-eslint/no-unused-vars': 'off',
      // Style, not defects: an async stand-in without await, a cast that is merely redundant,
      // `const runtime = this` for getters in an object literal.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/no-this-alias': 'off',
    },
  },
  {
    // What Forge deploys: the architecture's import rules.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@forge/kvs',
              message: 'Only src/storage/kvs_store.ts talks to @forge/kvs; use the storage module.',
            },
            {
              name: '@forge/api',
              importNames: ['storage'],
              message: 'Removed from @forge/api 8; storage goes through src/storage.',
            },
          ],
          patterns: [
            {
              regex: '^(\\.\\./)+(local|tests|bench)(/|$)',
              message: 'src/ is deployed to Forge; it must not depend on the local runtime, tests or benchmarks.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/storage/kvs_store.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@forge/api', importNames: ['storage'], message: 'Removed from @forge/api 8.' }] },
      ],
    },
  },
  {
    // Tests read JSON bodies as `any` on purpose and assert on them; Jest's
    // `expect(obj.method)` trips unbound-method. Neither is a defect in a test.
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' },
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module' },
  },
);
