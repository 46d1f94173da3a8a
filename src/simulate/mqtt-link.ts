import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import { withTimeout } from '../deadline.js'
import { MillstreamError } from '../errors.js'
import type { Logger } from '../logger.js'
import { sanitizeUrl } from '../security/redact.js'

export type LinkOptions = {
  url: string
  clientId: string
  /** How long connecting may take, retries included. */
  connectTimeoutMs: number
  /** How long the broker may take to acknowledge a publish. */
  publishTimeoutMs: number
  log: Logger
}

/** One message to publish; QoS 1 unless told. */
export type OutgoingMessage = { topic: string; payload: string | Buffer; qos?: 0 | 1 }

/**
 * Connects, retrying a refused connection (the service's embedded broker may still be
 * starting) until the deadline; then gives up with PUBLISH_TIMEOUT. `extra` adds to the
 * connection's settings (a will, say).
 */
export async function connectMqtt(
  options: LinkOptions,
  extra: IClientOptions = {},
): Promise<MqttClient> {
  const client = mqtt.connect(options.url, {
    clientId: options.clientId,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 500,
    connectTimeout: options.connectTimeoutMs,
    // A broker that stops answering is noticed by the keepalive and the connection renewed.
    keepalive: 10,
    ...extra,
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
      `no connection to the MQTT broker at ${sanitizeUrl(options.url)} within ${options.connectTimeoutMs} ms` +
        (lastError ? ` (${lastError.message})` : ''),
      { cause: lastError, retriable: true },
    )
  }
  client.off('error', onError)
  client.on('error', (err) => options.log.warn({ err }, 'simulator connection error'))
  return client
}

/** Publishes one message; rejects with PUBLISH_TIMEOUT when it is not sent within `timeoutMs`. */
export async function publishWithin(
  client: MqttClient,
  m: OutgoingMessage,
  timeoutMs: number,
): Promise<void> {
  try {
    await withTimeout(client.publishAsync(m.topic, m.payload, { qos: m.qos ?? 1 }), timeoutMs)
  } catch (err) {
    throw new MillstreamError(
      'PUBLISH_TIMEOUT',
      `the MQTT broker did not acknowledge ${m.topic} within ${timeoutMs} ms`,
      { cause: err, retriable: true },
    )
  }
}

/** Closes, waiting for outstanding acknowledgements no longer than `timeoutMs`. */
export async function closeWithin(client: MqttClient, timeoutMs: number): Promise<void> {
  try {
    await withTimeout(client.endAsync(), timeoutMs)
  } catch {
    await client.endAsync(true)
  }
}

/** The simulator's MQTT connection: QoS 1 publishes, each with a deadline. */
export class MqttLink {
  private constructor(
    private readonly client: MqttClient,
    private readonly options: LinkOptions,
  ) {}

  static async connect(options: LinkOptions): Promise<MqttLink> {
    return new MqttLink(await connectMqtt(options), options)
  }

  /**
   * Publishes in order, QoS 1; resolves once the broker acknowledged all of them. Rejects with
   * PUBLISH_TIMEOUT when one is not acknowledged in time: a plant that cannot deliver stops
   * rather than pile up messages for a broker that is gone.
   */
  async publishAll(messages: readonly OutgoingMessage[]): Promise<void> {
    const { publishTimeoutMs } = this.options
    await Promise.all(messages.map((m) => publishWithin(this.client, m, publishTimeoutMs)))
  }

  async close(): Promise<void> {
    await closeWithin(this.client, this.options.publishTimeoutMs)
  }
}
