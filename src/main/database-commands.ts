import { parseArgs } from 'node:util'
import type { Pool } from 'pg'
import { migrate } from '../journal/migrate.js'
import { createPool } from '../journal/pool.js'
import type { Logger } from '../logger.js'
import { SchemaRegistry } from '../publish/avro/schema-registry.js'
import { stateTopics } from '../publish/avro/event-records.js'
import { KafkaEventProducer } from '../publish/event-producer.js'
import { PgParkingLot } from '../publish/parking-lot.js'
import { PgOutbox } from '../publish/outbox.js'
import { republishLog } from '../publish/republish.js'
import { readArchivedHistory } from '../read/archive-history.js'
import { readKafkaHistory } from '../read/kafka-history.js'
import { readLogHistory } from '../read/log-history.js'
import { rebuildStateTables } from '../read/rebuild-tables.js'
import type { Config } from './config.js'
import { startEmbeddedPostgres } from './embedded/postgres.js'
import { usage } from './usage.js'

/** Runs `work` with a migrated pool on the configured (or embedded) database. */
export async function withDatabase(
  config: Config,
  log: Logger,
  work: (pool: Pool) => Promise<number>,
): Promise<number> {
  const embedded = config.database.target
    ? undefined
    : await startEmbeddedPostgres(config.database.dataDir, config.database.embeddedPort, log)
  const pool = createPool(config.database.target ?? (embedded?.url as string), log, 2)
  try {
    const applied = await migrate(pool, log)
    log.info({ applied }, 'migrations done')
    return await work(pool)
  } finally {
    await pool.end()
    await embedded?.stop()
  }
}

/** `replay rebuild` and `replay publish`. */
export async function replay(config: Config, log: Logger, args: string[]): Promise<number> {
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
                security: config.kafka.security,
                since,
                topics: stateTopics(config.kafka.topicPrefix),
              },
              registry,
              replayLog,
            )
          : [
              // The partitions retention archived and dropped, then what the log still holds.
              ...(config.log.archiveDir === undefined
                ? []
                : await readArchivedHistory(config.log.archiveDir, since, registry)),
              ...(await readLogHistory(pool, since)),
            ]
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
        {
          batch: config.kafka.relayBatch,
          since,
          signal: abort.signal,
          parking: new PgParkingLot(pool, `replay:${prefix}`),
        },
        replayLog,
      )
      return 0
    })
  }
  return usage(`unknown replay mode: ${mode ?? '(none)'}`)
}
