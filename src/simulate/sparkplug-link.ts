import type { MqttClient } from 'mqtt'
import { closeWithin, connectMqtt, publishWithin, type LinkOptions } from './mqtt-link.js'
import type { SparkplugMessage } from './sparkplug-codec.js'

export type EdgeLinkOptions = LinkOptions & {
  /** The will of the next CONNECT, asked for before each one: each starts a new session. */
  will: () => SparkplugMessage
  /** Subscribed on every connection before `onSession` hears of it. */
  subscriptions: readonly string[]
  onMessage: (topic: string, payload: Buffer) => void
  /** A later connection is up with its subscriptions: the node must be born again on it. */
  onSession: () => void
}

/**
 * One edge node's MQTT connection. Its will is its NDEATH, renewed (with the next bdSeq) before
 * every reconnect; it subscribes to its commands before anything is published on a connection.
 * Offline it publishes nothing: messages of a dead session must not reach the next one.
 */
export class EdgeNodeLink {
  private online = false

  private constructor(
    private readonly client: MqttClient,
    private readonly options: EdgeLinkOptions,
  ) {}

  static async connect(options: EdgeLinkOptions): Promise<EdgeNodeLink> {
    const client = await connectMqtt(options, {
      will: asWill(options.will()),
      // Subscriptions are renewed here, in order before the births; nothing waits offline.
      resubscribe: false,
      queueQoSZero: false,
    })
    const link = new EdgeNodeLink(client, options)
    client.on('message', (topic, payload) => options.onMessage(topic, payload))
    client.on('close', () => (link.online = false))
    client.on('reconnect', () => (client.options.will = asWill(options.will())))
    try {
      await link.subscribe()
    } catch (err) {
      client.end(true)
      throw err
    }
    client.on('connect', () => {
      link
        .subscribe()
        .then(options.onSession, (err: unknown) =>
          options.log.warn({ err }, 'edge node could not subscribe to its commands'),
        )
    })
    return link
  }

  get isOnline(): boolean {
    return this.online
  }

  /**
   * Publishes in order; false when the node is offline or a message did not go out in time (its
   * session's seq is then broken, so it must be born again).
   */
  async publishAll(messages: readonly SparkplugMessage[]): Promise<boolean> {
    if (!this.online) return false
    const { publishTimeoutMs, log } = this.options
    try {
      await Promise.all(messages.map((m) => publishWithin(this.client, m, publishTimeoutMs)))
      return true
    } catch (err) {
      log.warn({ err, clientId: this.options.clientId }, 'edge node publish failed')
      return false
    }
  }

  async close(): Promise<void> {
    this.online = false
    await closeWithin(this.client, this.options.publishTimeoutMs)
  }

  private async subscribe(): Promise<void> {
    await this.client.subscribeAsync([...this.options.subscriptions], { qos: 1 })
    this.online = true
  }
}

function asWill(m: SparkplugMessage): NonNullable<MqttClient['options']['will']> {
  return { topic: m.topic, payload: m.payload, qos: m.qos, retain: false }
}
