// Type-checked lint rules; floating promises are errors (house style).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const DRIVERS = ['pg', 'pg-cursor', 'kafkajs', 'mqtt', 'koa', 'aedes']

/** One no-restricted-imports rule per stage folder of src/: the folders it must not import. */
function stageBoundaries(forbidden) {
  return Object.entries(forbidden).map(([stage, folders]) => ({
    files: [`src/${stage}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: folders.flatMap((f) => [`../${f}/*`, `../../${f}/*`, `../../../${f}/*`]),
              message: `${stage}/ sits below these stages in the data path and imports none of them.`,
            },
            ...(stage === 'domain' || stage === 'actors'
              ? [
                  {
                    group: DRIVERS,
                    message: 'Domain and actors import no driver: use the port interfaces.',
                  },
                ]
              : []),
          ],
        },
      ],
    },
  }))
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
  // main at the top), so the layout reads in one direction. Domain and actors use no driver.
  ...stageBoundaries({
    domain: [
      'actors',
      'streams',
      'journal',
      'publish',
      'sparkplug',
      'cluster',
      'archive',
      'retention',
      'read',
      'http',
      'main',
    ],
    actors: [
      'streams',
      'journal',
      'publish',
      'sparkplug',
      'cluster',
      'archive',
      'retention',
      'read',
      'http',
      'main',
    ],
    streams: [
      'journal',
      'publish',
      'sparkplug',
      'cluster',
      'archive',
      'retention',
      'read',
      'http',
      'main',
    ],
    journal: [
      'streams',
      'publish',
      'sparkplug',
      'cluster',
      'archive',
      'retention',
      'read',
      'http',
      'main',
    ],
    publish: ['streams', 'sparkplug', 'cluster', 'archive', 'retention', 'read', 'http', 'main'],
    // Archive files of the log: the events as Avro, written and read back; no database.
    archive: [
      'actors',
      'streams',
      'journal',
      'sparkplug',
      'series',
      'cluster',
      'retention',
      'read',
      'http',
      'main',
    ],
    // Retention of the log: checks, snapshots, archive, detach and drop, over what journal made.
    retention: ['actors', 'streams', 'sparkplug', 'series', 'cluster', 'read', 'http', 'main'],
    // The Sparkplug B host: MQTT's industrial dialect turned into the inputs streams carry.
    sparkplug: ['actors', 'publish', 'series', 'cluster', 'read', 'http', 'main'],
    // Time series for charts, rolled up from the committed log that journal writes.
    series: [
      'actors',
      'streams',
      'sparkplug',
      'cluster',
      'archive',
      'retention',
      'read',
      'http',
      'main',
    ],
    // The Kafka ingest topic between the cluster roles: fed by streams, committed by journal.
    cluster: ['sparkplug', 'read', 'http', 'main'],
    read: ['streams', 'sparkplug', 'cluster', 'retention', 'http', 'main'],
    // HTTP reads through the ports of read/, never a store of its own choosing.
    http: ['journal', 'cluster', 'main'],
  }),
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
