import { createTestDatabase, uniqueName } from '../../harness/services'
import type { BenchServices } from '../lib/types'

/** One measured run of the service: names of its own, so runs never see each other's data. */
export type BenchRun = {
  /** MQTT topic prefix and the load's run id. */
  runId: string
  kafkaPrefix: string
  /** A fresh, empty database. */
  databaseUrl: string
  /** The settings every service instance of this run shares. */
  env: Record<string, string>
}

/** A fresh database, topic prefixes and client id on the bench's services. */
export async function newBenchRun(services: BenchServices): Promise<BenchRun> {
  const runId = uniqueName('b')
  const kafkaPrefix = `bench.${runId}`
  const databaseUrl = await createTestDatabase()
  return {
    runId,
    kafkaPrefix,
    databaseUrl,
    env: {
      DATABASE_URL: databaseUrl,
      MQTT_URL: services.mqttUrl,
      KAFKA_BROKERS: services.kafkaBrokers,
      MQTT_CLIENT_ID: `millstream-${runId}`,
      MQTT_TOPIC_PREFIX: runId,
      KAFKA_TOPIC_PREFIX: kafkaPrefix,
      LOG_LEVEL: 'warn',
      // The load keeps every machine busy; silence alerts would only add events at the end.
      HEARTBEAT_TIMEOUT_MS: String(3_600_000),
    },
  }
}
