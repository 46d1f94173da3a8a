import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt'
import { Subject, type Observable } from 'rxjs'
import type { Logger } from '../logger.js'
import type { InboundMessage } from './inbound.js'
import { withoutCredentials } from './broker-url.js'
import { withTimeout } from '../deadline.js'
import { deferAcks, sendPuback } from './mqtt-deferred-ack.js'
import { mqttClientLog } from './mqtt-client-log.js'

export type MqttSourceOptions = {
  url: string
  clientId: string
  topics: string[]
  /** Most messages handed on but not yet acknowledged; past it the source stops reading. */
  maxInFlight: number
  /** A retained message saying whether the subscriber is there, kept true by the broker. */
  presence?: Presence
}

/**
 * The subscriber's presence on the broker: `online` is published (retained, QoS 1) each time
 * the session is subscribed, `offline` on a polite stop and, as the connection's will, when it
 * is lost. Payloads are built once per source, so the will and the message it answers agree.
 */
export type Presence = { topic: string; online: Buffer; offline: Buffer }

/** How long announcing the presence may take before the source carries on without it. */
const PRESENCE_DEADLINE_MS = 5000
/** At a stop, less: a broker that does not answer by then will not take a polite goodbye. */
const FAREWELL_DEADLINE_MS = 1000

/**
 * QoS 1 subscriber with a persistent session that sends each PUBACK only when the pipeline
 * acknowledges the message, i.e. after its effect is committed, so a crash makes the broker
 * redeliver. mqtt.js's `handleMessage` hook would hold every later message until the callback
 * (one message at a time); instead we let it read on and send the PUBACK ourselves, keeping at
 * most `maxInFlight` unacknowledged messages. PUBACKs from a connection that has since closed
 * are dropped: the broker redelivers those and idempotency absorbs the repeat.
 */
export class MqttSource {
  private readonly subject = new Subject<InboundMessage>()
  private client: MqttClient | undefined
  private inFlightCount = 0
  private generation = 0
  private blocked: (() => void) | undefined
  private stopping = false
  private drained: (() => void) | undefined
  private corked = false

  constructor(
    private readonly options: MqttSourceOptions,
    private readonly log: Logger,
  ) {}

  /** Messages in arrival order. */
  messages(): Observable<InboundMessage> {
    return this.subject.asObservable()
  }

  inFlight(): number {
    return this.inFlightCount
  }

  connected(): boolean {
    return this.client?.connected ?? false
  }

  /** Connects with a persistent session and subscribes; resolves once subscribed. */
  async start(): Promise<void> {
    const client = mqtt.connect(this.options.url, {
      clientId: this.options.clientId,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      ...(mqttClientLog ? { log: mqttClientLog } : {}),
      ...(this.options.presence
        ? {
            will: {
              topic: this.options.presence.topic,
              payload: this.options.presence.offline,
              qos: 1 as const,
              retain: true,
            },
          }
        : {}),
    })
    this.client = client
    deferAcks(client, (packet, readOn) => this.receive(packet, readOn))
    client.on('close', () => {
      this.generation += 1
    })
    client.on('error', (err) => this.log.warn({ err }, 'MQTT error'))
    client.on('reconnect', () => this.log.info('MQTT reconnecting'))
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve())
      client.once('error', reject)
    })
    await client.subscribeAsync(this.options.topics, { qos: 1 })
    this.log.info(
      { url: withoutCredentials(this.options.url), topics: this.options.topics },
      'MQTT source subscribed',
    )
    await this.announce(client, 'online')
    // A persistent session stays subscribed across reconnects: say so again on each.
    client.on('connect', () => void this.announce(client, 'online'))
  }

  /** Publishes the presence; false when the broker did not take it in time. */
  private async announce(
    client: MqttClient,
    presence: 'online' | 'offline',
    deadlineMs = PRESENCE_DEADLINE_MS,
  ): Promise<boolean> {
    const p = this.options.presence
    if (!p) return true
    return withTimeout(
      client.publishAsync(p.topic, p[presence], { qos: 1, retain: true }),
      deadlineMs,
    ).then(
      () => true,
      (err: unknown) => {
        this.log.warn({ err, presence }, 'announcing presence failed')
        return false
      },
    )
  }

  /** Stops reading, waits until every message handed on is acknowledged, then disconnects. */
  async stop(): Promise<void> {
    this.stopping = true
    if (this.inFlightCount > 0) await new Promise<void>((resolve) => (this.drained = resolve))
    this.subject.complete()
    const client = this.client
    if (!client) return
    // A broker that has stopped answering never closes its side of a polite disconnect, and
    // the half-open socket would keep the process alive: cut it then (at once, when it did
    // not even take the farewell; the will says offline for us then).
    const answering =
      !client.connected || (await this.announce(client, 'offline', FAREWELL_DEADLINE_MS))
    if (!answering) {
      // Forced: mqtt.js would otherwise reconnect the cut socket and keep the process alive.
      client.end(true)
      client.stream.destroy()
      return
    }
    await withTimeout(client.endAsync(), 2000).catch(() => client.stream.destroy())
  }

  /**
   * Drops the connection at once, without waiting for anything: this instance must stop
   * holding the session (another one takes it). Messages in flight stay unacknowledged, so the
   * broker delivers them again to the next holder; `start` may connect again later.
   */
  abandon(): void {
    const client = this.client
    this.client = undefined
    this.generation += 1
    this.blocked = undefined
    client?.end(true)
  }

  private receive(packet: IPublishPacket, readOn: () => void): void {
    const generation = this.generation
    let acked = false
    this.inFlightCount += 1
    this.subject.next({
      topic: packet.topic,
      payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
      receivedAt: Date.now(),
      ack: () => {
        if (acked) return
        acked = true
        this.settle(packet, generation)
      },
    })
    if (this.inFlightCount < this.options.maxInFlight && !this.stopping) readOn()
    else this.blocked = readOn
  }

  private settle(packet: IPublishPacket, generation: number): void {
    this.inFlightCount -= 1
    const client = this.client
    if (packet.qos > 0 && client && generation === this.generation && client.connected) {
      this.corkUntilNextTick(client)
      sendPuback(client, packet.messageId as number)
    }
    if (this.blocked && this.inFlightCount < this.options.maxInFlight && !this.stopping) {
      const readOn = this.blocked
      this.blocked = undefined
      readOn()
    }
    if (this.stopping && this.inFlightCount === 0) this.drained?.()
  }

  /**
   * A commit settles hundreds of messages at once: their PUBACKs (4 bytes each) then leave in
   * one socket write instead of one system call each.
   */
  private corkUntilNextTick(client: MqttClient): void {
    if (this.corked) return
    const stream = client.stream
    this.corked = true
    stream.cork()
    process.nextTick(() => {
      this.corked = false
      stream.uncork()
    })
  }
}
