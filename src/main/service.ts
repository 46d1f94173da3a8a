import { Lifecycle } from '../lifecycle.js'
import type { Logger } from '../logger.js'
import { createMetrics, registerLiveGauges } from '../metrics.js'
import { entityRuntime } from './components/entities.js'
import { commandPublisher, httpApi } from './components/http.js'
import { heartbeatSweep, mqttIngest } from './components/ingest.js'
import { outboxRelay } from './components/publish.js'
import { database, embeddedBroker, embeddedPostgres } from './components/storage.js'
import type { Config } from './config.js'

/** A running service: where it listens and how to stop it. */
export type RunningService = {
  httpPort: number
  mqttUrl: string
  databaseUrl: string
  stop(): Promise<void>
}

/**
 * The composition root: MQTT → pipeline → actors → PostgreSQL → relay → Kafka, and the HTTP
 * API. Components start in this order and stop in reverse: reading stops first, in-flight
 * work drains and commits, then connections close. No business logic here.
 */
export async function startService(
  config: Config,
  log: Logger,
  version: string,
): Promise<RunningService> {
  const life = new Lifecycle(log)
  const databaseUrl =
    config.database.url ?? (await life.start(embeddedPostgres(config.database, log)))
  const mqttUrl = config.mqtt.url ?? (await life.start(embeddedBroker(config.mqtt, log)))
  const pool = await life.start(database(databaseUrl, log))
  const relay = config.kafka.brokers
    ? await life.start(outboxRelay(config, databaseUrl, log))
    : undefined
  const metrics = createMetrics()
  const entities = await life.start(entityRuntime(config, pool, metrics, () => relay?.nudge(), log))
  const source = config.mqtt.ingest
    ? await life.start(mqttIngest(config, mqttUrl, pool, entities, metrics, log))
    : undefined
  await life.start(heartbeatSweep(config, pool, entities, log))
  registerLiveGauges(metrics, {
    liveActors: () => entities.actors.liveActors(),
    ...(source ? { inFlight: () => source.inFlight() } : {}),
    ...(relay
      ? { relayLag: () => relay.lag(), relayPublished: () => relay.status().published }
      : {}),
  })
  const bus = await life.start(commandPublisher(config, mqttUrl, metrics, log))
  const readiness = () => life.checks()
  const httpPort = await life.start(
    httpApi(config, { pool, entities, bus, metrics, readiness, version }, log),
  )
  log.info({ httpPort, mqttUrl, kafka: config.kafka.brokers ?? 'off' }, 'millstream started')
  return { httpPort, mqttUrl, databaseUrl, stop: () => life.stop() }
}
