import { Kafka, logLevel, type Admin } from 'kafkajs'
import type { Logger } from '../logger.js'
import { kafkaConnectionOptions, type KafkaSecurity } from './kafka-security.js'

/**
 * A kafkajs client with deadlines on connecting and bounded retries (callers retry past them),
 * over TLS and SASL as `security` says. Every Kafka client of the service is made here.
 */
export function kafkaClient(
  brokers: readonly string[],
  clientId: string,
  security?: KafkaSecurity,
): Kafka {
  return new Kafka({
    clientId,
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    // The TLS and SASL handshakes come after the TCP connection: their own deadline.
    authenticationTimeout: 5000,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
    ...kafkaConnectionOptions(security),
  })
}
/** What creating topics takes of a kafkajs admin client. */
export type TopicAdmin = Pick<Admin, 'connect' | 'disconnect' | 'listTopics' | 'createTopics'>

/** Creates those of `topics` that do not exist yet, each with `partitions`. */
export async function createMissingTopics(
  admin: TopicAdmin,
  topics: readonly string[],
  layout: { partitions: number; replicationFactor: number },
  log: Logger,
): Promise<void> {
  const existing = new Set(await admin.listTopics())
  const missing = topics.filter((t) => !existing.has(t))
  if (missing.length === 0) return
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: layout.partitions,
        replicationFactor: layout.replicationFactor,
      })),
    })
  } catch (err) {
    // Another instance starting at the same time may have created them first.
    const now = new Set(await admin.listTopics())
    if (missing.some((t) => !now.has(t))) throw err
  }
  log.info({ topics: missing, partitions: layout.partitions }, 'created Kafka topics')
}

/** Creates `topic` with `partitions` unless it exists, on an admin connection of its own. */
export async function ensureTopic(
  kafka: { admin(): TopicAdmin },
  topic: string,
  layout: { partitions: number; replicationFactor: number },
  log: Logger,
): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    await createMissingTopics(admin, [topic], layout, log)
  } finally {
    await admin.disconnect()
  }
}
