// Type-checked lint rules; floating promises are errors (house style).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import { readFileSync } from 'node:fs'

// The stages of src/, top to bottom, with the few exceptions to "import only what is below";
// docs/architecture.md lists the folders in the same order (a unit test checks it).
const LAYOUT = JSON.parse(readFileSync(new URL('./src-stages.json', import.meta.url), 'utf8'))

/** Import specifiers of a folder of src/ (or one file of it) from any depth inside a stage. */
function specifiers(path) {
  return ['../', '../../', '../../../'].map((up) => `${up}${path}`)
}

/** Negated patterns letting the given files of src/ (`actors/ports.ts`) through a group. */
function unless(files) {
  return files.flatMap((file) => specifiers(file.replace(/\.ts$/, '.js')).map((s) => `!${s}`))
}

/**
 * One no-restricted-imports rule per stage: every stage above it is forbidden, less the files
 * `allowedUpward` lets through, plus the folders below it that `forbiddenDownward` names.
 */
function stageBoundaries({ stages, allowedUpward, forbiddenDownward, noDrivers }) {
  const folders = stages.map((s) => s.folder)
  return folders.map((stage, at) => {
    const above = folders.slice(0, at)
    const narrower = forbiddenDownward.filter((f) => f.from.includes(stage))
    const allowed = allowedUpward.filter((a) => a.from === stage).flatMap((a) => unless([a.file]))
    const patterns = [
      ...(above.length > 0
        ? [
            {
              group: [...above.flatMap((f) => specifiers(`${f}/*`)), ...allowed],
              message: `${stage}/ sits below these stages in the data path and imports none of them (src-stages.json).`,
            },
          ]
        : []),
      ...narrower.map((n) => ({
        group: [...n.folders.flatMap((f) => specifiers(`${f}/*`)), ...unless(n.except ?? [])],
        message: `${stage}/ does not import ${n.folders.join(', ')}${n.except ? ` beyond ${n.except.join(', ')}` : ''}: ${n.why}.`,
      })),
      ...(noDrivers.folders.includes(stage)
        ? [{ group: noDrivers.drivers, message: `${noDrivers.why}.` }]
        : []),
    ]
    return {
      files: [`src/${stage}/**/*.ts`],
      rules: patterns.length > 0 ? { 'no-restricted-imports': ['error', { patterns }] } : {},
    }
  })
}

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
  // The stages of the data path import only the stages below them (domain at the bottom,
  // main at the top), so the layout reads in one direction. The exceptions are in
  // src-stages.json, each with its reason: streams/ sees actors/ports.ts; http/ and archive/
  // are held narrower; only main/ imports the actors beyond their ports; domain and actors
  // use no driver.
  ...stageBoundaries(LAYOUT),
  {
    // The dashboard's browser code: its own program (DOM, ES modules), served as compiled.
    files: ['web/**/*.ts'],
    languageOptions: {
      parserOptions: { project: './tsconfig.web.json', tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'harness/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // jest's asymmetric matchers (expect.objectContaining, ...) are typed `any`.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
)
