import { RelayThread } from '../../publish/relay-thread.js'
import type { DatabaseTarget } from '../../journal/database-target.js'
import type { Component } from '../../lifecycle.js'
import { resolveLogFormat, type Logger } from '../../logger.js'
import type { Config } from '../config.js'

/** The Kafka relay's name for its place in the log (`relay_offsets`). */
export const kafkaRelayName = (kafka: Config['kafka']): string => `kafka:${kafka.topicPrefix}`

/**
 * The outbox relay, in a worker thread with its own connections. Started before the journal,
 * so commits can wake it, and stopped after the journal has flushed.
 */
export function outboxRelay(
  config: Config,
  database: string | DatabaseTarget,
  log: Logger,
): Component<RelayThread> {
  const relay = new RelayThread(
    {
      database,
      relayName: kafkaRelayName(config.kafka),
      producer: {
        brokers: [...(config.kafka.brokers ?? [])],
        clientId: config.kafka.clientId,
        security: config.kafka.security,
        topicPrefix: config.kafka.topicPrefix,
        partitions: config.kafka.partitions,
        replicationFactor: config.kafka.replicationFactor,
        maxMessageBytes: config.kafka.maxMessageBytes,
      },
      batch: config.kafka.relayBatch,
      pollMs: config.kafka.relayPollMs,
      logLevel: config.logLevel,
      logFormat: resolveLogFormat(config.logFormat),
    },
    log.child({ module: 'outbox-relay' }),
  )
  return {
    name: 'outbox relay',
    start: () => {
      relay.start()
      return Promise.resolve(relay)
    },
    stop: () => relay.stop(),
    checks: () => relay.checks(),
  }
}
