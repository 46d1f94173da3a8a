import { createServer, type Server } from 'node:net'
import { MillstreamError } from '../../errors.js'
import type { Logger } from '../../logger.js'
import { limitPacketSize } from './packet-limit.js'

/** An in-process MQTT 3.1.1 broker (aedes) for the zero-configuration default. */
export type EmbeddedBroker = { url: string; close(): Promise<void> }

/** Starts the broker on 127.0.0.1:`port`; a client sending a packet over `maxPacketBytes` is cut off. */
export async function startEmbeddedBroker(
  port: number,
  maxPacketBytes: number,
  log: Logger,
): Promise<EmbeddedBroker> {
  // aedes is published as ESM only: load it with import(), which CommonJS output keeps.
  const { Aedes } = await import('aedes')
  const broker = await Aedes.createBroker()
  broker.on('clientError', (client, err) => {
    if (err instanceof MillstreamError)
      log.warn({ clientId: client.id, reason: err.message }, 'embedded broker cut a client off')
  })
  const server: Server = createServer((socket) =>
    limitPacketSize(broker.handle(socket), maxPacketBytes),
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
