import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'docs/api/',
      'node_modules/',
      'coverage/',
      'scripts/',
      '.ci/',
      '.scratch/',
      'eslint.config.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // State flags change under re-entrant callbacks, and public methods check their
      // arguments at run time for untyped callers: both look "unnecessary" to the type checker.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // asyncio's eofReceived returns a truthy value or nothing: `boolean | void` says exactly that.
      '@typescript-eslint/no-invalid-void-type': 'off',
    },
  },
  {
    // The core and the operators are platform-free: Node's modules stay in the adapters.
    files: ['src/core/**/*.ts', 'src/operators/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'net', 'dgram', 'child_process', 'fs', 'os', 'stream'],
              message: 'src/core and src/operators must not import Node modules.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['spec/**/*.ts', 'marbles/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // jest's asymmetric matchers (expect.objectContaining, ...) are typed `any`.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
);
