import type { DatabaseTarget } from '../../journal/database-target.js'
import type { Observable, Subscription } from 'rxjs'
import { IngestBridge } from '../../cluster/ingest-bridge.js'
import { IngestRecordCodec } from '../../cluster/ingest-record.js'
import { PartitionConsumer } from '../../cluster/partition-consumer.js'
import { partitionOf } from '../../cluster/partitioner.js'
import { PgDeadLetters } from '../../journal/dead-letters.js'
import { PgPartitionClaims } from '../../journal/partition-claims.js'
import { PartCatalogFeed } from '../../journal/part-catalog-feed.js'
import type { Component } from '../../lifecycle.js'
import type { Logger } from '../../logger.js'
import type { Metrics } from '../../metrics.js'
import { kafkaClient } from '../../publish/kafka-client.js'
import type { InboundMessage } from '../../streams/inbound.js'
import { settleMessage } from '../../streams/pipeline.js'
import { hostname } from 'node:os'
import type pg from 'pg'
import type { InputOrigin } from '../../actors/ports.js'
import type { PartitionLedger } from '../../cluster/partition-ledger.js'
import type { Config } from '../config.js'
import type { Entities } from './entities.js'
import { countProcessed, pipelineHandlers } from './ingest.js'

/** How often the resume points of partitions gone quiet are stored on their own. */
const STORE_RESUME_POINTS_MS = 1000
/** Most messages in one produce request of the ingest role. */
const BRIDGE_MAX_BATCH = 5000

/** The Kafka topic between the ingest and process roles. */
export function ingestTopic(config: Config): string {
  return `${config.kafka.topicPrefix}.ingest`
}

/**
 * The ingest role's forwarding: every MQTT message onto the ingest topic, but those too large
 * for it, which it dead-letters itself.
 */
export function ingestBridge(
  config: Config,
  pool: pg.Pool,
  metrics: Metrics,
  log: Logger,
): Component<(messages: Observable<InboundMessage>) => Subscription> {
  const kafka = config.kafka
  const letters = new PgDeadLetters(pool, log, config.processing.commitMaxBatch, undefined, {
    payloadBytes: config.processing.deadLetterPayloadBytes,
  })
  const bridge = new IngestBridge(
    kafkaClient(kafka.brokers ?? [], `${kafka.clientId}-ingest`, kafka.security),
    new IngestRecordCodec(),
    {
      topic: ingestTopic(config),
      partitions: kafka.ingestPartitions,
      replicationFactor: kafka.replicationFactor,
      mqttTopicPrefix: config.mqtt.topicPrefix,
      maxBatch: BRIDGE_MAX_BATCH,
      maxMessageBytes: kafka.maxMessageBytes,
    },
    log.child({ module: 'ingest-bridge' }),
    (n) => metrics.ingestForwarded.inc(n),
    (letter) => letters.record(letter),
  )
  return {
    name: 'ingest bridge',
    start: () =>
      Promise.resolve((messages: Observable<InboundMessage>) =>
        messages.subscribe((m) => bridge.forward(m)),
      ),
    stop: () => bridge.stop(config.shutdownTimeoutMs / 2),
    checks: () => Promise.resolve({ ingestTopic: { ok: bridge.healthy() } }),
  }
}

/**
 * The process role's input: the consumer group on the ingest topic, feeding the same decoding
 * and actors as single-node mode; `ledger` is the one the entity journal's commits consult.
 */
export function partitionConsumer(
  config: Config,
  pool: pg.Pool,
  entities: Entities,
  ledger: PartitionLedger,
  metrics: Metrics,
  log: Logger,
): Component<PartitionConsumer> {
  const kafka = config.kafka
  const topic = ingestTopic(config)
  const consumerLog = log.child({ module: 'partition-consumer' })
  const pipelineLog = log.child({ module: 'pipeline' })
  const settle = settleMessage(
    { ...config.mqtt, ...config.processing },
    pipelineHandlers(config, entities, metrics, pipelineLog),
  )
  const consumer = new PartitionConsumer(
    kafkaClient(kafka.brokers ?? [], `${kafka.clientId}-process`, kafka.security),
    new IngestRecordCodec(),
    new PgPartitionClaims(pool, topic, `${hostname()}:${process.pid}`, consumerLog),
    ledger,
    {
      topic,
      groupId: `${kafka.topicPrefix}.process`,
      partitions: kafka.ingestPartitions,
      replicationFactor: kafka.replicationFactor,
      sessionTimeoutMs: kafka.sessionTimeoutMs,
      storeEveryMs: STORE_RESUME_POINTS_MS,
    },
    {
      settle: async (m) => {
        const processed = await settle(m)
        countProcessed(metrics, pipelineLog, processed)
        return processed
      },
      deadLetter: (letter) => entities.deadLetters.record(letter),
      // Entities of partitions that came or went may have changed elsewhere: read them again.
      reassigned: ({ kept }) =>
        entities.actors.evict((id) => !kept.has(partitionOf(id, kafka.ingestPartitions))),
    },
    {
      owned: (p) => metrics.partitionsOwned.set(p.length),
      rebalanced: () => metrics.rebalances.inc(),
      fenced: (n) => metrics.fencedCommits.inc(n),
      lag: (partition, records) =>
        metrics.partitionLag.set({ partition: String(partition) }, records),
    },
    consumerLog,
  )
  return {
    name: 'partition consumer',
    start: async () => {
      await consumer.start()
      return consumer
    },
    stop: () => consumer.stop(),
    checks: () => {
      const { joined, partitions } = consumer.status()
      return Promise.resolve({ consumer: { ok: joined, detail: partitions.join(',') } })
    },
  }
}

/** The machines this instance hosts in cluster mode, and the origin their inputs carry. */
export function hostedMachines(
  config: Config,
  ledger: PartitionLedger,
): (machineId: string) => InputOrigin | undefined {
  return (machineId) => ledger.originFor(partitionOf(machineId, config.kafka.ingestPartitions))
}

/** Cluster mode: part cycle times other instances commit, kept current here. */
export function partCatalogFeed(
  database: string | DatabaseTarget,
  entities: Entities,
  log: Logger,
): Component {
  const feed = new PartCatalogFeed(
    database,
    entities.catalog,
    () => entities.journal.partCycleTimes(),
    log.child({ module: 'part-catalog-feed' }),
  )
  return {
    name: 'part catalog feed',
    start: () => feed.start(),
    stop: () => feed.stop(),
    checks: () => Promise.resolve({ partCatalog: { ok: feed.listening() } }),
  }
}
