import { mqttConnectionOptions, type MqttSecurity } from './mqtt-security.js'
import mqtt, { type MqttClient, type PacketCallback } from 'mqtt'
import { publishTopicProblem } from '../domain/topic-rules.js'
import { MillstreamError } from '../errors.js'
import type { Logger } from '../logger.js'
import { withTimeout } from '../deadline.js'
import { forgetOutgoing } from './mqtt-outgoing.js'
import { mqttClientLog } from './mqtt-client-log.js'

export type PublishOptions = { qos?: 0 | 1; retain?: boolean }

/** Publishes to the MQTT broker: how HTTP commands and ingest join the ordered input stream. */
export interface MessageBus {
  /** Resolves once the broker has the message; rejects with a MillstreamError otherwise. */
  publish(topic: string, payload: string | Buffer, options?: PublishOptions): Promise<void>
}

/** Whether the publisher can publish now, for the readiness report. */
export type PublisherHealth = { ok: boolean; detail: string }

/** What the publisher reports as it goes (metrics). */
export type PublisherObserver = {
  refused(topic: string, bytes: number): void
  timedOut(topic: string): void
}

export type PublisherOptions = {
  url: string
  /** TLS material and credentials beside the URL's. */
  security?: MqttSecurity
  clientId: string
  /** Every publish is answered within this: acknowledged, refused, or timed out. */
  timeoutMs: number
  log: Logger
  observer: PublisherObserver
}

/** One publish, from the call until it is settled. */
type Pending = {
  topic: string
  payload: string | Buffer
  options: { qos: 0 | 1; retain: boolean }
  resolve(): void
  reject(err: MillstreamError): void
  timer: NodeJS.Timeout
  done: boolean
  /** The callback handed to mqtt.js for the current attempt, if one is under way. */
  attempt?: PacketCallback
}

// Seconds a client is told to wait after a timeout: about one reconnect.
const RETRY_AFTER_S = 2

/**
 * A QoS 1 publisher that cannot be poisoned. mqtt.js re-sends an unacknowledged packet on every
 * reconnect, so one packet the broker refuses (it closes the connection on it) would be re-sent
 * for ever and jam every later publish. Here, packets in flight when a connection drops are
 * taken out of mqtt.js's store and retried once each, alone: a packet that drops the connection
 * again is refused (reported, never sent again) and the others go on. Every publish has a
 * deadline; nothing is handed to mqtt.js while it is offline, so its store never holds a
 * packet we have given up on.
 */
export class MqttPublisher implements MessageBus {
  /** Accepted while the connection was down or on probation: sent when it is clear. */
  private readonly waiting: Pending[] = []
  /** Handed to mqtt.js on the current connection, not yet acknowledged. */
  private readonly sent = new Set<Pending>()
  /** In flight when a connection dropped: each is sent again alone before anything else. */
  private readonly probation: Pending[] = []
  private trial: Pending | undefined
  private online: boolean
  private closing = false
  private lastTimeoutAt = 0
  private lastHeardAt = Date.now()

  private constructor(
    private readonly client: MqttClient,
    private readonly options: PublisherOptions,
  ) {
    this.online = client.connected
    client.on('connect', () => {
      this.online = true
      this.pump()
    })
    client.on('close', () => this.connectionLost())
    client.on('packetreceive', () => {
      this.lastHeardAt = Date.now()
    })
    client.on('error', (err) => options.log.warn({ err }, 'mqtt publisher connection error'))
  }

  static async connect(options: PublisherOptions): Promise<MqttPublisher> {
    const client = await mqtt.connectAsync(options.url, {
      clientId: options.clientId,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: options.timeoutMs,
      // A broker that stops answering is noticed by the keepalive, and the connection renewed.
      keepalive: 10,
      ...(mqttClientLog ? { log: mqttClientLog } : {}),
      ...mqttConnectionOptions(options.security),
    })
    return new MqttPublisher(client, options)
  }

  publish(topic: string, payload: string | Buffer, options: PublishOptions = {}): Promise<void> {
    const problem = publishTopicProblem(topic)
    if (problem) return Promise.reject(new MillstreamError('BAD_REQUEST', `topic: ${problem}`))
    if (this.closing)
      return Promise.reject(new MillstreamError('SHUTTING_DOWN', 'the service is shutting down'))
    return new Promise<void>((resolve, reject) => {
      const p: Pending = {
        topic,
        payload,
        options: { qos: options.qos ?? 1, retain: options.retain ?? false },
        resolve,
        reject,
        timer: setTimeout(() => this.expire(p), this.options.timeoutMs),
        done: false,
      }
      if (this.clear()) this.send(p)
      else this.waiting.push(p)
    })
  }

  health(): PublisherHealth {
    if (this.closing) return { ok: false, detail: 'closing' }
    if (!this.online) return { ok: false, detail: 'not connected to the broker' }
    if (this.trial || this.probation.length > 0)
      return { ok: false, detail: 'retrying messages a dropped connection left unacknowledged' }
    if (this.lastTimeoutAt > this.lastHeardAt)
      return { ok: false, detail: 'the broker has not answered since a publish timed out' }
    return { ok: true, detail: 'connected' }
  }

  /** Fails whatever is pending and closes at once: shutdown never waits on the broker. */
  async close(): Promise<void> {
    this.closing = true
    const pending = [...this.waiting, ...this.probation, ...this.sent]
    if (this.trial) pending.push(this.trial)
    for (const p of pending)
      this.settle(p, new MillstreamError('SHUTTING_DOWN', 'the service is shutting down'))
    await withTimeout(this.client.endAsync(true), 1000).catch(() => undefined)
  }

  private clear(): boolean {
    return this.online && !this.closing && !this.trial && this.probation.length === 0
  }

  private send(p: Pending): void {
    const attempt: PacketCallback = (err) => {
      if (p.attempt !== attempt) return // forgotten: the packet was taken out of mqtt.js's store
      p.attempt = undefined
      this.sent.delete(p)
      if (this.trial === p) this.trial = undefined
      this.settle(
        p,
        err
          ? new MillstreamError('PUBLISH_FAILED', `MQTT publish failed: ${err.message}`, {
              cause: err,
              retriable: true,
              retryAfterSeconds: RETRY_AFTER_S,
            })
          : undefined,
      )
      this.pump()
    }
    p.attempt = attempt
    this.sent.add(p)
    this.client.publish(p.topic, p.payload, p.options, attempt)
  }

  /** Sends the next probation packet alone, or, once none is left, everything waiting. */
  private pump(): void {
    if (!this.online || this.closing || this.trial) return
    for (let p = this.probation.shift(); p; p = this.probation.shift()) {
      if (p.done) continue
      this.trial = p
      this.send(p)
      return
    }
    while (this.clear() && this.waiting.length > 0) {
      const p = this.waiting.shift()
      if (p && !p.done) this.send(p)
    }
  }

  private connectionLost(): void {
    // mqtt.js reports every failed reconnect as a close too: only a live connection counts.
    if (!this.online) return
    this.online = false
    const dropped = [...this.sent]
    this.sent.clear()
    for (const p of dropped) this.forget(p)
    const trial = this.trial
    this.trial = undefined
    if (trial && !trial.done) {
      // It was alone on the connection and the broker closed it again: the broker refuses it.
      const bytes = Buffer.byteLength(trial.payload)
      this.options.observer.refused(trial.topic, bytes)
      this.options.log.warn(
        { topic: trial.topic, bytes },
        'the MQTT broker refused a message (closed the connection on it twice); dropped',
      )
      this.settle(
        trial,
        new MillstreamError(
          'PUBLISH_REFUSED',
          `the MQTT broker refused the message (${bytes} bytes payload): it closed the ` +
            'connection on it twice, e.g. because it is larger than the broker accepts',
        ),
      )
      return
    }
    this.probation.push(...dropped.filter((p) => !p.done))
  }

  private expire(p: Pending): void {
    if (p.done) return
    const state = this.health().detail
    this.forget(p)
    if (this.trial === p) this.trial = undefined
    this.lastTimeoutAt = Date.now()
    this.options.observer.timedOut(p.topic)
    this.settle(
      p,
      new MillstreamError(
        'PUBLISH_TIMEOUT',
        `the MQTT broker did not acknowledge within ${this.options.timeoutMs} ms ` +
          `(publisher ${state}); retry later`,
        { retriable: true, retryAfterSeconds: RETRY_AFTER_S },
      ),
    )
    this.pump()
  }

  /** Takes a sent packet out of mqtt.js, so it is never re-sent behind our back. */
  private forget(p: Pending): void {
    if (!p.attempt) return
    const attempt = p.attempt
    p.attempt = undefined
    this.sent.delete(p)
    forgetOutgoing(this.client, attempt)
  }

  private settle(p: Pending, err: MillstreamError | undefined): void {
    if (p.done) return
    p.done = true
    clearTimeout(p.timer)
    this.forget(p)
    if (err) p.reject(err)
    else p.resolve()
  }
}
