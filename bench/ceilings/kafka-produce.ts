import { randomBytes } from 'node:crypto'
import { Kafka, logLevel, type Message } from 'kafkajs'
import type { BenchBudget, Ceiling } from '../lib/types'
import { rateOf, roundSeconds, warmThenMeasure } from './timed-loop'

/** How the producer sends: ours (src/publish/event-producer.ts) is idempotent, one batch at a time. */
export type KafkaProduceMode = {
  idempotent: boolean
  /** sendBatch calls awaiting their acknowledgement at once. */
  concurrentBatches: number
}

const PARTITIONS = 6
const BATCH = 1000
const KEYS = 1000
const VALUE_BYTES = 200

/**
 * Kafka produce alone: batches of `BATCH` records of `VALUE_BYTES` bytes, keyed by one of `KEYS`
 * ids, acks from all in-sync replicas, to a fresh `PARTITIONS`-partition topic.
 */
export async function measureKafkaProduce(
  brokers: string,
  budget: BenchBudget,
  mode: KafkaProduceMode,
): Promise<Ceiling> {
  const kafka = new Kafka({
    clientId: 'millstream-bench',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    // As src/publish/event-producer.ts: a broker that is down fails the bench in seconds.
    connectionTimeout: 3000,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
  })
  const admin = kafka.admin()
  const producer = kafka.producer({
    idempotent: mode.idempotent,
    // Ours keeps one request in flight so per-key order survives retries.
    ...(mode.idempotent ? { maxInFlightRequests: 1 } : {}),
    allowAutoTopicCreation: false,
  })
  const topic = `bench-ceiling-${randomBytes(4).toString('hex')}`
  let created = false
  try {
    await admin.connect()
    // Replication factor left to the broker's default.
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: PARTITIONS }],
    })
    created = true
    await producer.connect()
    const value = Buffer.from(randomBytes(VALUE_BYTES / 2).toString('hex'))
    let sent = 0
    const tally = await warmThenMeasure(
      budget,
      async () => {
        const messages: Message[] = Array.from({ length: BATCH }, () => ({
          key: String(1 + (sent++ % KEYS)),
          value,
        }))
        await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] })
        return messages.length
      },
      mode.concurrentBatches,
    )
    const how = mode.idempotent ? 'idempotent' : 'not idempotent'
    return {
      name: `Kafka produce (kafkajs), ${how}, ${mode.concurrentBatches} sendBatch in flight`,
      unit: 'records/s',
      perSecond: rateOf(tally),
      detail: {
        idempotent: String(mode.idempotent),
        concurrentBatches: mode.concurrentBatches,
        acks: 'all',
        partitions: PARTITIONS,
        recordsPerBatch: BATCH,
        valueBytes: VALUE_BYTES,
        keys: KEYS,
        records: tally.units,
        seconds: roundSeconds(tally.seconds),
      },
    }
  } finally {
    await producer.disconnect().catch(() => undefined)
    if (created) await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
    await admin.disconnect().catch(() => undefined)
  }
}
