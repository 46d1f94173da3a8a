import { Kafka, logLevel } from 'kafkajs'
import { SchemaRegistry } from '../../src/publish/avro/schema-registry'
import { decodeSingleObject } from '../../src/publish/avro/single-object'
import { uniqueName, waitFor } from '../../harness/services'

export type ReadRecord = {
  partition: number
  offset: number
  key: string
  type: string
  eventId: string
  value: Record<string, unknown>
  headers: Record<string, string>
}

const registry = SchemaRegistry.fromDirectory()
const lookup = (fp: Buffer) => registry.byFingerprint(fp)

/**
 * Reads a topic from the beginning with a fresh consumer group until records with `count`
 * distinct event ids have arrived (or `timeoutMs` passes), decoding every value as Avro
 * single-object encoding. Duplicates (a relay re-send) are returned too.
 */
export async function readTopic(
  brokers: string,
  topic: string,
  count: number,
  timeoutMs = 60_000,
): Promise<ReadRecord[]> {
  const kafka = new Kafka({
    clientId: 'millstream-test',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  })
  const consumer = kafka.consumer({ groupId: uniqueName('test-reader-') })
  const records: ReadRecord[] = []
  const distinct = new Set<string>()
  await consumer.connect()
  try {
    // Right after a broker restart it may not host the topic's partitions yet (a retriable
    // UNKNOWN_TOPIC_OR_PARTITION): ask again until it does.
    await waitFor(
      `${topic} to be served`,
      async () => {
        await consumer.subscribe({ topic, fromBeginning: true })
        return true
      },
      30_000,
      500,
    )
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs)
      void consumer.run({
        eachMessage: ({ partition, message }) => {
          const { schema, record } = decodeSingleObject(message.value as Buffer, lookup)
          records.push({
            partition,
            offset: Number(message.offset),
            key: message.key?.toString() ?? '',
            type: schema.name,
            eventId: message.headers?.['event-id']?.toString() ?? '',
            value: record as Record<string, unknown>,
            headers: Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
            ),
          })
          distinct.add(message.headers?.['event-id']?.toString() ?? '')
          if (distinct.size >= count) {
            clearTimeout(timer)
            resolve()
          }
          return Promise.resolve()
        },
      })
    })
  } finally {
    await consumer.disconnect()
  }
  return records
}
