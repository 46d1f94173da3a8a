import type pg from 'pg'
import type { InputOrigin } from '../../actors/ports.js'
import type { Observable, Subscription } from 'rxjs'
import { machineAllowList } from '../../domain/machine-allow-list.js'
import { PgAdvisoryLock } from '../../journal/advisory-lock.js'
import type { Component } from '../../lifecycle.js'
import type { Logger } from '../../logger.js'
import type { Metrics } from '../../metrics.js'
import { MachineQueries } from '../../read/machine-queries.js'
import { startHeartbeatSweep } from '../../streams/heartbeat-sweep.js'
import { ExclusiveIngest } from '../../streams/exclusive-ingest.js'
import type { InboundMessage } from '../../streams/inbound.js'
import { MqttSource } from '../../streams/mqtt-source.js'
import { ingestPipeline, type Handlers, type Processed } from '../../streams/pipeline.js'
import type { Config } from '../config.js'
import type { Entities } from './entities.js'
import { LEGACY_PRODUCTION_TOPIC } from '../../domain/topics.js'
import { skipAlarmTopics } from '../../streams/skip-alarm-topics.js'

/** How often a standby tries the ingest lock and the holder checks it. */
const INGEST_LOCK_POLL_MS = 2000

/**
 * MQTT in: the source, held by one instance per client id at a time, handing every message to
 * `consume`, which acknowledges each once it is safe (committed, dead-lettered, or on the Kafka
 * ingest topic). Stopping stops reading first and drains, so every message handed on is
 * acknowledged.
 */
export function mqttIngest(
  config: Config,
  mqttUrl: string,
  pool: pg.Pool,
  metrics: Metrics,
  log: Logger,
  consume: (messages: Observable<InboundMessage>) => Subscription,
): Component<MqttSource> {
  const source = new MqttSource(
    {
      url: mqttUrl,
      security: config.mqtt.security,
      clientId: config.mqtt.clientId,
      topics: [`${config.mqtt.topicPrefix}/#`, LEGACY_PRODUCTION_TOPIC],
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
  let subscription: Subscription | undefined
  return {
    name: 'mqtt source',
    start: async () => {
      subscription = consume(source.messages().pipe(skipAlarmTopics(config.mqtt.topicPrefix)))
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

/** Single-node mode: each message decoded and handed to its actor, or to the dead letters. */
export function intoActors(
  config: Config,
  entities: Entities,
  metrics: Metrics,
  log: Logger,
): (messages: Observable<InboundMessage>) => Subscription {
  const pipelineLog = log.child({ module: 'pipeline' })
  return (messages) =>
    ingestPipeline(
      messages,
      { ...config.mqtt, ...config.processing },
      pipelineHandlers(config, entities, metrics, pipelineLog),
    ).subscribe({
      next: (p) => countProcessed(metrics, pipelineLog, p),
      error: (err: unknown) => pipelineLog.fatal({ err }, 'ingest pipeline failed'),
    })
}

/** Where the pipeline hands valid inputs and rejections. */
export function pipelineHandlers(
  config: Config,
  entities: Entities,
  metrics: Metrics,
  pipelineLog: Logger,
): Handlers {
  return {
    allowed: machineAllowList(config.processing.machineAllowList),
    onBound: (bound) => metrics.boundReached.inc({ bound }),
    dispatch: (input, origin) => entities.actors.dispatch(input, origin),
    deadLetter: (letter) => entities.deadLetters.record(letter),
    onUnstorable: (message, err) =>
      pipelineLog.error(
        { err, topic: message.topic },
        'message neither processed nor dead-lettered; left unacknowledged',
      ),
  }
}

/** Counts a settled message, and warns of a dead letter. */
export function countProcessed(metrics: Metrics, pipelineLog: Logger, p: Processed): void {
  metrics.messagesIn.inc()
  metrics.messagesOut.inc({ outcome: p.outcome })
  if (p.outcome === 'dead-lettered')
    pipelineLog.warn({ topic: p.message.topic }, 'message dead-lettered')
}

/** Ticks the machines whose alarms wait on time: a delay, a shelf's end, a silence. */
export function heartbeatSweep(
  config: Config,
  pool: pg.Pool,
  entities: Entities,
  log: Logger,
  /** Cluster mode: the machines this instance hosts, and how their inputs are addressed. */
  hosted?: (machineId: string) => InputOrigin | undefined,
): Component {
  const machines = new MachineQueries(pool)
  let sweep: { stop(): Promise<void> } | undefined
  return {
    name: 'heartbeat sweep',
    start: () => {
      sweep = startHeartbeatSweep({
        // In cluster mode each instance sweeps the machines it hosts.
        silentMachines: async (timeoutMs) =>
          (await machines.silentMachines(timeoutMs)).filter((id) => !hosted || hosted(id)),
        dispatch: (input) => entities.actors.dispatch(input, hosted?.(input.entityKey)),
        timeoutMs: config.rules.heartbeatTimeoutMs,
        tickMs: config.alarms.tickMs,
        log: log.child({ module: 'heartbeat-sweep' }),
      })
      return Promise.resolve()
    },
    stop: async () => sweep?.stop(),
  }
}
