import type { Mapping } from '../../sparkplug/mapping.js'
import { SparkplugCommands } from '../../sparkplug/commands.js'
import { PgSparkplugSources } from '../../sparkplug/sources.js'
import { randomUUID } from 'node:crypto'
import { createServer, type Server, type ServerOptions } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type pg from 'pg'
import { ApiKeys } from '../../http/api-keys.js'
import { createHttpApp, createOpsApp, type HttpHygiene } from '../../http/app.js'
import type Koa from 'koa'
import type { EntityJournal } from '../../actors/ports.js'
import { RateLimiter } from '../../http/rate-limit.js'
import { NO_CHECKS, type Check, type Component } from '../../lifecycle.js'
import type { Logger } from '../../logger.js'
import type { Metrics } from '../../metrics.js'
import { SchemaRegistry } from '../../publish/avro/schema-registry.js'
import { CatalogQueries } from '../../read/catalog-queries.js'
import { PgDeadLetterQueries } from '../../read/dead-letter-queries.js'
import { PgParkedRecords } from '../../read/parked-record-queries.js'
import { kafkaRelayName } from './publish.js'
import { PgAuditLog } from '../../read/audit-log.js'
import type { AlarmRuleReads } from '../../read/ports.js'
import { AlarmQueries } from '../../read/alarm-queries.js'
import { AlarmHealthQueries } from '../../read/alarm-health-queries.js'
import { PgEventHistory } from '../../read/event-history.js'
import { PgChangeLog } from '../../read/change-log.js'
import { LiveStream } from '../../read/live-stream.js'
import { LogTail } from '../../read/log-tail.js'
import { MachineQueries } from '../../read/machine-queries.js'
import { machineOeeOver } from '../../read/machine-oee.js'
import { SeriesQueries } from '../../read/series-queries.js'
import { PlantQueries } from '../../read/plant-queries.js'
import { PgDowntimeQueries } from '../../read/downtime-queries.js'
import { PgKpiQueries } from '../../read/kpi-queries.js'
import { PgDowntimeClassifications } from '../../journal/downtime-classifications.js'
import { MqttPublisher, type PublisherObserver } from '../../streams/mqtt-publisher.js'
import type { PlantModelSource } from '../../plant/model-source.js'
import type { Config } from '../config.js'

/** Commands and HTTP ingest go out through the broker, to the same ordered stream as machines. */
/** A publisher's refusals and timeouts, counted. */
export const publisherObserver = (metrics: Metrics): PublisherObserver => ({
  refused: () => metrics.publishRefused.inc(),
  timedOut: () => metrics.publishTimeouts.inc(),
})

export function commandPublisher(
  config: Config,
  mqttUrl: string,
  metrics: Metrics,
  log: Logger,
): Component<MqttPublisher> {
  let bus: MqttPublisher | undefined
  return {
    name: 'mqtt publisher',
    start: async () => {
      bus = await MqttPublisher.connect({
        url: mqttUrl,
        security: config.mqtt.security,
        clientId: `${config.mqtt.clientId}-api-${randomUUID().slice(0, 8)}`,
        timeoutMs: config.mqtt.publishTimeoutMs,
        log: log.child({ module: 'mqtt-publisher' }),
        observer: publisherObserver(metrics),
      })
      return bus
    },
    stop: async () => bus?.close(),
    // While it cannot publish, commands and ingest would only time out.
    checks: () => Promise.resolve(bus ? { mqttPublisher: bus.health() } : NO_CHECKS),
  }
}

/** The HTTP API; yields the port it listens on. */
export function httpApi(
  config: Config,
  wiring: {
    /** The pool that commits: what commands read before they publish. */
    pool: pg.Pool
    /** The pool the API's reads, streams and live stream use. */
    reads: pg.Pool
    journal: Pick<EntityJournal, 'load'>
    bus: MqttPublisher
    metrics: Metrics
    readiness: () => Promise<Record<string, Check>>
    version: string
    /** The Sparkplug mapping, when the host is on: commands may go to the edge too. */
    sparkplug?: Mapping
    /** The plant model in force (reloadable). */
    plant: PlantModelSource
    /** The alarm rules in force (GET /alarm-rules). */
    alarmRules?: AlarmRuleReads
  },
  log: Logger,
): Component<number> {
  const { pool, reads, journal, bus, metrics } = wiring
  const eventHistory = new PgEventHistory(reads, {
    maxStreams: config.reads.streams,
    maxStreamsPerClient: config.reads.streamsPerClient,
    maxRows: config.reads.maxRows,
    maxDurationMs: config.reads.maxDurationMs,
    slowClientMs: config.reads.slowClientTimeoutMs,
  })
  const stream = liveStream(config, reads, metrics, log)
  const app = createHttpApp({
    metrics,
    bus,
    apiKeys: new ApiKeys(config.http.apiKeys),
    topicPrefix: config.mqtt.topicPrefix,
    ingestLimit: new RateLimiter(config.http.ingestRatePerKey, config.http.ingestRatePerKey),
    ...(wiring.sparkplug
      ? {
          edgeCommands: new SparkplugCommands(
            new PgSparkplugSources(pool, config.mqtt.publishTimeoutMs),
            wiring.sparkplug,
          ),
        }
      : {}),
    oeeOf: machineOeeOver(journal, config.rules),
    oeeWindowMs: config.rules.oeeWindowMs,
    eventHistory,
    stream,
    machines: new MachineQueries(reads),
    plant: new PlantQueries(reads, () => wiring.plant.current),
    downtime: new PgDowntimeQueries(reads),
    kpis: new PgKpiQueries(reads, config.reads.maxRows),
    // The write pool: a classification is an event in the log.
    classifier: new PgDowntimeClassifications(pool, config.mqtt.publishTimeoutMs),
    plantModel: () => wiring.plant.current,
    series: new SeriesQueries(reads),
    catalog: new CatalogQueries(reads),
    deadLetters: new PgDeadLetterQueries(reads),
    // The write pool: the operator's republish command updates these rows.
    parkedRecords: new PgParkedRecords(pool, kafkaRelayName(config.kafka)),
    audit: new PgAuditLog(pool, config.mqtt.publishTimeoutMs),
    schemas: SchemaRegistry.fromDirectory(),
    readiness: wiring.readiness,
    readsNeedKey: config.http.readsNeedKey,
    log,
    version: wiring.version,
    hygiene: hygieneOf(config.http),
    ...(wiring.alarmRules ? { alarmRules: wiring.alarmRules } : {}),
    alarms: new AlarmQueries(reads),
    alarmHealth: new AlarmHealthQueries(reads),
  })
  const server = listener(app, config.http)
  return {
    name: 'http server',
    start: server.listen,
    stop: async () => {
      // Open event streams end first, so the server's own close can finish.
      try {
        await stream.close()
        await eventHistory.close()
      } finally {
        await server.close()
      }
    },
  }
}

/** Liveness, readiness and metrics alone, for an instance without the http role. */
export function opsApi(
  config: Config,
  wiring: {
    metrics: Metrics
    readiness: () => Promise<Record<string, Check>>
  },
  log: Logger,
): Component<number> {
  const app = createOpsApp({
    ...wiring,
    apiKeys: new ApiKeys([]),
    log,
    hygiene: hygieneOf(config.http),
  })
  const server = listener(app, config.http)
  return { name: 'ops http server', start: server.listen, stop: server.close }
}

/** The listener's hygiene settings, as the app takes them. */
function hygieneOf(http: Config['http']): HttpHygiene {
  return {
    https: http.tls !== undefined,
    ...(http.allowedHosts ? { allowedHosts: http.allowedHosts } : {}),
    ...(http.corsOrigins ? { corsOrigins: http.corsOrigins } : {}),
  }
}

/**
 * An HTTP server for `app` on the configured address, HTTPS only when a certificate is set;
 * `listen` yields the port. Its timeouts and connection cap bound what a client that sends
 * slowly, or never reads, can hold: a TLS handshake, a request's headers and its whole body
 * each have a deadline, a socket with no traffic either way is closed, and connections past
 * the cap are refused at once.
 */
function listener(app: Koa, http: Config['http']) {
  let server: Server | undefined
  return {
    listen: async (): Promise<number> => {
      app.proxy = http.trustProxy
      // The address the proxy appended, never one a client wrote into the header itself.
      app.maxIpsCount = 1
      const handle = app.callback()
      const options: ServerOptions = {
        headersTimeout: http.headersTimeoutMs,
        requestTimeout: http.requestTimeoutMs,
        keepAliveTimeout: http.keepAliveTimeoutMs,
        // How often the two deadlines above are checked (Node's default is 30 s).
        connectionsCheckingInterval: Math.min(1000, http.headersTimeoutMs),
      }
      const respond = (req: Parameters<typeof handle>[0], res: Parameters<typeof handle>[1]) =>
        void handle(req, res)
      const listening: Server = http.tls
        ? createHttpsServer(
            {
              ...options,
              cert: http.tls.cert,
              key: http.tls.key,
              minVersion: 'TLSv1.2',
              // Node's default is 120 s: a client that never finishes its handshake holds a
              // connection as long as one that never sends its headers, no longer.
              handshakeTimeout: http.headersTimeoutMs,
              // With a client CA, a client without a certificate it signed fails the handshake.
              ...(http.tls.clientCa !== undefined
                ? { ca: http.tls.clientCa, requestCert: true, rejectUnauthorized: true }
                : {}),
            },
            respond,
          )
        : createServer(options, respond)
      listening.maxConnections = http.maxConnections
      listening.setTimeout(http.idleTimeoutMs, (socket) => socket.destroy())
      server = listening
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject)
        listening.listen(http.port, http.host, () => resolve())
      })
      return (listening.address() as AddressInfo).port
    },
    close: async (): Promise<void> => {
      const listening = server
      if (listening?.listening)
        await new Promise<void>((resolve) => {
          listening.close(() => resolve())
          listening.closeIdleConnections()
        })
    },
  }
}

/** Rows per read of the event log by the live stream, and the deadline of each of its reads. */
const STREAM_BATCH = 5000
const STREAM_DEADLINE_MS = 5000

/** The live stream: one tail of the committed log for every client of this instance. */
function liveStream(config: Config, pool: pg.Pool, metrics: Metrics, log: Logger): LiveStream {
  const changes = new PgChangeLog(pool, STREAM_DEADLINE_MS)
  const streamLog = log.child({ module: 'live-stream' })
  const tail = new LogTail(changes, {
    pollMs: config.stream.pollMs,
    batch: STREAM_BATCH,
    log: streamLog,
  })
  return new LiveStream(
    tail,
    changes,
    {
      machines: new MachineQueries(pool),
      catalog: new CatalogQueries(pool),
      deadLetters: new PgDeadLetterQueries(pool),
    },
    {
      flushMs: config.stream.flushMs,
      keepaliveMs: 15_000,
      resumeMaxEvents: config.stream.resumeMaxEvents,
      maxSubscribers: config.stream.maxSubscribers,
      maxSubscribersPerClient: config.stream.maxSubscribersPerClient,
      slowClientMs: config.reads.slowClientTimeoutMs,
      batch: STREAM_BATCH,
      deadlineMs: STREAM_DEADLINE_MS,
      log: streamLog,
      onSubscribers: (n) => metrics.streamSubscribers.set(n),
      onPending: (n) => metrics.streamPending.set(n),
    },
  )
}
