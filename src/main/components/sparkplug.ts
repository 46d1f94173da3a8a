import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import type { Observable, Subscription } from 'rxjs'
import { PgAdvisoryLock } from '../../journal/advisory-lock.js'
import type { DeadLetter } from '../../journal/dead-letters.js'
import type { Component } from '../../lifecycle.js'
import type { Logger } from '../../logger.js'
import type { Metrics } from '../../metrics.js'
import { MachineQueries } from '../../read/machine-queries.js'
import { loadMapping, Mapping } from '../../sparkplug/mapping.js'
import { SparkplugHost } from '../../sparkplug/sparkplug-host.js'
import { PgSparkplugSources } from '../../sparkplug/sources.js'
import { hostSubscriptions, stateTopic } from '../../sparkplug/topics.js'
import { ExclusiveIngest } from '../../streams/exclusive-ingest.js'
import type { InboundMessage } from '../../streams/inbound.js'
import { MqttPublisher } from '../../streams/mqtt-publisher.js'
import { MqttSource } from '../../streams/mqtt-source.js'
import { ConfigError, type Config } from '../config.js'
import { publisherObserver } from './http.js'

const LOCK_POLL_MS = 2000
const RECALL_DEADLINE_MS = 5000

/** The mapping file, checked; a bad one stops the start with every problem it has. */
export async function sparkplugMapping(config: Config): Promise<Mapping> {
  const file = config.sparkplug.mappingFile
  if (file === undefined) return Mapping.EMPTY
  const loaded = await loadMapping(file)
  if (!loaded.ok)
    throw new ConfigError(loaded.problems.map((p) => `SPARKPLUG_MAPPING ${file}: ${p}`))
  return loaded.mapping
}

/**
 * The Sparkplug B host: its own MQTT session (held by one instance at a time, like the JSON
 * one), its STATE as retained presence and will, rebirth requests through their own publisher.
 * The inputs it derives go to `consume`, as JSON messages do.
 */
export function sparkplugIngest(
  config: Config,
  mapping: Mapping,
  mqttUrl: string,
  pool: pg.Pool,
  deadLetter: (letter: DeadLetter) => Promise<void>,
  metrics: Metrics,
  log: Logger,
  consume: (messages: Observable<InboundMessage>) => Subscription,
): Component<SparkplugHost> {
  const hostLog = log.child({ module: 'sparkplug' })
  const clientId = `${config.mqtt.clientId}-sparkplug`
  const bornAt = Date.now()
  const presence = (online: boolean) => Buffer.from(JSON.stringify({ online, timestamp: bornAt }))
  const source = new MqttSource(
    {
      url: mqttUrl,
      security: config.mqtt.security,
      clientId,
      topics: hostSubscriptions(config.sparkplug.groups),
      maxInFlight: config.processing.maxInFlight,
      presence: {
        topic: stateTopic(config.sparkplug.hostId),
        online: presence(true),
        offline: presence(false),
      },
    },
    hostLog,
  )
  const machines = new MachineQueries(pool)
  const sources = new PgSparkplugSources(pool, RECALL_DEADLINE_MS)
  let publisher: MqttPublisher | undefined
  const host = new SparkplugHost(
    mapping,
    {
      recall: async (machineId) => machines.get(machineId),
      born: (machineId, address, at) => sources.born(machineId, address, at),
      deadLetter,
      publish: async (topic, payload) => {
        if (!publisher) throw new Error('the Sparkplug command publisher is not connected')
        await publisher.publish(topic, payload, { qos: 1 })
      },
    },
    {
      topicPrefix: config.mqtt.topicPrefix,
      rebirthIntervalMs: config.sparkplug.rebirthIntervalMs,
      rebirthRate: config.sparkplug.rebirthRate,
      maxPayloadBytes: config.processing.maxPayloadBytes,
      bounds: {
        maxEdgeNodes: config.sparkplug.maxEdgeNodes,
        maxDevicesPerNode: config.sparkplug.maxDevicesPerNode,
        maxMetricsPerBirth: config.sparkplug.maxMetricsPerBirth,
        idleMs: config.sparkplug.idleTimeoutMs,
      },
      deadlineMs: RECALL_DEADLINE_MS,
      log: hostLog,
      onMessage: (type) => metrics.sparkplugMessages.inc({ type }),
      onNodesOnline: (count) => metrics.sparkplugNodesOnline.set(count),
      onRebirth: (reason, sent) =>
        metrics.sparkplugRebirths.inc({ reason, sent: sent ? 'yes' : 'no' }),
      onRejected: () => metrics.sparkplugRejected.inc(),
      onBound: (bound) => metrics.boundReached.inc({ bound }),
    },
  )
  const gate = new ExclusiveIngest(
    new PgAdvisoryLock(pool, `millstream-ingest:${clientId}`),
    source,
    { pollMs: LOCK_POLL_MS },
    hostLog,
  )
  let reading: Subscription | undefined
  let derived: Subscription | undefined
  return {
    name: 'sparkplug host',
    start: async () => {
      publisher = await MqttPublisher.connect({
        url: mqttUrl,
        security: config.mqtt.security,
        clientId: `${clientId}-cmd-${randomUUID().slice(0, 8)}`,
        timeoutMs: config.mqtt.publishTimeoutMs,
        log: hostLog,
        observer: publisherObserver(metrics),
      })
      derived = consume(host.inputs())
      reading = source.messages().subscribe((m) => host.receive(m))
      await gate.start()
      return host
    },
    stop: async () => {
      // Reading stops and drains first: every message taken is acknowledged, or left to the broker.
      await gate.stop()
      await host.stop()
      reading?.unsubscribe()
      derived?.unsubscribe()
      await publisher?.close()
    },
    checks: () =>
      Promise.resolve({
        sparkplug:
          gate.role() === 'standby'
            ? { ok: true, detail: 'standby' }
            : { ok: source.connected(), detail: `${host.onlineNodes()} edge nodes online` },
      }),
  }
}
