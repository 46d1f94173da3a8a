import type { DomainEvent } from '../domain/events.js'
import type { SchemaRegistry } from '../publish/avro/schema-registry.js'
import { decodeSingleObject } from '../publish/avro/single-object.js'
import type { Logger } from '../logger.js'
import { kafkaClient } from '../publish/kafka-client.js'
import type { KafkaSecurity } from '../publish/kafka-security.js'

export type KafkaHistoryOptions = {
  brokers: readonly string[]
  clientId: string
  /** TLS and SASL (none when absent). */
  security?: KafkaSecurity
  topics: string[]
  /** Start at this time (epoch ms) instead of the beginning. */
  since?: number
}

/**
 * Reads every record of `topics` up to their end as of the start of the read, decoding each
 * by its writer schema's fingerprint. A fresh consumer group with no committed offsets, so a
 * replay never disturbs live consumers.
 */
export async function readKafkaHistory(
  options: KafkaHistoryOptions,
  registry: SchemaRegistry,
  log: Logger,
): Promise<DomainEvent[]> {
  const kafka = kafkaClient(options.brokers, options.clientId, options.security)
  const admin = kafka.admin()
  await admin.connect()
  const remaining = new Map<string, number>() // topic/partition → last offset to read
  try {
    for (const topic of options.topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (Number(p.high) > Number(p.low))
          remaining.set(`${topic}/${p.partition}`, Number(p.high) - 1)
      }
    }
  } finally {
    await admin.disconnect()
  }
  const events: DomainEvent[] = []
  if (remaining.size === 0) return events

  const consumer = kafka.consumer({ groupId: `millstream-replay-${process.pid}-${Date.now()}` })
  await consumer.connect()
  try {
    for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: true })
    let lastReport = Date.now()
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: ({ topic, partition, message }) => {
            const where = `${topic}/${partition}`
            const last = remaining.get(where)
            if (last === undefined) return Promise.resolve()
            const { record } = decodeSingleObject(message.value as Buffer, (fp) =>
              registry.byFingerprint(fp),
            )
            const event = record as DomainEvent
            if (options.since === undefined || event.occurredAt >= options.since) events.push(event)
            if (Number(message.offset) >= last) remaining.delete(where)
            if (Date.now() - lastReport > 2000) {
              lastReport = Date.now()
              log.info(
                { read: events.length, partitionsLeft: remaining.size },
                'replay reading Kafka',
              )
            }
            if (remaining.size === 0) resolve()
            return Promise.resolve()
          },
        })
        .catch(reject)
    })
  } finally {
    await consumer.disconnect()
  }
  return events
}
