import type pg from 'pg'
import type { Subscription } from 'rxjs'
import { PgAdvisoryLock } from '../../journal/advisory-lock.js'
import type { Component } from '../../lifecycle.js'
import type { Logger } from '../../logger.js'
import type { Metrics } from '../../metrics.js'
import { MachineQueries } from '../../read/machine-queries.js'
import { startHeartbeatSweep } from '../../streams/heartbeat-sweep.js'
import { ExclusiveIngest } from '../../streams/exclusive-ingest.js'
import { MqttSource } from '../../streams/mqtt-source.js'
import { ingestPipeline } from '../../streams/pipeline.js'
import type { Config } from '../config.js'
import type { Entities } from './entities.js'

/** How often a standby tries the ingest lock and the holder checks it. */
const INGEST_LOCK_POLL_MS = 2000

/**
 * MQTT in: the source, held by one instance per client id at a time, and the pipeline that
 * decodes each message and hands it to its actor or to the dead letters. Stopping stops reading first and drains, so every message handed on
 * is committed and acknowledged.
 */
export function mqttIngest(
  config: Config,
  mqttUrl: string,
  pool: pg.Pool,
  entities: Entities,
  metrics: Metrics,
  log: Logger,
): Component<MqttSource> {
  const source = new MqttSource(
    {
      url: mqttUrl,
      clientId: config.mqtt.clientId,
      topics: [`${config.mqtt.topicPrefix}/#`, 'supply-chain'],
      maxInFlight: config.processing.maxInFlight,
    },
    log.child({ module: 'mqtt-source' }),
  )
  // One holder per MQTT session: the lock is named after the client id.
  const gate = new ExclusiveIngest(
    new PgAdvisoryLock(pool, `millstream-ingest:${config.mqtt.clientId}`),
    source,
    {
      pollMs: INGEST_LOCK_POLL_MS,
      onRoleChange: (role) => metrics.ingestActive.set(role === 'active' ? 1 : 0),
    },
    log.child({ module: 'mqtt-source' }),
  )
  const pipelineLog = log.child({ module: 'pipeline' })
  let subscription: Subscription | undefined
  return {
    name: 'mqtt source',
    start: async () => {
      subscription = ingestPipeline(
        source.messages(),
        { ...config.mqtt, ...config.processing },
        {
          dispatch: (input) => entities.actors.dispatch(input),
          deadLetter: (letter) => entities.deadLetters.record(letter),
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
      await gate.start()
      return source
    },
    stop: async () => {
      await gate.stop()
      subscription?.unsubscribe()
    },
    // A standby (another instance holds the session) is healthy without a connection.
    checks: () =>
      Promise.resolve({
        mqtt:
          gate.role() === 'standby'
            ? { ok: true, detail: 'standby' }
            : { ok: source.connected(), detail: source.inFlight() },
      }),
  }
}

/** Raises the silent alert for machines that stopped reporting. */
export function heartbeatSweep(
  config: Config,
  pool: pg.Pool,
  entities: Entities,
  log: Logger,
): Component {
  const machines = new MachineQueries(pool)
  let sweep: { stop(): Promise<void> } | undefined
  return {
    name: 'heartbeat sweep',
    start: () => {
      sweep = startHeartbeatSweep({
        silentMachines: (timeoutMs) => machines.silentMachines(timeoutMs),
        dispatch: (input) => entities.actors.dispatch(input),
        timeoutMs: config.rules.heartbeatTimeoutMs,
        log: log.child({ module: 'heartbeat-sweep' }),
      })
      return Promise.resolve()
    },
    stop: async () => sweep?.stop(),
  }
}
