// Typed lint for every workspace; run from a workspace directory by `turbo run lint`.
import tseslint from 'typescript-eslint';

/**
 * The domain packages and the kernel: callable from a CLI, so nothing of GitHub Actions may load with them; and
 * local-host, the CLI's and the tests' view of this machine, which is core-free too.
 */
const CORE_FREE_SOURCES = [
  'packages/kernel/src/**/*.ts',
  'packages/local-host/src/**/*.ts',
  'packages/stack-deploy/src/**/*.ts',
  'packages/ami-publish/src/**/*.ts',
  'packages/packer-bake/src/**/*.ts',
  'packages/workflow-run/src/**/*.ts',
  'packages/rollout/src/**/*.ts',
];
/** What a runner never has: the test bed, and local-host (this repository, its tools, its moto). */
const TESTS_AND_CLI_ONLY = [
  { group: ['@img-mgr/testbed', '@img-mgr/testbed/*'], message: 'the test bed is for tests only' },
  {
    group: ['@img-mgr/local-host', '@img-mgr/local-host/*'],
    message: 'local-host is what runs on this machine, for the CLI and the tests; a runner has none of it',
  },
];
/** Lazy imports and import types of the packages above, as a selector's pattern. */
const NEVER_LOADED = '/^@(actions\\/|img-mgr\\/(action-kit|testbed|local-host)(\\/|$))/';
const CORE_FREE_MESSAGE =
  'the kernel and the domain packages are core-free: take a Context (log, signal, env, clients) instead; ' +
  'the @actions plumbing lives in @img-mgr/action-kit and the actions';

export default tseslint.config(
  // JavaScript is not linted, except the benchmarks (typed through bench/tsconfig.json: allowJs, no checkJs).
  { ignores: ['**/dist/**', '**/lib/**', '**/node_modules/**', '**/*.js', '**/*.mjs', '!bench/**/*.mjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The benchmarks are plain JavaScript: untyped parameters are `any`, so the no-unsafe-* rules would flag
    // every use of one. The promise rules (no-floating-promises above) still apply.
    files: ['bench/**/*.mjs'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Issue 16: the core-free kernel. tests/system/test/core-free.test.ts proves it at run time.
    files: CORE_FREE_SOURCES,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actions/*', '@img-mgr/action-kit', '@img-mgr/action-kit/*'],
              message: CORE_FREE_MESSAGE,
            },
            ...TESTS_AND_CLI_ONLY,
          ],
        },
      ],
      // no-restricted-imports sees static imports only; a lazy import() or an import type loads the same package.
      'no-restricted-syntax': [
        'error',
        {
          selector: `ImportExpression[source.value=${NEVER_LOADED}]`,
          message: CORE_FREE_MESSAGE,
        },
        {
          selector: `TSImportType[argument.literal.value=${NEVER_LOADED}]`,
          message: CORE_FREE_MESSAGE,
        },
      ],
    },
  },
  {
    // The actions and their plumbing run on a runner, too.
    files: ['actions/*/src/**/*.ts', 'packages/action-kit/src/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: TESTS_AND_CLI_ONLY }] },
  },
);
