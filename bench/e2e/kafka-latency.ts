import { createHistogram, type RecordableHistogram } from 'node:perf_hooks'
import { Kafka, logLevel, type Consumer } from 'kafkajs'
import { SchemaRegistry } from '../../src/publish/avro/schema-registry'
import { decodeSingleObject } from '../../src/publish/avro/single-object'

/** Latency percentiles, in milliseconds. */
export type LatencySummary = {
  samples: number
  p50Ms: number
  p95Ms: number
  p99Ms: number
  maxMs: number
}

/**
 * Reads the event topics as a downstream consumer would and records, per record, the time
 * from publish (the event's `occurredAt`, which the load process sets to its publish time)
 * to the moment the record is consumed here.
 */
export class KafkaLatencyProbe {
  private readonly histogram: RecordableHistogram = createHistogram()
  private recordFrom = Number.POSITIVE_INFINITY
  consumed = 0

  private constructor(private readonly consumer: Consumer) {}

  /** Joins a fresh consumer group at the end of `topics` and waits until it is assigned. */
  static async start(
    brokers: string,
    topics: string[],
    groupId: string,
  ): Promise<KafkaLatencyProbe> {
    const kafka = new Kafka({
      clientId: 'millstream-bench',
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
    })
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 20, minBytes: 1 })
    const probe = new KafkaLatencyProbe(consumer)
    const registry = SchemaRegistry.fromDirectory()
    const lookup = (fp: Buffer) => registry.byFingerprint(fp)
    await consumer.connect()
    await consumer.subscribe({ topics, fromBeginning: false })
    const joined = new Promise<void>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
    )
    await consumer.run({
      eachBatch: ({ batch }) => {
        const now = Date.now()
        for (const message of batch.messages) {
          if (!message.value) continue
          const { record } = decodeSingleObject(message.value, lookup)
          const occurredAt = (record as { occurredAt: number | Date }).occurredAt
          const publishedAt = occurredAt instanceof Date ? occurredAt.getTime() : Number(occurredAt)
          probe.consumed++
          if (publishedAt >= probe.recordFrom)
            probe.histogram.record(Math.max(1, now - publishedAt))
        }
        return Promise.resolve()
      },
    })
    await joined
    return probe
  }

  /** Records only messages published from now on (earlier ones are warm-up), afresh. */
  recordFromNow(): void {
    this.histogram.reset()
    this.recordFrom = Date.now()
  }

  summary(): LatencySummary {
    const h = this.histogram
    return {
      samples: h.count,
      p50Ms: h.count ? h.percentile(50) : 0,
      p95Ms: h.count ? h.percentile(95) : 0,
      p99Ms: h.count ? h.percentile(99) : 0,
      maxMs: h.count ? h.max : 0,
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect()
  }
}
