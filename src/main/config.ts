import { z } from 'zod'
import type { MachineRules } from '../domain/rules.js'
import { parseApiKeyEntries, type ApiKeySpec } from '../http/api-key-spec.js'
import { DURATION_TEXT, parseDuration } from '../series/buckets.js'
import {
  KAFKA_SASL_MECHANISMS,
  kafkaSecurityFrom,
  type KafkaSecurity,
} from '../publish/kafka-security.js'
import { databaseTargetFrom, type DatabaseTarget } from '../journal/database-target.js'
import { readTextFile, type ReadText } from '../security/tls-material.js'
import { mqttSecurityFrom, type MqttSecurity } from '../streams/mqtt-security.js'
import { corsProblems, httpsFrom, type HttpsMaterial } from '../http/https-settings.js'
import { brokerTlsFrom, type BrokerTls } from './embedded/broker-tls.js'

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

const port = z.coerce.number().int().min(0).max(65535)
const positiveInt = z.coerce.number().int().positive()

/** A duration as `90s`, `10m`, `6h` or `2d` (the grammar of a chart's bucket), in ms. */
const duration = z
  .string()
  .regex(new RegExp(DURATION_TEXT), 'a whole number and s, m, h or d, e.g. 10m or 2d')
  .transform((text) => parseDuration(text) as number)

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0),
)

/** The parts of the data path one instance may run (all three: single-node mode). */
export const ROLE_NAMES = ['ingest', 'process', 'http'] as const
export type Role = (typeof ROLE_NAMES)[number]

const roles = list.pipe(z.array(z.enum(ROLE_NAMES)).min(1, 'name at least one role'))

const envSchema = z.object({
  ROLES: roles.default([...ROLE_NAMES]),
  MQTT_URL: z.url().optional(),
  MQTT_CLIENT_ID: z.string().min(1).default('millstream-ingest'),
  MQTT_TOPIC_PREFIX: z
    .string()
    .min(1)
    .regex(/^[^#+]+$/, 'no MQTT wildcards')
    .default('factory'),
  MQTT_INGEST: bool.default(true),
  MQTT_CA_FILE: z.string().min(1).optional(),
  MQTT_CERT_FILE: z.string().min(1).optional(),
  MQTT_KEY_FILE: z.string().min(1).optional(),
  MQTT_USERNAME: z.string().min(1).optional(),
  MQTT_PASSWORD_FILE: z.string().min(1).optional(),
  EMBEDDED_MQTT_PORT: port.default(1883),
  DATABASE_URL: z.string().min(1).optional(),
  PGSSLROOTCERT: z.string().min(1).optional(),
  EMBEDDED_PG_PORT: port.default(54329),
  DATA_DIR: z.string().min(1).default('.millstream'),
  KAFKA_BROKERS: list.optional(),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9._-]+$/)
    .default('millstream'),
  KAFKA_PARTITIONS: positiveInt.default(6),
  KAFKA_REPLICATION_FACTOR: positiveInt.default(1),
  KAFKA_CLIENT_ID: z.string().min(1).default('millstream'),
  KAFKA_MAX_MESSAGE_BYTES: positiveInt.min(4096).default(1_000_000),
  KAFKA_SSL: bool.optional(),
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  KAFKA_SSL_CERT_FILE: z.string().min(1).optional(),
  KAFKA_SSL_KEY_FILE: z.string().min(1).optional(),
  KAFKA_SASL_MECHANISM: z.enum(KAFKA_SASL_MECHANISMS).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD_FILE: z.string().min(1).optional(),
  INGEST_PARTITIONS: positiveInt.default(24),
  PROCESS_SESSION_TIMEOUT_MS: positiveInt.min(6000).default(10_000),
  HTTP_PORT: port.default(8080),
  HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  API_KEYS: list.optional(),
  API_KEYS_FOR_READS: bool.default(false),
  MQTT_PUBLISH_TIMEOUT_MS: positiveInt.default(5000),
  INGEST_RATE_PER_KEY: positiveInt.default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  MAX_IN_FLIGHT: positiveInt.default(5000),
  MAX_PAYLOAD_BYTES: positiveInt.default(64 * 1024),
  DEAD_LETTER_PAYLOAD_BYTES: positiveInt.default(4096),
  COMMIT_MAX_BATCH: positiveInt.default(1000),
  COMMIT_CONCURRENCY: positiveInt.max(16).default(2),
  SNAPSHOT_EVERY: positiveInt.default(100),
  ACTOR_IDLE_MS: positiveInt.default(5 * 60_000),
  ACTOR_HIBERNATE_MS: positiveInt.default(30_000),
  RELAY_BATCH: positiveInt.default(1000),
  RELAY_POLL_MS: positiveInt.default(25),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(15_000),
  OEE_WINDOW_MS: positiveInt.default(60 * 60_000),
  OEE_BUCKET_MS: positiveInt.default(60_000),
  HEARTBEAT_TIMEOUT_MS: positiveInt.default(5 * 60_000),
  SCRAP_RATE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.1),
  SCRAP_RATE_MIN_PARTS: positiveInt.default(20),
  ALARM_RULES_FILE: z.string().min(1).optional(),
  ALARM_RULES_POLL_MS: positiveInt.default(2000),
  ALARM_TICK_MS: positiveInt.default(5000),
  ALARM_WEBHOOK_URLS: list.pipe(z.array(z.url())).default([]),
  ALARM_WEBHOOK_SECRET_FILE: z.string().min(1).optional(),
  ALARM_WEBHOOK_TIMEOUT_MS: positiveInt.default(5000),
  ALARM_WEBHOOK_RETRY_BUDGET_MS: positiveInt.default(60_000),
  ALARM_MQTT_NOTIFY: bool.default(true),
  STREAM_POLL_MS: positiveInt.default(200),
  STREAM_FLUSH_MS: positiveInt.default(500),
  STREAM_RESUME_MAX_EVENTS: positiveInt.default(200_000),
  SERIES_RAW_RETENTION: duration.prefault('2d'),
  SERIES_MINUTE_RETENTION: duration.prefault('35d'),
  SERIES_HOUR_RETENTION: duration.prefault('400d'),
  SERIES_SWEEP_INTERVAL: duration.prefault('10m'),
  SERIES_BATCH: positiveInt.max(20_000).default(10_000),
  EVENT_PARTITION: duration.prefault('1d'),
  EVENT_RETENTION: z.union([z.literal('off'), duration]).default('off'),
  DEDUP_WINDOW: duration.prefault('2d'),
  ARCHIVE_DIR: z.string().min(1).optional(),
  SPARKPLUG: bool.default(true),
  SPARKPLUG_GROUPS: list.optional(),
  SPARKPLUG_HOST_ID: z
    .string()
    .min(1)
    .regex(/^[^/#+]+$/, 'no / # or +')
    .default('millstream'),
  SPARKPLUG_MAPPING: z.string().min(1).optional(),
  PLANT_MODEL_FILE: z.string().min(1).optional(),
  SPARKPLUG_REBIRTH_INTERVAL_MS: positiveInt.default(5000),
  SPARKPLUG_REBIRTH_RATE: positiveInt.default(20),
  SPARKPLUG_MAX_EDGE_NODES: positiveInt.default(1000),
  SPARKPLUG_MAX_DEVICES_PER_NODE: positiveInt.default(100),
  SPARKPLUG_MAX_METRICS_PER_BIRTH: positiveInt.default(1000),
  SPARKPLUG_IDLE_TIMEOUT: duration.prefault('1h'),
  MACHINE_ALLOW_LIST: list.optional(),
  MAX_METRICS_PER_MACHINE: positiveInt.default(200),
  EMBEDDED_MQTT_MAX_PACKET_BYTES: positiveInt.default(1024 * 1024),
  EMBEDDED_MQTT_SESSION_QUEUE: positiveInt.default(10_000),
  DATABASE_POOL_SIZE: positiveInt.default(20),
  READ_POOL_SIZE: positiveInt.default(10),
  READ_STATEMENT_TIMEOUT_MS: positiveInt.default(30_000),
  READ_IDLE_IN_TRANSACTION_TIMEOUT_MS: positiveInt.default(10_000),
  READ_ACQUIRE_TIMEOUT_MS: positiveInt.default(2000),
  READ_MAX_ROWS: positiveInt.default(100_000),
  READ_MAX_DURATION_MS: positiveInt.default(60_000),
  READ_SLOW_CLIENT_TIMEOUT_MS: positiveInt.default(10_000),
  READ_STREAMS: positiveInt.default(4),
  READ_STREAMS_PER_CLIENT: positiveInt.default(2),
  STREAM_MAX_SUBSCRIBERS: positiveInt.default(500),
  STREAM_MAX_SUBSCRIBERS_PER_CLIENT: positiveInt.default(10),
  HTTP_HEADERS_TIMEOUT_MS: positiveInt.default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: positiveInt.default(30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: positiveInt.default(5000),
  HTTP_IDLE_TIMEOUT_MS: positiveInt.default(60_000),
  HTTP_MAX_CONNECTIONS: positiveInt.default(4096),
  HTTP_TRUST_PROXY: bool.default(false),
  HTTP_ALLOWED_HOSTS: list.optional(),
  CORS_ORIGINS: list.optional(),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  TLS_CLIENT_CA_FILE: z.string().min(1).optional(),
  EMBEDDED_MQTT_AUTH: bool.default(true),
  EMBEDDED_MQTT_TLS_PORT: port.optional(),
  EMBEDDED_MQTT_TLS_HOST: z.string().min(1).default('127.0.0.1'),
  EMBEDDED_MQTT_TLS_CERT_FILE: z.string().min(1).optional(),
  EMBEDDED_MQTT_TLS_KEY_FILE: z.string().min(1).optional(),
  EMBEDDED_MQTT_TLS_CLIENT_CA_FILE: z.string().min(1).optional(),
})

/** Every environment variable the service reads (docs/configuration.md lists each; a test checks). */
export const SETTINGS = Object.keys(envSchema.shape) as readonly (keyof typeof envSchema.shape)[]

/** Parsed, typed service configuration. */
export type Config = Readonly<{
  /**
   * What this instance runs. `single`: all three roles in one process, MQTT straight into the
   * actors. `cluster`: the named roles, joined by the Kafka ingest topic.
   */
  mode: 'single' | 'cluster'
  roles: ReadonlySet<Role>
  mqtt: Readonly<{
    url: string | undefined
    clientId: string
    topicPrefix: string
    ingest: boolean
    embeddedPort: number
    publishTimeoutMs: number
    /** The embedded broker's largest packet (remaining length), in bytes. */
    embeddedMaxPacketBytes: number
    /** The most messages the embedded broker queues for one session (not the service's own). */
    embeddedSessionQueue: number
    /** TLS material and credentials of every MQTT client the service makes. */
    security: MqttSecurity
    /** Whether the embedded broker requires credentials and checks what each client may do. */
    embeddedAuth: boolean
    /** The embedded broker's TLS listener, beside its plain one on 127.0.0.1, if set. */
    embeddedTls: BrokerTls | undefined
  }>
  database: Readonly<{
    url: string | undefined
    /** Where an external database's connections go and how they check it (with `url`). */
    target: DatabaseTarget | undefined
    embeddedPort: number
    dataDir: string
    /** Connections of the pool that commits, relays and follows the log. */
    poolSize: number
  }>
  /**
   * The API's reads: their own pool (so they never take a writer's connection), each
   * statement's deadline, the wait for a connection, and the bounds of a streamed answer.
   */
  reads: Readonly<{
    poolSize: number
    statementTimeoutMs: number
    idleInTransactionTimeoutMs: number
    acquireTimeoutMs: number
    maxRows: number
    maxDurationMs: number
    slowClientTimeoutMs: number
    streams: number
    streamsPerClient: number
  }>
  kafka: Readonly<{
    brokers: readonly string[] | undefined
    topicPrefix: string
    partitions: number
    replicationFactor: number
    clientId: string
    /** TLS and SASL of every Kafka client the service makes (files already read). */
    security: KafkaSecurity
    relayBatch: number
    relayPollMs: number
    /**
     * Most bytes of records in one produce request (batches are split to stay under it): the
     * broker's `message.max.bytes`, which bounds a whole record batch.
     */
    maxMessageBytes: number
    /** Partitions of `{topicPrefix}.ingest`: the most process instances that can share work. */
    ingestPartitions: number
    /** How long a silent process instance keeps its partitions. */
    sessionTimeoutMs: number
  }>
  http: Readonly<{
    port: number
    host: string
    apiKeys: readonly ApiKeySpec[]
    readsNeedKey: boolean
    ingestRatePerKey: number
    headersTimeoutMs: number
    requestTimeoutMs: number
    keepAliveTimeoutMs: number
    idleTimeoutMs: number
    maxConnections: number
    /** Take the client's address from X-Forwarded-For (behind a proxy that sets it). */
    trustProxy: boolean
    /** The server's certificate and key: with them the listener serves HTTPS only. */
    tls?: HttpsMaterial
    /** The host names a request may address (its Host header); any, when not set. */
    allowedHosts?: readonly string[]
    /** The origins whose pages may call the API from a browser (CORS); none, when not set. */
    corsOrigins?: readonly string[]
  }>
  processing: Readonly<{
    maxInFlight: number
    maxPayloadBytes: number
    /** Most bytes of its input a dead letter keeps (the rest: size and SHA-256). */
    deadLetterPayloadBytes: number
    commitMaxBatch: number
    commitConcurrency: number
    snapshotEvery: number
    actorIdleMs: number
    actorHibernateMs: number
    /** Machine ids and patterns inputs may address; undefined: every machine. */
    machineAllowList: readonly string[] | undefined
  }>
  rules: Readonly<MachineRules>
  /**
   * Alarms: the rules file (built-in rules without it), how often it is checked for a change,
   * and the longest a time-based alarm change (a delay, a shelf's end) waits for its tick.
   */
  alarms: Readonly<{ rulesFile: string | undefined; reloadPollMs: number; tickMs: number }>
  /**
   * Alarm notifications: the webhooks each alarm event is posted to (signed with the secret in
   * the file), each call's deadline, how long one event is retried before it is undeliverable,
   * and whether each alarm's state is published retained on MQTT.
   */
  alarmNotify: Readonly<{
    webhookUrls: readonly string[]
    webhookSecretFile: string | undefined
    webhookTimeoutMs: number
    retryBudgetMs: number
    mqtt: boolean
  }>
  /** The live stream: how often the log is read, updates are sent, and how far back a resume reads. */
  stream: Readonly<{
    pollMs: number
    flushMs: number
    resumeMaxEvents: number
    maxSubscribers: number
    maxSubscribersPerClient: number
  }>
  /** Time series for charts: how long each grain is kept, and the follower's batch. */
  series: Readonly<{
    rawRetentionMs: number
    minuteRetentionMs: number
    hourRetentionMs: number
    sweepIntervalMs: number
    batch: number
  }>
  /**
   * The event log's time partitions: how wide each is, how long events are kept (undefined:
   * for ever), how long an input's idempotency key is looked up, and where dropped partitions
   * are archived first.
   */
  log: Readonly<{
    partitionMs: number
    retentionMs: number | undefined
    dedupWindowMs: number
    archiveDir: string | undefined
  }>
  /** The plant model file (sites, areas, lines, calendars, reasons); none: the built-in one. */
  plant: Readonly<{ modelFile: string | undefined }>
  /** The Sparkplug B host: which groups it reads, its STATE id, the mapping file. */
  sparkplug: Readonly<{
    enabled: boolean
    groups: readonly string[]
    hostId: string
    mappingFile: string | undefined
    rebirthIntervalMs: number
    /** Most rebirth requests a second, over all edge nodes. */
    rebirthRate: number
    maxEdgeNodes: number
    maxDevicesPerNode: number
    maxMetricsPerBirth: number
    /** An edge node silent this long is forgotten. */
    idleTimeoutMs: number
  }>
  logLevel: string
  /** `auto`: lines for a person on a terminal, JSON lines otherwise. */
  logFormat: 'auto' | 'json' | 'pretty'
  shutdownTimeoutMs: number
}>

/** Raised at start-up when the environment is invalid; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`)
    this.name = 'ConfigError'
  }
}

/**
 * Parses the environment once; the only place that reads `process.env`. Also reads the files
 * the security settings name (certificates, keys, passwords), so that a missing or wrong file
 * stops the start with every such problem listed.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  readText: ReadText = readTextFile,
): Config {
  const defined = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  )
  const parsed = envSchema.safeParse(defined)
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`))
  }
  const e = parsed.data
  if (e.OEE_BUCKET_MS > e.OEE_WINDOW_MS) {
    throw new ConfigError(['OEE_BUCKET_MS: must not exceed OEE_WINDOW_MS'])
  }
  const retentionMs = e.EVENT_RETENTION === 'off' ? undefined : e.EVENT_RETENTION
  const logProblems = [
    // Under a minute is for tests that want retention to act while they watch.
    ...(e.EVENT_PARTITION < 10_000 ? ['EVENT_PARTITION: at least 10s'] : []),
    ...(retentionMs !== undefined && retentionMs < 2 * e.EVENT_PARTITION
      ? ['EVENT_RETENTION: at least two partitions (2 × EVENT_PARTITION)']
      : []),
    // A key is kept on its event's row, which goes with its partition: a longer window would
    // promise what retention has already dropped.
    ...(retentionMs !== undefined && e.DEDUP_WINDOW > retentionMs
      ? ['DEDUP_WINDOW: must not exceed EVENT_RETENTION']
      : []),
  ]
  if (logProblems.length > 0) throw new ConfigError(logProblems)
  const kafkaSecurity = kafkaSecurityFrom(e, readText)
  const mqttSecurity = mqttSecurityFrom(e, readText)
  const https = httpsFrom(e, readText)
  const brokerTls = brokerTlsFrom(e, readText)
  const databaseTarget =
    e.DATABASE_URL === undefined
      ? undefined
      : databaseTargetFrom(e.DATABASE_URL, e.PGSSLROOTCERT, readText)
  const securityProblems = [
    ...kafkaSecurity.problems,
    ...mqttSecurity.problems,
    ...https.problems,
    ...brokerTls.problems,
    ...corsProblems(e.CORS_ORIGINS ?? []),
    ...(databaseTarget?.problems ?? []),
    ...(databaseTarget === undefined && e.PGSSLROOTCERT !== undefined
      ? ['PGSSLROOTCERT: needs DATABASE_URL (an external PostgreSQL)']
      : []),
  ]
  if (securityProblems.length > 0) throw new ConfigError(securityProblems)
  // Node refuses a server whose headers may take longer than the whole request.
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(['HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS'])
  }
  const apiKeys = parseApiKeyEntries(e.API_KEYS ?? [])
  if (apiKeys.problems.length > 0) throw new ConfigError(apiKeys.problems)
  const roleSet = new Set(e.ROLES)
  const mode = ROLE_NAMES.every((r) => roleSet.has(r)) ? 'single' : 'cluster'
  if (mode === 'cluster') {
    // The roles of a cluster share these; embedded ones would be one per instance.
    const named = [...roleSet].join(',')
    const missing = [
      ...(e.KAFKA_BROKERS ? [] : ['KAFKA_BROKERS']),
      ...(e.DATABASE_URL ? [] : ['DATABASE_URL']),
      ...(e.MQTT_URL || !(roleSet.has('ingest') || roleSet.has('http')) ? [] : ['MQTT_URL']),
    ]
    if (missing.length > 0)
      throw new ConfigError(
        missing.map(
          (m) => `${m}: ROLES=${named} is cluster mode, whose instances share it: set it`,
        ),
      )
  }
  return deepFreeze({
    mode,
    roles: roleSet,
    mqtt: {
      url: e.MQTT_URL,
      clientId: e.MQTT_CLIENT_ID,
      topicPrefix: e.MQTT_TOPIC_PREFIX,
      ingest: e.MQTT_INGEST,
      embeddedPort: e.EMBEDDED_MQTT_PORT,
      publishTimeoutMs: e.MQTT_PUBLISH_TIMEOUT_MS,
      embeddedMaxPacketBytes: e.EMBEDDED_MQTT_MAX_PACKET_BYTES,
      embeddedSessionQueue: e.EMBEDDED_MQTT_SESSION_QUEUE,
      security: mqttSecurity.security,
      embeddedAuth: e.EMBEDDED_MQTT_AUTH,
      embeddedTls: brokerTls.tls,
    },
    database: {
      url: e.DATABASE_URL,
      target: databaseTarget?.target,
      embeddedPort: e.EMBEDDED_PG_PORT,
      dataDir: e.DATA_DIR,
      poolSize: e.DATABASE_POOL_SIZE,
    },
    reads: {
      poolSize: e.READ_POOL_SIZE,
      statementTimeoutMs: e.READ_STATEMENT_TIMEOUT_MS,
      idleInTransactionTimeoutMs: e.READ_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      acquireTimeoutMs: e.READ_ACQUIRE_TIMEOUT_MS,
      maxRows: e.READ_MAX_ROWS,
      maxDurationMs: e.READ_MAX_DURATION_MS,
      slowClientTimeoutMs: e.READ_SLOW_CLIENT_TIMEOUT_MS,
      streams: e.READ_STREAMS,
      streamsPerClient: e.READ_STREAMS_PER_CLIENT,
    },
    kafka: {
      brokers: e.KAFKA_BROKERS,
      topicPrefix: e.KAFKA_TOPIC_PREFIX,
      partitions: e.KAFKA_PARTITIONS,
      replicationFactor: e.KAFKA_REPLICATION_FACTOR,
      clientId: e.KAFKA_CLIENT_ID,
      security: kafkaSecurity.security,
      relayBatch: e.RELAY_BATCH,
      relayPollMs: e.RELAY_POLL_MS,
      maxMessageBytes: e.KAFKA_MAX_MESSAGE_BYTES,
      ingestPartitions: e.INGEST_PARTITIONS,
      sessionTimeoutMs: e.PROCESS_SESSION_TIMEOUT_MS,
    },
    http: {
      port: e.HTTP_PORT,
      host: e.HTTP_HOST,
      apiKeys: apiKeys.keys,
      readsNeedKey: e.API_KEYS_FOR_READS,
      ingestRatePerKey: e.INGEST_RATE_PER_KEY,
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      idleTimeoutMs: e.HTTP_IDLE_TIMEOUT_MS,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
      trustProxy: e.HTTP_TRUST_PROXY,
      ...(https.material ? { tls: https.material } : {}),
      ...(e.HTTP_ALLOWED_HOSTS?.length
        ? { allowedHosts: e.HTTP_ALLOWED_HOSTS.map((h) => h.toLowerCase()) }
        : {}),
      ...(e.CORS_ORIGINS?.length ? { corsOrigins: e.CORS_ORIGINS } : {}),
    },
    processing: {
      maxInFlight: e.MAX_IN_FLIGHT,
      maxPayloadBytes: e.MAX_PAYLOAD_BYTES,
      deadLetterPayloadBytes: e.DEAD_LETTER_PAYLOAD_BYTES,
      commitMaxBatch: e.COMMIT_MAX_BATCH,
      commitConcurrency: e.COMMIT_CONCURRENCY,
      snapshotEvery: e.SNAPSHOT_EVERY,
      actorIdleMs: e.ACTOR_IDLE_MS,
      actorHibernateMs: e.ACTOR_HIBERNATE_MS,
      machineAllowList: e.MACHINE_ALLOW_LIST,
    },
    rules: {
      oeeWindowMs: e.OEE_WINDOW_MS,
      oeeBucketMs: e.OEE_BUCKET_MS,
      heartbeatTimeoutMs: e.HEARTBEAT_TIMEOUT_MS,
      scrapRateThreshold: e.SCRAP_RATE_THRESHOLD,
      scrapRateMinParts: e.SCRAP_RATE_MIN_PARTS,
      maxMetricsPerMachine: e.MAX_METRICS_PER_MACHINE,
    },
    alarms: {
      rulesFile: e.ALARM_RULES_FILE,
      reloadPollMs: e.ALARM_RULES_POLL_MS,
      tickMs: e.ALARM_TICK_MS,
    },
    alarmNotify: {
      webhookUrls: e.ALARM_WEBHOOK_URLS,
      webhookSecretFile: e.ALARM_WEBHOOK_SECRET_FILE,
      webhookTimeoutMs: e.ALARM_WEBHOOK_TIMEOUT_MS,
      retryBudgetMs: e.ALARM_WEBHOOK_RETRY_BUDGET_MS,
      mqtt: e.ALARM_MQTT_NOTIFY,
    },
    series: {
      rawRetentionMs: e.SERIES_RAW_RETENTION,
      minuteRetentionMs: e.SERIES_MINUTE_RETENTION,
      hourRetentionMs: e.SERIES_HOUR_RETENTION,
      sweepIntervalMs: e.SERIES_SWEEP_INTERVAL,
      batch: e.SERIES_BATCH,
    },
    log: {
      partitionMs: e.EVENT_PARTITION,
      retentionMs,
      dedupWindowMs: e.DEDUP_WINDOW,
      archiveDir: e.ARCHIVE_DIR,
    },
    stream: {
      pollMs: e.STREAM_POLL_MS,
      flushMs: e.STREAM_FLUSH_MS,
      resumeMaxEvents: e.STREAM_RESUME_MAX_EVENTS,
      maxSubscribers: e.STREAM_MAX_SUBSCRIBERS,
      maxSubscribersPerClient: e.STREAM_MAX_SUBSCRIBERS_PER_CLIENT,
    },
    plant: { modelFile: e.PLANT_MODEL_FILE },
    sparkplug: {
      enabled: e.SPARKPLUG,
      groups: e.SPARKPLUG_GROUPS ?? [],
      hostId: e.SPARKPLUG_HOST_ID,
      mappingFile: e.SPARKPLUG_MAPPING,
      rebirthIntervalMs: e.SPARKPLUG_REBIRTH_INTERVAL_MS,
      rebirthRate: e.SPARKPLUG_REBIRTH_RATE,
      maxEdgeNodes: e.SPARKPLUG_MAX_EDGE_NODES,
      maxDevicesPerNode: e.SPARKPLUG_MAX_DEVICES_PER_NODE,
      maxMetricsPerBirth: e.SPARKPLUG_MAX_METRICS_PER_BIRTH,
      idleTimeoutMs: e.SPARKPLUG_IDLE_TIMEOUT,
    },
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  })
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
