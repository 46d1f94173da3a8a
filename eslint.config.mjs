// Type-checked lint rules; floating promises are errors (house style).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'dist/',
      '.build/',
      'node_modules/',
      '.cache/',
      '.run/',
      '.venv/',
      'clients/',
      'coverage/',
      '*.mjs',
      'jest.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': ['error'],
    },
  },
  {
    files: ['src/domain/**/*.ts', 'src/actors/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['pg', 'pg-cursor', 'kafkajs', 'mqtt', 'koa', 'aedes'],
              message: 'Domain and actors import no driver: use the port interfaces.',
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      'src/cli.ts',
      'src/main/cli.ts',
      'src/main/usage.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
      'harness/**/*.ts',
    ],
    rules: { 'no-console': 'off' },
  },
  {
    // jest's asymmetric matchers (expect.objectContaining, ...) are typed `any`.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
)
