import { PartitionLedger } from '../cluster/partition-ledger.js'
import { PgDeadLetters } from '../journal/dead-letters.js'
import { PgEntityJournal } from '../journal/entity-journal.js'
import { Lifecycle } from '../lifecycle.js'
import type { Logger } from '../logger.js'
import { sanitizeUrl } from '../security/redact.js'
import { createMetrics, registerAlarmGauges, registerLiveGauges } from '../metrics.js'
import { AlarmHealthQueries } from '../read/alarm-health-queries.js'
import { withTimeout } from '../deadline.js'
import {
  hostedMachines,
  ingestBridge,
  ingestTopic,
  partCatalogFeed,
  partitionConsumer,
} from './components/cluster.js'
import { alarmRules } from './components/alarm-rules.js'
import { alarmNotifications } from './components/notifications.js'
import { entityRuntime } from './components/entities.js'
import { commandPublisher, httpApi, opsApi } from './components/http.js'
import { heartbeatSweep, intoActors, mqttIngest } from './components/ingest.js'
import { outboxRelay } from './components/publish.js'
import { downtimeFollower, plantModelReload, plantModelSource } from './components/plant.js'
import { seriesFollower } from './components/series.js'
import { sparkplugIngest, sparkplugMapping } from './components/sparkplug.js'
import { logGauges, logMaintenance } from './components/retention.js'
import { database, embeddedBroker, embeddedPostgres, readPool } from './components/storage.js'
import type { Config } from './config.js'

/** A running service: where it listens and how to stop it. */
export type RunningService = {
  httpPort: number
  mqttUrl: string
  databaseUrl: string
  stop(): Promise<void>
}

/**
 * The composition root. Single-node mode: MQTT → pipeline → actors → PostgreSQL → relay →
 * Kafka, and the HTTP API. Cluster mode, the roles asked for: ingest (MQTT → the Kafka ingest
 * topic), process (the topic's consumer group → pipeline → actors → PostgreSQL), http. The
 * relay runs wherever Kafka is configured (one leader at a time). Components start in this
 * order and stop in reverse: reading stops first, in-flight work drains and commits, then
 * connections close. No business logic here.
 */
export async function startService(
  config: Config,
  log: Logger,
  version: string,
): Promise<RunningService> {
  // Checked before anything starts: a bad mapping file stops the start with all its problems.
  const sparkplug = config.sparkplug.enabled ? await sparkplugMapping(config) : undefined
  const plant = await plantModelSource(config)
  const life = new Lifecycle(log)
  // Likewise a bad alarm rules file, before anything else starts.
  const rules = await life.start(alarmRules(config, log))
  const single = config.mode === 'single'
  const has = (role: 'ingest' | 'process' | 'http') => config.roles.has(role)
  const target =
    config.database.target ?? (await life.start(embeddedPostgres(config.database, log)))
  const databaseUrl = typeof target === 'string' ? target : target.url
  const metrics = createMetrics()
  await life.start(plantModelReload(plant, config, metrics, log))
  const mqttUrl =
    config.mqtt.url ??
    (await life.start(embeddedBroker(config.mqtt, metrics, log, config.database.dataDir)))
  const pool = await life.start(database(target, config.database.poolSize, log))
  // Partitions for what is about to be committed, before anything commits.
  const logs = await life.start(logMaintenance(config, pool, log))
  const relay = config.kafka.brokers
    ? await life.start(outboxRelay(config, target, log))
    : undefined
  // Cluster mode: which partitions of the ingest topic this instance holds, for every commit.
  const ledger = !single && has('process') ? new PartitionLedger(ingestTopic(config)) : undefined
  const entities =
    single || ledger
      ? await life.start(
          entityRuntime(
            config,
            pool,
            metrics,
            () => relay?.nudge(),
            log,
            ledger?.resumePoints.bind(ledger),
            rules,
          ),
        )
      : undefined
  if (entities && ledger) {
    await life.start(partCatalogFeed(target, entities, log))
    await life.start(partitionConsumer(config, pool, entities, ledger, metrics, log))
  }
  const consume =
    single && entities
      ? config.mqtt.ingest
        ? intoActors(config, entities, metrics, log)
        : undefined
      : has('ingest')
        ? await life.start(ingestBridge(config, pool, metrics, log))
        : undefined
  const source = consume
    ? await life.start(mqttIngest(config, mqttUrl, pool, metrics, log, consume))
    : undefined
  // Sparkplug B beside the JSON topics, its inputs into the same pipeline (or ingest topic).
  if (consume && sparkplug) {
    const letters =
      entities?.deadLetters ??
      new PgDeadLetters(pool, log, config.processing.commitMaxBatch, undefined, {
        payloadBytes: config.processing.deadLetterPayloadBytes,
      })
    await life.start(
      sparkplugIngest(
        config,
        sparkplug,
        mqttUrl,
        pool,
        (l) => letters.record(l),
        metrics,
        log,
        consume,
      ),
    )
  }
  if (entities)
    await life.start(
      heartbeatSweep(config, pool, entities, log, ledger && hostedMachines(config, ledger)),
    )
  // The chart tables, rolled up from the committed log wherever events are processed.
  const series =
    single || has('process') ? await life.start(seriesFollower(config, pool, log)) : undefined
  // Downtime records and parts per line and minute, for the plant's KPIs, likewise.
  if (single || has('process')) await life.start(downtimeFollower(config, pool, plant, log))
  // Each alarm event to the webhooks and, retained, to the MQTT alarm topics.
  if (single || has('process'))
    await life.start(alarmNotifications(config, pool, mqttUrl, metrics, log))
  registerLiveGauges(metrics, {
    ...logGauges(logs),
    ...(series ? { seriesLag: () => series.lag() } : {}),
    ...(entities ? { liveActors: () => entities.actors.liveActors() } : {}),
    ...(source ? { inFlight: () => source.inFlight() } : {}),
    ...(relay
      ? {
          relayLag: () => relay.lag(),
          relayPublished: () => relay.status().published,
          relayParked: () => relay.status().parked.waiting,
        }
      : {}),
  })
  const alarmHealth = new AlarmHealthQueries(pool)
  registerAlarmGauges(metrics, async () => {
    // Within a scrape's usual 10 s timeout.
    const h = await withTimeout(alarmHealth.health(24 * 3_600_000), 5000)
    return { ...h, chattering: h.chattering.length }
  })
  const readiness = () => life.checks()
  let httpPort: number
  if (single || has('http')) {
    const bus = await life.start(commandPublisher(config, mqttUrl, metrics, log))
    // The API's reads wait for connections of their own, never for a writer's.
    const reads = await life.start(readPool(target, config.reads, log))
    // The API reads OEE over other windows from the journal; without actors, it only reads.
    const journal =
      entities?.journal ?? new PgEntityJournal(pool, log, { maxBatch: 1, concurrency: 1 })
    httpPort = await life.start(
      httpApi(
        config,
        {
          pool,
          reads,
          journal,
          bus,
          metrics,
          readiness,
          version,
          plant,
          alarmRules: rules,
          ...(sparkplug ? { sparkplug } : {}),
        },
        log,
      ),
    )
  } else {
    httpPort = await life.start(opsApi(config, { metrics, readiness }, log))
  }
  log.info(
    {
      mode: config.mode,
      roles: [...config.roles],
      httpPort,
      mqttUrl: sanitizeUrl(mqttUrl),
      kafka: config.kafka.brokers ?? 'off',
    },
    'millstream started',
  )
  return { httpPort, mqttUrl, databaseUrl, stop: () => life.stop() }
}
