import type pg from 'pg'
import { explainConnectFailure, type DatabaseTarget } from '../../journal/database-target.js'
import { migrate } from '../../journal/migrate.js'
import { createPool } from '../../journal/pool.js'
import type { Component } from '../../lifecycle.js'
import type { Logger } from '../../logger.js'
import type { Metrics } from '../../metrics.js'
import { ReadPool } from '../../read/read-pool.js'
import type { Config } from '../config.js'
import {
  credentialPaths,
  identifier,
  newPassword,
  provisionFirstStart,
  SERVICE_USERNAME,
} from '../embedded/broker-credentials.js'
import { startEmbeddedBroker, type EmbeddedBroker } from '../embedded/mqtt-broker.js'
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../embedded/postgres.js'

/** PostgreSQL in a child process, for a first run without a database; yields its URL. */
export function embeddedPostgres(database: Config['database'], log: Logger): Component<string> {
  let embedded: EmbeddedPostgres | undefined
  return {
    name: 'embedded postgres',
    start: async () => {
      embedded = await startEmbeddedPostgres(database.dataDir, database.embeddedPort, log)
      return embedded.url
    },
    stop: async () => embedded?.stop(),
  }
}

/**
 * An MQTT broker inside the process, for a first run without one; yields its URL. Its bounds
 * spare the service's own sessions (client ids `MQTT_CLIENT_ID` and `MQTT_CLIENT_ID-…`).
 */
export function embeddedBroker(
  mqtt: Config['mqtt'],
  metrics: Metrics,
  log: Logger,
  dataDir: string,
): Component<string> {
  let broker: EmbeddedBroker | undefined
  // The service's own clients' password: made for this run, kept in memory only.
  const servicePassword = newPassword()
  return {
    name: 'embedded broker',
    start: async () => {
      if (mqtt.embeddedAuth) await provisionFirstStart(dataDir, mqtt.topicPrefix, log)
      broker = await startEmbeddedBroker(
        mqtt.embeddedPort,
        {
          maxPacketBytes: mqtt.embeddedMaxPacketBytes,
          sessionQueueLimit: mqtt.embeddedSessionQueue,
          exempt: (clientId) =>
            clientId === mqtt.clientId || clientId.startsWith(`${mqtt.clientId}-`),
          onDrop: () => metrics.boundReached.inc({ bound: 'embedded-session-queue' }),
        },
        log,
        mqtt.embeddedAuth
          ? {
              identify: identifier({
                devicesFile: credentialPaths(dataDir).devices,
                servicePassword,
                serviceClientId: mqtt.clientId,
              }),
              topicPrefix: mqtt.topicPrefix,
              onRefused: (what) => metrics.embeddedBrokerRefused.inc({ what }),
            }
          : undefined,
        mqtt.embeddedTls,
      )
      if (!mqtt.embeddedAuth) return broker.url
      // The service's clients read their credentials from the URL they are given.
      const url = new URL(broker.url)
      url.username = SERVICE_USERNAME
      url.password = servicePassword
      return url.toString()
    },
    stop: async () => broker?.close(),
  }
}

/** The connection pool, with the schema migrated before anything reads or writes. */
export function database(
  target: string | DatabaseTarget,
  poolSize: number,
  log: Logger,
): Component<pg.Pool> {
  const pool = createPool(target, log, poolSize)
  return {
    name: 'database pool',
    start: async () => {
      await migrate(pool, log).catch((err: unknown) => {
        throw explainConnectFailure(err)
      })
      await warnIfSuperuser(pool, log)
      return pool
    },
    stop: () => pool.end(),
    checks: async () => ({
      postgres: await pool.query('SELECT 1').then(
        () => ({ ok: true }),
        (err: Error) => ({ ok: false, detail: err.message }),
      ),
    }),
  }
}

/**
 * A superuser login can read and change every database of the server and run programs as its
 * OS user: worth a warning, not a refusal (test set-ups use one).
 */
async function warnIfSuperuser(pool: pg.Pool, log: Logger): Promise<void> {
  const me = await pool.query<{ user: string; rolsuper: boolean }>(
    'SELECT current_user AS user, rolsuper FROM pg_roles WHERE rolname = current_user',
  )
  const row = me.rows[0]
  if (row?.rolsuper)
    log.warn(
      { user: row.user },
      'connected to PostgreSQL as a superuser: run the service as a role that owns only its database (see docs/security.md)',
    )
}

/** The API's own pool for reads, bounded in time, apart from the one that commits. */
export function readPool(
  target: string | DatabaseTarget,
  reads: Config['reads'],
  log: Logger,
): Component<ReadPool> {
  const pool = new ReadPool(
    target,
    {
      max: reads.poolSize,
      statementTimeoutMs: reads.statementTimeoutMs,
      idleInTransactionTimeoutMs: reads.idleInTransactionTimeoutMs,
      acquireTimeoutMs: reads.acquireTimeoutMs,
    },
    log,
  )
  return { name: 'read pool', start: () => Promise.resolve(pool), stop: () => pool.end() }
}
