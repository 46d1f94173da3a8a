import { createServer, type Server } from 'node:net'
import { MillstreamError } from '../../errors.js'
import type { Logger } from '../../logger.js'
import { limitPacketSize } from './packet-limit.js'
import { boundSessionQueues } from './session-queues.js'

/** An in-process MQTT 3.1.1 broker (aedes) for the zero-configuration default. */
export type EmbeddedBroker = { url: string; close(): Promise<void> }

/** What the embedded broker bounds. */
export type BrokerBounds = {
  /** A client sending a larger packet (remaining length) is cut off. */
  maxPacketBytes: number
  /** Most messages queued per persistent session, but for the `exempt` ones. */
  sessionQueueLimit: number
  exempt: (clientId: string) => boolean
  /** Told of each message not queued for a session at its bound. */
  onDrop: (clientId: string) => void
}

/** Starts the broker on 127.0.0.1:`port`, within `bounds`. */
export async function startEmbeddedBroker(
  port: number,
  bounds: BrokerBounds,
  log: Logger,
): Promise<EmbeddedBroker> {
  // aedes is published as ESM only: load it with import(), which CommonJS output keeps.
  const { Aedes } = await import('aedes')
  const broker = await Aedes.createBroker()
  let warnedAt = -Infinity
  // The instance aedes made (its memory persistence); its typings leave the property out.
  const persistence: unknown = Reflect.get(broker, 'persistence')
  boundSessionQueues(persistence, {
    limit: bounds.sessionQueueLimit,
    exempt: bounds.exempt,
    onDrop: (clientId) => {
      bounds.onDrop(clientId)
      // At most once a minute, not once per message.
      if (Date.now() - warnedAt < 60_000) return
      warnedAt = Date.now()
      log.warn(
        { clientId, limit: bounds.sessionQueueLimit },
        'embedded broker session queue full: messages for it are dropped',
      )
    },
  })
  broker.on('clientError', (client, err) => {
    if (err instanceof MillstreamError)
      log.warn({ clientId: client.id, reason: err.message }, 'embedded broker cut a client off')
  })
  const server: Server = createServer((socket) =>
    limitPacketSize(broker.handle(socket), bounds.maxPacketBytes),
  )
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  log.info({ port }, 'embedded MQTT broker listening')
  return {
    url: `mqtt://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
