// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    // Only the session host and the simulator speak to WhatsApp; the domain stays free of AWS and Baileys.
    files: ['shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@aws-sdk/*', '@whiskeysockets/*', 'aws-cdk-lib', 'aws-cdk-lib/*'] },
      ],
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
