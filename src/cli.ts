#!/usr/bin/env -S node --max-semi-space-size=64
// A 64 MB young generation (also in package.json's start, the Dockerfile and the tests): the
// messages in flight die young instead of being promoted; the bench measured 10% less CPU.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig, type Config } from './main/config.js'
import { createLogger, type Logger } from './logger.js'
import { startService } from './main/service.js'
import { Simulator } from './simulate/simulator.js'
import { startEmbeddedPostgres } from './main/embedded/postgres.js'
import { migrate } from './journal/migrate.js'
import { PgOutbox } from './publish/outbox.js'
import { createPool } from './journal/pool.js'
import { SchemaRegistry } from './publish/avro/schema-registry.js'
import { stateTopics } from './publish/avro/event-records.js'
import { projectPath } from './project-root.js'
import { KafkaEventProducer } from './publish/event-producer.js'
import { readKafkaHistory } from './read/kafka-history.js'
import { readLogHistory } from './read/log-history.js'
import { rebuildStateTables } from './read/rebuild-tables.js'
import { republishLog } from './publish/republish.js'
import type { Pool } from 'pg'
import { eventCatalogJson } from './domain/event-catalog.js'

const USAGE = `usage: millstream <command> [options]

commands:
  start                       run the service (configuration from the environment, see README)
  simulate [--machines N] [--rate R] [--duration S] [--scrap P]
                              publish production reports from N virtual machines, R parts/s each
  migrate                     apply database migrations and exit
  replay rebuild --from kafka|log [--since ISO-8601]
                              rebuild the state tables from the Kafka topics or the PostgreSQL log
  replay publish [--since ISO-8601] [--topic-prefix P] [--restart]
                              re-publish the PostgreSQL log to Kafka (resumes where it stopped)
  catalog                     print the event catalog (type, entity, topic, schema) as JSON
`

const version = (
  JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as {
    version: string
  }
).version

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  let config: Config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      return 2
    }
    throw err
  }
  const log = createLogger(config.logLevel)
  switch (command) {
    case 'start':
      return start(config, log)
    case 'simulate':
      return simulate(config, log, rest)
    case 'migrate':
      return withDatabase(config, log, () => Promise.resolve(0))
    case 'replay':
      return replay(config, log, rest)
    case 'catalog':
      process.stdout.write(eventCatalogJson())
      return 0
    default:
      console.error(USAGE)
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2
  }
}

async function start(config: Config, log: Logger): Promise<number> {
  const service = await startService(config, log, version)
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      log.info({ signal }, 'shutting down')
      const force = setTimeout(() => {
        log.error('shutdown timed out; exiting')
        process.exit(1)
      }, config.shutdownTimeoutMs)
      force.unref()
      service.stop().then(resolve, resolve)
    }
    process.once('SIGTERM', onSignal)
    process.once('SIGINT', onSignal)
  })
  log.info('stopped')
  return 0
}

async function simulate(config: Config, log: Logger, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      machines: { type: 'string', default: '10' },
      rate: { type: 'string', default: '1' },
      duration: { type: 'string', default: '0' },
      scrap: { type: 'string', default: '0.02' },
    },
  })
  const numbers = {
    machines: Number(values.machines),
    rate: Number(values.rate),
    duration: Number(values.duration),
    scrap: Number(values.scrap),
  }
  const bad = Object.entries(numbers).filter(([, v]) => !Number.isFinite(v) || v < 0)
  if (bad.length > 0 || numbers.machines < 1 || numbers.scrap > 1) {
    console.error(`invalid simulate options: ${JSON.stringify(numbers)}\n\n${USAGE}`)
    return 2
  }
  const abort = new AbortController()
  process.once('SIGINT', () => abort.abort())
  process.once('SIGTERM', () => abort.abort())
  const simulator = new Simulator(
    {
      url: config.mqtt.url ?? `mqtt://127.0.0.1:${config.mqtt.embeddedPort}`,
      topicPrefix: config.mqtt.topicPrefix,
      machines: numbers.machines,
      rate: numbers.rate,
      durationSeconds: numbers.duration,
      scrapRate: numbers.scrap,
    },
    log.child({ module: 'simulator' }),
  )
  await simulator.run(abort.signal)
  return 0
}

/** Runs `work` with a migrated pool on the configured (or embedded) database. */
async function withDatabase(
  config: Config,
  log: Logger,
  work: (pool: Pool) => Promise<number>,
): Promise<number> {
  const embedded = config.database.url
    ? undefined
    : await startEmbeddedPostgres(config.database.dataDir, config.database.embeddedPort, log)
  const pool = createPool(config.database.url ?? (embedded?.url as string), log, 2)
  try {
    const applied = await migrate(pool, log)
    log.info({ applied }, 'migrations done')
    return await work(pool)
  } finally {
    await pool.end()
    await embedded?.stop()
  }
}

async function replay(config: Config, log: Logger, args: string[]): Promise<number> {
  const [mode, ...rest] = args
  const { values } = parseArgs({
    args: rest,
    options: {
      from: { type: 'string' },
      since: { type: 'string' },
      'topic-prefix': { type: 'string' },
      restart: { type: 'boolean', default: false },
    },
  })
  const since = values.since === undefined ? 0 : Date.parse(values.since)
  if (Number.isNaN(since)) return usage(`--since: not a date: ${values.since}`)
  const brokers = config.kafka.brokers
  const replayLog = log.child({ module: 'replay' })
  const registry = SchemaRegistry.fromDirectory()

  if (mode === 'rebuild') {
    if (values.from !== 'kafka' && values.from !== 'log')
      return usage('replay rebuild needs --from kafka or --from log')
    if (values.from === 'kafka' && !brokers) return usage('replay from Kafka needs KAFKA_BROKERS')
    return withDatabase(config, log, async (pool) => {
      const events =
        values.from === 'kafka'
          ? await readKafkaHistory(
              {
                brokers: brokers ?? [],
                clientId: config.kafka.clientId,
                since,
                topics: stateTopics(config.kafka.topicPrefix),
              },
              registry,
              replayLog,
            )
          : await readLogHistory(pool, since)
      await rebuildStateTables(pool, events, config.rules, replayLog)
      return 0
    })
  }
  if (mode === 'publish') {
    if (!brokers) return usage('replay publish needs KAFKA_BROKERS')
    const prefix = values['topic-prefix'] ?? config.kafka.topicPrefix
    const abort = new AbortController()
    process.once('SIGINT', () => abort.abort())
    process.once('SIGTERM', () => abort.abort())
    return withDatabase(config, log, async (pool) => {
      const outbox = new PgOutbox(pool, `replay:${prefix}`)
      if (values.restart) await outbox.reset()
      const producer = new KafkaEventProducer(
        { ...config.kafka, brokers, topicPrefix: prefix },
        registry,
        replayLog,
      )
      await republishLog(
        outbox,
        producer,
        { batch: config.kafka.relayBatch, since, signal: abort.signal },
        replayLog,
      )
      return 0
    })
  }
  return usage(`unknown replay mode: ${mode ?? '(none)'}`)
}

function usage(problem: string): number {
  console.error(`${problem}\n\n${USAGE}`)
  return 2
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    console.error(err)
    process.exitCode = 1
  },
)
