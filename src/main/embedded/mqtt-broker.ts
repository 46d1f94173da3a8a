import { createServer, type Server } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import { MillstreamError } from '../../errors.js'
import type { Logger } from '../../logger.js'
import { mayPublish, maySubscribe, type BrokerIdentity } from './broker-acl.js'
import type { BrokerTls } from './broker-tls.js'
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

/** Who may connect, and what each client may publish and subscribe to. */
export type BrokerAuth = {
  /** The identity a client's credentials and client id prove, or why they prove none. */
  identify(
    username: string | undefined,
    password: Buffer | undefined,
    clientId: string,
  ): Promise<BrokerIdentity | 'bad-credentials' | 'reserved-client-id'>
  topicPrefix: string
  /** Told of each refusal: a connection, a publish or a subscription. */
  onRefused(what: 'connect' | 'publish' | 'subscribe'): void
}

/** A client that has not finished its TLS handshake in this time is cut off. */
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000

// MQTT 3.1.1 CONNACK return codes.
const BAD_USERNAME_OR_PASSWORD = 4
const NOT_AUTHORIZED = 5

/**
 * Starts the broker on 127.0.0.1:`port`, within `bounds`, checking clients with `auth`, and
 * on `tls.host`:`tls.port` over TLS too when `tls` is given.
 */
export async function startEmbeddedBroker(
  port: number,
  bounds: BrokerBounds,
  log: Logger,
  auth?: BrokerAuth,
  tls?: BrokerTls,
): Promise<EmbeddedBroker> {
  // aedes is published as ESM only: load it with import(), which CommonJS output keeps.
  const { Aedes } = await import('aedes')
  const identities = new WeakMap<object, BrokerIdentity>()
  const refuse = (message: string, returnCode: number) =>
    Object.assign(new Error(message), { returnCode })
  const broker = await Aedes.createBroker(
    auth
      ? {
          // Runs before the session is registered, so a refused client takes over nothing.
          authenticate: (client, username, password, done) => {
            auth.identify(username, password, client.id).then(
              (who) => {
                if (typeof who !== 'string') {
                  identities.set(client, who)
                  done(null, true)
                  return
                }
                auth.onRefused('connect')
                log.warn({ clientId: client.id, reason: who }, 'embedded broker refused a client')
                done(
                  refuse(
                    who,
                    who === 'bad-credentials' ? BAD_USERNAME_OR_PASSWORD : NOT_AUTHORIZED,
                  ),
                  false,
                )
              },
              (err: unknown) => done(refuse(String(err), NOT_AUTHORIZED), false),
            )
          },
          authorizePublish: (client, packet, done) => {
            const who = client ? identities.get(client) : undefined
            if (who && mayPublish(who, packet.topic, auth.topicPrefix)) return done(null)
            auth.onRefused('publish')
            done(new Error(`not allowed to publish to ${packet.topic}`))
          },
          authorizeSubscribe: (client, subscription, done) => {
            const who = identities.get(client)
            if (who && maySubscribe(who, subscription.topic, auth.topicPrefix))
              return done(null, subscription)
            auth.onRefused('subscribe')
            done(null, null)
          },
        }
      : {},
  )
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
  const serve = (socket: Parameters<typeof broker.handle>[0]) =>
    limitPacketSize(broker.handle(socket), bounds.maxPacketBytes)
  const servers: Server[] = [createServer(serve)]
  await listen(servers[0] as Server, port, '127.0.0.1')
  log.info({ port }, 'embedded MQTT broker listening')
  if (tls) {
    const secure = createTlsServer(
      {
        cert: tls.cert,
        key: tls.key,
        minVersion: 'TLSv1.2',
        handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
        // With a client CA, a client without a certificate it signed fails the handshake.
        ...(tls.clientCa !== undefined
          ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true }
          : {}),
      },
      serve,
    )
    servers.push(secure)
    await listen(secure, tls.port, tls.host).catch(async (err: unknown) => {
      // The plain listener is up already: a failed start must not leave it behind.
      await new Promise<void>((resolve) => broker.close(() => resolve()))
      await new Promise<void>((resolve) => servers[0]?.close(() => resolve()))
      throw err
    })
    log.info(
      { port: tls.port, host: tls.host, clientCertificates: tls.clientCa !== undefined },
      'embedded MQTT broker listening over TLS',
    )
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()))
      for (const server of servers)
        await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
}
