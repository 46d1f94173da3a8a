import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { start as startActorSystem, stop as stopActorSystem } from 'nact'
import { Dispatcher } from '../actors/dispatcher.js'
import { InMemoryPartCatalog } from '../actors/part-catalog.js'
import type { Config } from './config.js'
import type { MachineEvent } from '../domain/events.js'
import { applyMachineEvent, initialMachineState, machineOee } from '../domain/machine.js'
import { startEmbeddedBroker } from './embedded/mqtt-broker.js'
import { startEmbeddedPostgres } from './embedded/postgres.js'
import { SchemaRegistry } from '../publish/avro/schema-registry.js'
import { ApiKeys } from '../http/api-keys.js'
import { RateLimiter } from '../http/rate-limit.js'
import { createHttpApp } from '../http/app.js'
import type { Check } from '../http/routes/health.js'
import type { Logger } from '../logger.js'
import { createMetrics, registerLiveGauges } from '../metrics.js'
import { PgDeadLetters } from '../journal/dead-letters.js'
import { CatalogQueries } from '../read/catalog-queries.js'
import { PgEntityJournal } from '../journal/entity-journal.js'
import { PgEventHistory } from '../read/event-history.js'
import { MachineQueries } from '../read/machine-queries.js'
import { migrate } from '../journal/migrate.js'
import { createPool } from '../journal/pool.js'
import { RelayThread } from '../publish/relay-thread.js'
import { MqttPublisher } from '../streams/mqtt-publisher.js'
import { MqttSource } from '../streams/mqtt-source.js'
import { startHeartbeatSweep } from '../streams/heartbeat-sweep.js'
import { ingestPipeline } from '../streams/pipeline.js'

/** A running service: where it listens and how to stop it. */
export type RunningService = {
  httpPort: number
  mqttUrl: string
  databaseUrl: string
  stop(): Promise<void>
}

type Closer = { name: string; close: () => Promise<unknown> }

/** A leading relay that has not caught up or published for this long is reported not ready. */
const RELAY_STALL_MS = 10_000

/**
 * The composition root: builds every adapter from the configuration, wires
 * MQTT → pipeline → actors → PostgreSQL → relay → Kafka and the HTTP API, and registers an
 * ordered shutdown (stop reading, drain in-flight work, commit, close). No business logic here.
 */
export async function startService(
  config: Config,
  log: Logger,
  version: string,
): Promise<RunningService> {
  const closers: Closer[] = []
  const stop = async () => {
    for (const { name, close } of closers.reverse()) {
      log.debug({ step: name }, 'shutdown step')
      await close().catch((err: unknown) => log.error({ err, step: name }, 'shutdown step failed'))
    }
  }
  try {
    let databaseUrl = config.database.url
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres(
        config.database.dataDir,
        config.database.embeddedPort,
        log,
      )
      closers.push({ name: 'embedded postgres', close: () => embedded.stop() })
      databaseUrl = embedded.url
    }
    let mqttUrl = config.mqtt.url
    if (!mqttUrl) {
      const broker = await startEmbeddedBroker(config.mqtt.embeddedPort, log)
      closers.push({ name: 'embedded broker', close: () => broker.close() })
      mqttUrl = broker.url
    }

    const pool = createPool(databaseUrl, log, 20)
    closers.push({ name: 'database pool', close: () => pool.end() })
    await migrate(pool, log)

    // Before the stores, so their commits can wake it; stopped after they have flushed.
    const relay = config.kafka.brokers ? startRelay(config, databaseUrl, log) : undefined
    if (relay) closers.push({ name: 'outbox relay', close: () => relay.stop() })

    const schemas = SchemaRegistry.fromDirectory()
    const metrics = createMetrics()
    const observeCommit = (store: string) => (size: number, seconds: number) => {
      metrics.commitBatch.observe({ store }, size)
      metrics.commitSeconds.observe({ store }, seconds)
      relay?.nudge()
    }
    const journal = new PgEntityJournal(
      pool,
      log,
      {
        maxBatch: config.processing.commitMaxBatch,
        concurrency: config.processing.commitConcurrency,
      },
      observeCommit('events'),
    )
    const deadLetters = new PgDeadLetters(
      pool,
      log,
      config.processing.commitMaxBatch,
      observeCommit('dead-letters'),
    )

    const system = startActorSystem()
    closers.push({ name: 'actor system', close: () => Promise.resolve(stopActorSystem(system)) })
    const actorLog = log.child({ module: 'actors' })
    const actors = new Dispatcher(system, {
      journal,
      catalog: new InMemoryPartCatalog(await journal.partCycleTimes()),
      rules: config.rules,
      snapshotEvery: config.processing.snapshotEvery,
      idleMs: config.processing.actorIdleMs,
      hibernateMs: config.processing.actorHibernateMs,
      onCrash: (entity, err) =>
        actorLog.error({ err, entity }, 'actor crashed; restarting from its journal'),
    })
    closers.push({ name: 'entity actors', close: () => Promise.resolve(actors.stop()) })
    closers.push({
      name: 'pending commits',
      close: () => Promise.all([journal.idle(), deadLetters.idle()]),
    })

    const source = config.mqtt.ingest
      ? new MqttSource(
          {
            url: mqttUrl,
            clientId: config.mqtt.clientId,
            topics: [`${config.mqtt.topicPrefix}/#`, 'supply-chain'],
            maxInFlight: config.processing.maxInFlight,
          },
          log.child({ module: 'mqtt-source' }),
        )
      : undefined
    if (source) {
      const pipelineLog = log.child({ module: 'pipeline' })
      const subscription = ingestPipeline(
        source.messages(),
        { ...config.mqtt, ...config.processing },
        {
          dispatch: (input) => actors.dispatch(input),
          deadLetter: (letter) => deadLetters.record(letter),
          onUnstorable: (message, err) =>
            pipelineLog.error(
              { err, topic: message.topic },
              'message neither processed nor dead-lettered; left unacknowledged',
            ),
        },
      ).subscribe({
        next: (p) => {
          metrics.messagesIn.inc()
          metrics.messagesOut.inc({ outcome: p.outcome })
          if (p.outcome === 'dead-lettered')
            pipelineLog.warn({ topic: p.message.topic }, 'message dead-lettered')
        },
        error: (err: unknown) => pipelineLog.fatal({ err }, 'ingest pipeline failed'),
      })
      await source.start()
      // Stop reading first and drain: every message handed on is committed and acknowledged.
      closers.push({
        name: 'mqtt source',
        close: async () => {
          await source.stop()
          subscription.unsubscribe()
        },
      })
    }

    const readiness = async (): Promise<Record<string, Check>> => {
      const checks: Record<string, Check> = {}
      checks.postgres = await pool.query('SELECT 1').then(
        () => ({ ok: true }),
        (err: Error) => ({ ok: false, detail: err.message }),
      )
      if (source) checks.mqtt = { ok: source.connected(), detail: source.inFlight() }
      // Commands and ingest go out through it: while it cannot publish, they would only time out.
      checks.mqttPublisher = bus.health()
      if (relay) {
        const status = relay.status()
        // A standby relay (another instance leads) is healthy without a broker connection.
        // A send can hang until the broker's request timeout: no progress for a while is a failure too.
        const stalled = Date.now() - status.lastProgressAt > RELAY_STALL_MS
        checks.kafka = status.leader
          ? {
              ok: status.connected && !stalled,
              detail: status.lastError ?? (stalled ? 'stalled' : 'connected'),
            }
          : { ok: true, detail: 'standby' }
        checks.relayLag = {
          ok: true,
          detail: (await relay.lag().catch(() => undefined)) ?? 'unknown',
        }
      }
      checks.actors = { ok: true, detail: JSON.stringify(actors.liveActors()) }
      return checks
    }

    const machineQueries = new MachineQueries(pool)
    const heartbeat = startHeartbeatSweep({
      silentMachines: (timeoutMs) => machineQueries.silentMachines(timeoutMs),
      dispatch: (input) => actors.dispatch(input),
      timeoutMs: config.rules.heartbeatTimeoutMs,
      log: log.child({ module: 'heartbeat-sweep' }),
    })
    closers.push({ name: 'heartbeat sweep', close: () => heartbeat.stop() })

    registerLiveGauges(metrics, {
      liveActors: () => actors.liveActors(),
      ...(source ? { inFlight: () => source.inFlight() } : {}),
      ...(relay
        ? { relayLag: () => relay.lag(), relayPublished: () => relay.status().published }
        : {}),
    })
    const eventHistory = new PgEventHistory(pool)
    // Commands and ingest go through the broker, to the same ordered stream as machine input.
    const bus = await MqttPublisher.connect({
      url: mqttUrl,
      clientId: `${config.mqtt.clientId}-api-${randomUUID().slice(0, 8)}`,
      timeoutMs: config.mqtt.publishTimeoutMs,
      log: log.child({ module: 'mqtt-publisher' }),
      observer: {
        refused: () => metrics.publishRefused.inc(),
        timedOut: () => metrics.publishTimeouts.inc(),
      },
    })
    closers.push({ name: 'mqtt publisher', close: () => bus.close() })
    const app = createHttpApp({
      metrics,
      bus,
      apiKeys: new ApiKeys(config.http.apiKeys),
      topicPrefix: config.mqtt.topicPrefix,
      ingestLimit: new RateLimiter(config.http.ingestRatePerKey, config.http.ingestRatePerKey),
      // OEE over another window: the machine's state folded from its snapshot and later events.
      oeeOf: async (machineId, windowMs) => {
        const state = await journal.load(
          'machine',
          machineId,
          initialMachineState(machineId, config.rules),
          (s, e) => applyMachineEvent(s, e as MachineEvent, config.rules),
        )
        return state.sequence === 0 ? undefined : machineOee(state, config.rules, windowMs)
      },
      oeeWindowMs: config.rules.oeeWindowMs,
      eventHistory,
      machines: machineQueries,
      catalog: new CatalogQueries(pool),
      deadLetters,
      schemas,
      readiness,
      readsNeedKey: config.http.readsNeedKey,
      log,
      version,
    })
    const handle = app.callback()
    const server = createServer((req, res) => void handle(req, res))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(config.http.port, config.http.host, () => resolve())
    })
    closers.push({
      name: 'http server',
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeIdleConnections()
        }),
    })
    // Runs before the server's own close, so open event streams end and it can finish.
    closers.push({ name: 'event streams', close: () => eventHistory.close() })
    const httpPort = (server.address() as AddressInfo).port
    log.info({ httpPort, mqttUrl, kafka: config.kafka.brokers ?? 'off' }, 'millstream started')
    return { httpPort, mqttUrl, databaseUrl, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** The outbox relay, in a worker thread with its own connections. */
function startRelay(config: Config, databaseUrl: string, log: Logger): RelayThread {
  const relay = new RelayThread(
    {
      databaseUrl,
      relayName: `kafka:${config.kafka.topicPrefix}`,
      producer: {
        brokers: [...(config.kafka.brokers ?? [])],
        clientId: config.kafka.clientId,
        topicPrefix: config.kafka.topicPrefix,
        partitions: config.kafka.partitions,
        replicationFactor: config.kafka.replicationFactor,
      },
      batch: config.kafka.relayBatch,
      pollMs: config.kafka.relayPollMs,
      logLevel: config.logLevel,
    },
    log.child({ module: 'outbox-relay' }),
  )
  relay.start()
  return relay
}
