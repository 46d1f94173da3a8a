import type { Admin, Kafka, Producer } from 'kafkajs'
import type { DomainEvent } from '../domain/events.js'
import { encodeSingleObject } from './avro/single-object.js'
import type { SchemaRegistry } from './avro/schema-registry.js'
import { allTopics, avroRecordOf, topicFor } from './avro/event-records.js'
import type { Logger } from '../logger.js'
import { createMissingTopics, kafkaClient } from './kafka-client.js'
import { keyMemoPartitioner } from './key-partitioner.js'
import type { KafkaSecurity } from './kafka-security.js'

export type EventProducerOptions = {
  brokers: readonly string[]
  clientId: string
  /** TLS and SASL (none when absent). */
  security?: KafkaSecurity
  topicPrefix: string
  partitions: number
  replicationFactor: number
}

/**
 * Publishes events to Kafka: Avro single-object values, key = entity id, idempotent producer
 * with one request in flight so per-key order survives retries.
 */
export class KafkaEventProducer {
  private readonly kafka: Kafka
  private readonly producer: Producer
  private readonly admin: Admin
  private connected = false

  constructor(
    private readonly options: EventProducerOptions,
    private readonly schemas: SchemaRegistry,
    private readonly log: Logger,
  ) {
    this.kafka = kafkaClient(options.brokers, options.clientId, options.security)
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: keyMemoPartitioner,
    })
    this.admin = this.kafka.admin()
  }

  /** Connects and creates the topics if missing. Throws while Kafka is unreachable. */
  async connect(): Promise<void> {
    if (this.connected) return
    await this.admin.connect()
    await createMissingTopics(
      this.admin,
      allTopics(this.options.topicPrefix),
      this.options,
      this.log,
    )
    await this.producer.connect()
    this.connected = true
  }

  /** Sends a batch; resolves when every record is acknowledged by all in-sync replicas. */
  async send(events: DomainEvent[]): Promise<void> {
    const byTopic = new Map<
      string,
      { key: string; value: Buffer; headers: Record<string, string> }[]
    >()
    for (const event of events) {
      const topic = topicFor(this.options.topicPrefix, event.type)
      const list = byTopic.get(topic) ?? []
      list.push({
        key: event.key,
        value: encodeSingleObject(this.schemas.get(event.type), avroRecordOf(event)),
        headers: { 'event-type': event.type, 'event-id': event.eventId },
      })
      byTopic.set(topic, list)
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    })
  }

  async disconnect(): Promise<void> {
    this.connected = false
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()])
  }
}
