import { Kafka, logLevel } from 'kafkajs'
import { pino } from 'pino'
import type { DomainEvent, PartProduced } from '../../src/domain/events'
import { SchemaRegistry } from '../../src/publish/avro/schema-registry'
import { KafkaEventProducer } from '../../src/publish/event-producer'
import { publishIsolating } from '../../src/publish/poison-isolation'
import { refusalOf } from '../../src/publish/refusal'
import { services, uniqueName } from '../../harness/services'
import { readTopic } from '../support/kafka-reader'

const log = pino({ level: 'silent' })

const produced = (key: string, sequence: number, text = `lot-${sequence}`): PartProduced => ({
  eventId: `0190b6a0-0000-7000-8000-${sequence.toString(16).padStart(12, '0')}`,
  type: 'PartProduced',
  key,
  sequence,
  occurredAt: 1_702_166_400_000 + sequence,
  recordedAt: 1_702_166_400_000 + sequence,
  machineId: key,
  order: sequence,
  partId: 1,
  damaged: false,
  var1: null,
  var2: text,
  var3: text,
  var4: null,
  messageId: null,
  idealCycleSeconds: null,
})

describe('an idempotent producer whose request Kafka refuses in part', () => {
  it('publishes every other record of a multi-partition request once narrowed down, and keeps publishing after', async () => {
    const prefix = uniqueName('ms-isolate-')
    const topic = `${prefix}.production`
    const kafka = new Kafka({
      clientId: 'isolate-test',
      brokers: services().kafkaBrokers.split(','),
      logLevel: logLevel.NOTHING,
    })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: 6,
          replicationFactor: 1,
          configEntries: [{ name: 'max.message.bytes', value: '4096' }],
        },
      ],
    })
    await admin.disconnect()
    const producer = new KafkaEventProducer(
      {
        brokers: services().kafkaBrokers.split(','),
        clientId: 'isolate-test',
        topicPrefix: prefix,
        partitions: 6,
        replicationFactor: 1,
      },
      SchemaRegistry.fromDirectory(),
      log,
    )
    await producer.connect()
    try {
      // 60 small events of 20 keys (every partition) in one request, one of ~6 KB among them.
      const events = Array.from({ length: 60 }, (_, i) => produced(`m${i % 20}`, i + 1))
      const big = produced('m7', 1000, '€'.repeat(1024))
      events.splice(30, 0, big)
      const refusal = await producer.send(events).then(
        () => undefined,
        (err: unknown) => refusalOf(err),
      )
      expect(refusal?.code).toBe('MESSAGE_TOO_LARGE')
      const parked: DomainEvent[] = []
      await publishIsolating(events, refusal ?? { code: 'MESSAGE_TOO_LARGE', reason: '' }, {
        send: (part) => producer.send(part),
        renew: async () => {
          await producer.disconnect()
          await producer.connect()
        },
        park: (e) => Promise.resolve(void parked.push(e)),
      })
      expect(parked).toEqual([big])
      // The producer after isolation keeps publishing (no sequence-number refusal).
      const later = Array.from({ length: 20 }, (_, i) => produced(`m${i}`, 2000 + i))
      await producer.send(later)
      const records = await readTopic(services().kafkaBrokers, topic, 80, 30_000)
      const ids = new Set(records.map((r) => r.eventId))
      expect(ids.size).toBe(80)
      expect(ids.has(big.eventId)).toBe(false)
      // The refused requests were written in part (other partitions): a record is re-sent at
      // most once per halving (measured: 1 to 6 copies of 61), under one event id.
      const copies = new Map<string, number>()
      for (const r of records) copies.set(r.eventId, (copies.get(r.eventId) ?? 0) + 1)
      expect(Math.max(...copies.values())).toBeLessThanOrEqual(1 + Math.ceil(Math.log2(61)))
      // Per key, the first copy of each record comes in sequence order.
      const firstSeen = new Map<string, number[]>()
      const seen = new Set<string>()
      for (const r of records) {
        if (seen.has(r.eventId)) continue
        seen.add(r.eventId)
        firstSeen.set(r.key, [...(firstSeen.get(r.key) ?? []), Number(r.value.sequence)])
      }
      for (const sequences of firstSeen.values())
        expect(sequences).toEqual([...sequences].sort((a, b) => a - b))
    } finally {
      await producer.disconnect()
    }
  }, 60_000)
})
