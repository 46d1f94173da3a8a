import { createHash } from 'node:crypto'
import { pino } from 'pino'
import { GroupCommitter } from '../../src/journal/group-commit'
import { PG_RETRY_POLICY } from '../../src/journal/pg-errors'
import { createPool } from '../../src/journal/pool'
import { SchemaRegistry } from '../../src/publish/avro/schema-registry'
import { KafkaEventProducer } from '../../src/publish/event-producer'
import { OutboxRelay } from '../../src/publish/outbox-relay'
import type { InboundMessage } from '../../src/streams/inbound'
import { MqttSource } from '../../src/streams/mqtt-source'
import { commitRows, createLimitTables, LimitOutbox, type LimitRow } from './limit-outbox'
import { noCounts, type LimitSettings } from './limit-process'

/*
 * The limit pipeline: millstream's services and guarantees with no domain work, to say how
 * close millstream comes to what this stack can do. A process of its own, started with its
 * settings as JSON in argv[2]; it reports its counts over IPC every 100 ms.
 *
 * - In: MQTT QoS 1, persistent session (clean: false, a fixed client id), at most 5,000
 *   messages unacknowledged (millstream's MAX_IN_FLIGHT), through millstream's MqttSource, so
 *   each PUBACK leaves only once the message's row is committed.
 * - Commit: one row per message keyed by its idempotency key (the payload's messageId, else a
 *   sha256 of topic and payload), group commits of up to 1,000 rows, 2 in flight (millstream's
 *   COMMIT_MAX_BATCH and COMMIT_CONCURRENCY), `INSERT … SELECT * FROM unnest(…) ON CONFLICT
 *   (key) DO NOTHING`, so a redelivered message adds nothing.
 * - Out: an outbox, as millstream's: OutboxRelay reads committed rows in commit order (batches
 *   of 1,000, woken by each commit, polling every 25 ms) and produces each as the Avro
 *   single-object PartProduced record, keyed by machine id, through millstream's
 *   KafkaEventProducer (idempotent, one request in flight, acks from all replicas); the cursor
 *   is saved after Kafka acknowledged. Unlike millstream, the relay runs on the main thread,
 *   not a worker thread: the process is one thread with no actors to share it with.
 * - Nothing else: JSON.parse is the only check (a message that is not JSON is acknowledged
 *   and counted, not stored); no actors, no projections, no dead letters.
 */

const MAX_IN_FLIGHT = 5000
const BATCH = 1000

async function main(settings: LimitSettings): Promise<void> {
  const log = pino({ level: 'warn' })
  const pool = createPool(settings.databaseUrl, log, 4)
  await createLimitTables(pool)
  const counts = noCounts()
  const producer = new KafkaEventProducer(
    {
      brokers: settings.kafkaBrokers.split(','),
      clientId: 'limit-pipeline',
      topicPrefix: settings.kafkaPrefix,
      partitions: 6,
      replicationFactor: 1,
    },
    SchemaRegistry.fromDirectory(),
    log,
  )
  await producer.connect()
  const relay = new OutboxRelay(new LimitOutbox(pool), producer, { batch: BATCH, pollMs: 25 }, log)
  relay.start()
  const committer = new GroupCommitter<LimitRow, undefined>({
    flush: (rows) => commitRows(pool, rows),
    maxBatch: BATCH,
    concurrency: 2,
    ...PG_RETRY_POLICY,
    log,
    onCommit: (size, seconds) => {
      counts.commits += 1
      counts.commitWrites += size
      counts.commitSeconds += seconds
      relay.wake()
    },
  })
  const receive = (m: InboundMessage) => {
    const row = rowOf(m)
    if (!row) {
      counts.invalid += 1
      return m.ack()
    }
    committer.submit(row).then(
      () => {
        counts.committed += 1
        m.ack()
      },
      (err: unknown) => {
        counts.failed += 1
        log.error({ err }, 'limit: commit failed')
      },
    )
  }
  const source = new MqttSource(
    {
      url: settings.mqttUrl,
      clientId: settings.clientId,
      topics: [`${settings.topicPrefix}/machines/+/+`],
      maxInFlight: MAX_IN_FLIGHT,
    },
    log,
  )
  source.messages().subscribe(receive)
  await source.start()

  // The bench may have let go of us already (it stops listening once the run is over).
  const report = () => {
    counts.relayed = relay.status().published
    if (process.connected) process.send?.(counts)
  }
  setInterval(report, 100).unref()
  report()
  process.on('disconnect', () => {
    void (async () => {
      await source.stop()
      await committer.idle()
      await relay.stop()
      await pool.end()
    })().finally(() => process.exit(0))
  })
}

/** The message's row, or undefined when it is not JSON. */
function rowOf(m: InboundMessage): LimitRow | undefined {
  const payload = m.payload.toString()
  let body: unknown
  try {
    body = JSON.parse(payload)
  } catch {
    return undefined
  }
  const messageId = (body as { messageId?: unknown } | null)?.messageId
  const key =
    typeof messageId === 'string' && messageId !== ''
      ? messageId
      : createHash('sha256').update(m.topic).update(m.payload).digest('hex')
  // <prefix>/machines/<machineId>/<kind>
  return { key, machineId: m.topic.split('/').at(-2) ?? '', payload }
}

main(JSON.parse(process.argv[2] ?? '{}') as LimitSettings).catch((err: unknown) => {
  console.error('limit pipeline failed', err)
  process.exit(1)
})
