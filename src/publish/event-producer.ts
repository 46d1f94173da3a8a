import type { Admin, Kafka, Producer } from 'kafkajs'
import { MillstreamError } from '../errors.js'
import type { DomainEvent } from '../domain/events.js'
import { encodeSingleObject } from './avro/single-object.js'
import type { SchemaRegistry } from './avro/schema-registry.js'
import { allTopics, avroRecordOf, topicFor } from './avro/event-records.js'
import type { Logger } from '../logger.js'
import { createMissingTopics, kafkaClient } from './kafka-client.js'
import { keyMemoPartitioner } from './key-partitioner.js'
import { recordBytes, requestBudget, splitByBytes } from './byte-batches.js'
import type { KafkaSecurity } from './kafka-security.js'

export type EventProducerOptions = {
  brokers: readonly string[]
  clientId: string
  /** TLS and SASL (none when absent). */
  security?: KafkaSecurity
  topicPrefix: string
  partitions: number
  replicationFactor: number
  /** Most bytes of records in one produce request (default: Kafka's `message.max.bytes`). */
  maxMessageBytes?: number
}

/** A little under Kafka's default `message.max.bytes` (1,048,588), as KAFKA_MAX_MESSAGE_BYTES defaults. */
export const KAFKA_DEFAULT_MESSAGE_BYTES = 1_000_000

type OutgoingRecord = {
  topic: string
  message: { key: string; value: Buffer; headers: Record<string, string> }
}

/**
 * Publishes events to Kafka: Avro single-object values, key = entity id, idempotent producer
 * with one request in flight so per-key order survives retries.
 */
export class KafkaEventProducer {
  private readonly kafka: Kafka
  private connection: { producer: Producer; admin: Admin } | undefined

  constructor(
    private readonly options: EventProducerOptions,
    private readonly schemas: SchemaRegistry,
    private readonly log: Logger,
  ) {
    this.kafka = kafkaClient(options.brokers, options.clientId, options.security)
  }

  /**
   * Connects and creates the topics if missing. Throws while Kafka is unreachable. Each
   * connection is a new producer (a new producer id and sequence numbers): a kafkajs producer
   * connected again right after a disconnect sent on its closed connections.
   */
  async connect(): Promise<void> {
    if (this.connection) return
    const admin = this.kafka.admin()
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: keyMemoPartitioner,
    })
    try {
      await admin.connect()
      await createMissingTopics(admin, allTopics(this.options.topicPrefix), this.options, this.log)
      await producer.connect()
    } catch (err) {
      await Promise.allSettled([producer.disconnect(), admin.disconnect()])
      throw err
    }
    this.connection = { producer, admin }
  }

  /**
   * Sends a batch, in requests of at most `maxMessageBytes` of records one after the other (so
   * per-key order holds); resolves when every record is acknowledged by all in-sync replicas.
   * The setting, not the topic's `max.message.bytes`, sizes the requests: reading the topic's
   * configuration needs an admin call per topic and the right to describe configs, and a topic
   * whose limit is smaller than the setting only costs a refusal, which the relay narrows down.
   */
  async send(events: DomainEvent[], headers: Record<string, string> = {}): Promise<void> {
    const records: OutgoingRecord[] = events.map((event) => ({
      topic: topicFor(this.options.topicPrefix, event.type),
      message: {
        key: event.key,
        value: encodeSingleObject(this.schemas.get(event.type), avroRecordOf(event)),
        headers: { ...headers, 'event-type': event.type, 'event-id': event.eventId },
      },
    }))
    const budget = requestBudget(this.options.maxMessageBytes ?? KAFKA_DEFAULT_MESSAGE_BYTES)
    const bytesOf = ({ message: m }: OutgoingRecord) => recordBytes(m.key, m.value, m.headers)
    for (const request of splitByBytes(records, bytesOf, budget)) {
      const byTopic = new Map<string, OutgoingRecord['message'][]>()
      for (const { topic, message } of request) {
        const list = byTopic.get(topic) ?? []
        list.push(message)
        byTopic.set(topic, list)
      }
      const producer = this.connection?.producer
      if (!producer) {
        throw new MillstreamError('PUBLISH_FAILED', 'not connected to Kafka', { retriable: true })
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      })
    }
  }

  async disconnect(): Promise<void> {
    const connection = this.connection
    this.connection = undefined
    if (connection)
      await Promise.allSettled([connection.producer.disconnect(), connection.admin.disconnect()])
  }
}
