import type { Kafka, Producer } from 'kafkajs'
import { entityKeyOf } from '../domain/inputs.js'
import { withTimeout } from '../deadline.js'
import { sleep } from '../abortable-sleep.js'
import type { Logger } from '../logger.js'
import { ensureTopic } from '../publish/kafka-client.js'
import { keyMemoPartitioner } from '../publish/key-partitioner.js'
import type { DeadLetter } from '../journal/dead-letters.js'
import { recordBytes, requestBudget, splitByBytes } from '../publish/byte-batches.js'
import { publishIsolating } from '../publish/poison-isolation.js'
import { refusalOf } from '../publish/refusal.js'
import type { InboundMessage } from '../streams/inbound.js'
import { letter } from '../streams/pipeline.js'
import { THIS_BRIDGE, type IngestRecordCodec } from './ingest-record.js'

export type IngestBridgeOptions = {
  /** `{prefix}.ingest`. */
  topic: string
  partitions: number
  replicationFactor: number
  /** The MQTT topic prefix, to find the entity a message addresses. */
  mqttTopicPrefix: string
  /** Most messages in one produce request. */
  maxBatch: number
  /** Most bytes of records in one produce request (KAFKA_MAX_MESSAGE_BYTES). */
  maxMessageBytes: number
}

/** One message as a record of the ingest topic. */
type BridgedRecord = { message: InboundMessage; key: string; value: Buffer }

const bytesOf = (r: BridgedRecord) => recordBytes(r.key, r.value)

/** Longest one produce request may take before it counts as failed and is sent again. */
const SEND_DEADLINE_MS = 30_000
const RETRY_MIN_MS = 200
const RETRY_MAX_MS = 5000

/**
 * The ingest role: each MQTT message goes to the ingest topic, keyed by the id of the entity it
 * addresses (so one machine's messages keep their order in one partition), and is acknowledged
 * to the broker only once Kafka has it on every in-sync replica. Messages that arrive while a
 * request is out go together in the next one. A failed request is sent again, on a new
 * producer, until it succeeds: meanwhile nothing is acknowledged and the broker keeps the
 * messages; a repeat on the topic is recognised downstream by its idempotency key.
 *
 * Requests stay under `maxMessageBytes`. A message too large for the topic on its own (over
 * that bound, or refused for good by Kafka: narrowed down by halving, as the relay does) is
 * dead-lettered here, with its payload cut to the dead-letter bound, and acknowledged: it never
 * holds the session.
 */
export class IngestBridge {
  private queue: InboundMessage[] = []
  private producer: Producer | undefined
  private sending: Promise<void> | undefined
  private failing = false
  private readonly stopped = new AbortController()

  constructor(
    private readonly kafka: Kafka,
    private readonly codec: IngestRecordCodec,
    private readonly options: IngestBridgeOptions,
    private readonly log: Logger,
    private readonly forwarded: (count: number) => void,
    private readonly deadLetter: (letter: DeadLetter) => Promise<void>,
  ) {}

  /** Takes one message; it is acknowledged once it is on the topic. */
  forward(message: InboundMessage): void {
    this.queue.push(message)
    this.sending ??= this.drain().finally(() => (this.sending = undefined))
  }

  /** Whether the last produce request went through (false while Kafka cannot be reached). */
  healthy(): boolean {
    return !this.failing
  }

  /** Waits for what was taken to reach the topic (until `signal` gives up), then disconnects. */
  async stop(deadlineMs: number): Promise<void> {
    const giveUp = setTimeout(() => this.stopped.abort(new Error('shutting down')), deadlineMs)
    try {
      await this.sending
    } finally {
      clearTimeout(giveUp)
      this.stopped.abort(new Error('stopped'))
      await this.producer?.disconnect().catch(() => undefined)
    }
  }

  private async drain(): Promise<void> {
    // Yield once, so the messages of one read share a request.
    await Promise.resolve()
    let delay = RETRY_MIN_MS
    while (this.queue.length > 0 && !this.stopped.signal.aborted) {
      const batch = this.queue.splice(0, this.options.maxBatch)
      for (;;) {
        try {
          await this.deliver(batch)
          break
        } catch (err) {
          if (!this.failing) this.log.warn({ err }, 'ingest topic unreachable; retrying')
          this.failing = true
          await this.dropProducer()
          try {
            await sleep(delay, this.stopped.signal)
          } catch {
            // Shutting down: the broker keeps what was not acknowledged.
            return
          }
          delay = Math.min(delay * 2, RETRY_MAX_MS)
        }
      }
      if (this.failing) this.log.info('ingest topic reachable again')
      this.failing = false
      delay = RETRY_MIN_MS
      for (const m of batch) m.ack()
      this.forwarded(batch.length)
    }
  }

  /** Puts a batch on the topic, in requests under the size bound; too large ones dead-lettered. */
  private async deliver(batch: InboundMessage[]): Promise<void> {
    const budget = requestBudget(this.options.maxMessageBytes)
    const records: BridgedRecord[] = []
    for (const message of batch) {
      const record = this.recordOf(message)
      if (bytesOf(record) <= budget) records.push(record)
      else {
        await this.deadLetter(
          letter(
            message,
            `payload too large for the ingest topic: ${message.payload.length} bytes, ` +
              `at most ${budget} (KAFKA_MAX_MESSAGE_BYTES)`,
          ),
        )
      }
    }
    for (const request of splitByBytes(records, bytesOf, budget)) {
      try {
        await this.send(request)
      } catch (err) {
        const refusal = refusalOf(err)
        if (!refusal) throw err
        await publishIsolating(request, refusal, {
          send: (part) => this.send(part),
          renew: () => this.dropProducer(),
          park: (record, why) =>
            this.deadLetter(letter(record.message, `refused by the ingest topic: ${why.code}`)),
        })
      }
    }
  }

  private recordOf(m: InboundMessage): BridgedRecord {
    return {
      message: m,
      // A message with no entity to find is keyed by its topic; it becomes a dead letter.
      key: entityKeyOf(m, this.options.mqttTopicPrefix) ?? m.topic,
      value: this.codec.encode({
        topic: m.topic,
        payload: m.payload,
        receivedAt: m.receivedAt,
        bridgedBy: THIS_BRIDGE,
      }),
    }
  }

  private async send(records: BridgedRecord[]): Promise<void> {
    const producer = await this.connected()
    await withTimeout(
      producer.send({
        topic: this.options.topic,
        acks: -1,
        messages: records.map((r) => ({ key: r.key, value: r.value })),
      }),
      SEND_DEADLINE_MS,
    )
  }

  private async connected(): Promise<Producer> {
    if (this.producer) return this.producer
    await ensureTopic(this.kafka, this.options.topic, this.options, this.log)
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: keyMemoPartitioner,
    })
    await producer.connect()
    this.producer = producer
    return producer
  }

  private async dropProducer(): Promise<void> {
    const producer = this.producer
    this.producer = undefined
    await producer?.disconnect().catch(() => undefined)
  }
}
