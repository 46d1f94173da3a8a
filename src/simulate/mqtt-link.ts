import mqtt, { type MqttClient } from 'mqtt'
import { withTimeout } from '../deadline.js'
import { MillstreamError } from '../errors.js'
import type { Logger } from '../logger.js'

export type LinkOptions = {
  url: string
  clientId: string
  /** How long connecting may take, retries included. */
  connectTimeoutMs: number
  /** How long the broker may take to acknowledge a publish. */
  publishTimeoutMs: number
  log: Logger
}

/** The simulator's MQTT connection: QoS 1 publishes, each with a deadline. */
export class MqttLink {
  private constructor(
    private readonly client: MqttClient,
    private readonly options: LinkOptions,
  ) {}

  /**
   * Connects, retrying a refused connection (the service's embedded broker may still be
   * starting) until the deadline; then gives up with PUBLISH_TIMEOUT.
   */
  static async connect(options: LinkOptions): Promise<MqttLink> {
    const client = mqtt.connect(options.url, {
      clientId: options.clientId,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 500,
      connectTimeout: options.connectTimeoutMs,
      // A broker that stops answering is noticed by the keepalive and the connection renewed.
      keepalive: 10,
    })
    let lastError: Error | undefined
    const onError = (err: Error) => {
      lastError = err
      options.log.debug({ err }, 'simulator connection error')
    }
    client.on('error', onError)
    try {
      await withTimeout(
        new Promise<void>((resolve) => client.once('connect', () => resolve())),
        options.connectTimeoutMs,
      )
    } catch {
      client.end(true)
      throw new MillstreamError(
        'PUBLISH_TIMEOUT',
        `no connection to the MQTT broker at ${options.url} within ${options.connectTimeoutMs} ms` +
          (lastError ? ` (${lastError.message})` : ''),
        { cause: lastError, retriable: true },
      )
    }
    client.off('error', onError)
    client.on('error', (err) => options.log.warn({ err }, 'simulator connection error'))
    return new MqttLink(client, options)
  }

  /**
   * Publishes in order, QoS 1; resolves once the broker acknowledged all of them. Rejects with
   * PUBLISH_TIMEOUT when one is not acknowledged in time: a plant that cannot deliver stops
   * rather than pile up messages for a broker that is gone.
   */
  async publishAll(messages: readonly { topic: string; payload: string }[]): Promise<void> {
    const { publishTimeoutMs } = this.options
    await Promise.all(
      messages.map((m) =>
        withTimeout(
          this.client.publishAsync(m.topic, m.payload, { qos: 1 }),
          publishTimeoutMs,
        ).catch((err: unknown) => {
          throw new MillstreamError(
            'PUBLISH_TIMEOUT',
            `the MQTT broker did not acknowledge ${m.topic} within ${publishTimeoutMs} ms`,
            { cause: err, retriable: true },
          )
        }),
      ),
    )
  }

  /** Closes, waiting for outstanding acknowledgements no longer than one publish deadline. */
  async close(): Promise<void> {
    try {
      await withTimeout(this.client.endAsync(), this.options.publishTimeoutMs)
    } catch {
      await this.client.endAsync(true)
    }
  }
}
