// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** shared/ never imports a process (host, functions, simulator, local cloud, console). */
const NO_PROCESS_IMPORTS = {
  // `./local/` and `../local/` inside shared/ are the local adapters (shared/adapters/local), not local/.
  group: [
    '**/session-host/**',
    '**/functions/**',
    '**/simulator/**',
    '**/local/**',
    '!./local/**',
    '!../local/**',
    '**/web/**',
  ],
  message: 'shared/ must not import a process; move what both need into shared/.',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.local/', 'web/dist/', 'web/src/api/schema.d.ts', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Files stay small enough to read (Style, "files past ~400 lines"). The files listed below are older than
    // this rule and still over it: split them when work passes through, and never add to the list.
    files: ['**/*.ts', '**/*.tsx'],
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: [
      'simulator/simulator.ts',
      'simulator/control/http.ts',
      'session-host/runner.ts',
      'shared/adapters/dynamodb/message-repository.ts',
      'bench/api-send.ts',
      'test/component/functions/http/messages.test.ts',
      'test/component/functions/http/sessions.test.ts',
      'test/component/session-host/messaging/receive.test.ts',
      'test/browser/web/console.test.ts',
    ],
    rules: { 'max-lines': ['error', { max: 700, skipBlankLines: true, skipComments: true }] },
  },
  {
    // shared/ is the core every process builds on: it never reaches into a process (host, functions, simulator,
    // local cloud, console), so each of them can be built and tested on its own.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [NO_PROCESS_IMPORTS],
        },
      ],
    },
  },
  {
    // Ports and adapters stand below the services: an adapter implements a port, it never calls a service.
    files: ['shared/ports/**/*.ts', 'shared/adapters/**/*.ts', 'shared/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_PROCESS_IMPORTS,
            {
              group: ['**/services/**'],
              message:
                'Ports and adapters do not depend on services: move the type or error to shared/ports/.',
            },
          ],
        },
      ],
    },
  },
  {
    // Only the session host and the simulator speak to WhatsApp; the domain stays free of AWS and Baileys.
    files: ['shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', '@whiskeysockets/*', 'aws-cdk-lib', 'aws-cdk-lib/*'],
              message: 'The domain stays free of AWS, Baileys and CDK.',
            },
            {
              group: [
                '**/services/**',
                '**/adapters/**',
                '**/session-host/**',
                '**/functions/**',
                '**/simulator/**',
                '**/local/**',
                '**/web/**',
              ],
              message: 'The domain depends on nothing but itself.',
            },
          ],
        },
      ],
    },
  },
  {
    // A promise nobody awaits or catches is a crash or a silent stop waiting to happen in a long-lived process
    // (the session host) and a lost write in a function. Type-aware, so only where it matters: not the tests,
    // benches, infra or console.
    files: [
      'shared/**/*.ts',
      'functions/**/*.ts',
      'session-host/**/*.ts',
      'local/**/*.ts',
      'simulator/**/*.ts',
    ],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // `import { z } from 'zod'` keeps all of zod (its 60 locales too, ~440 KB) in every Lambda bundle; the
    // namespace import lets esbuild drop what a function does not use (docs/infra.md, "Lambda bundles").
    files: ['functions/**/*.ts', 'shared/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value='zod'][importKind='value'] > ImportSpecifier[imported.name='z']",
          message: "Use `import * as z from 'zod'`: `{ z }` bundles all of zod into every Lambda function.",
        },
      ],
    },
  },
);
