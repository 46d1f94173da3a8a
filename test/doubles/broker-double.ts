import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import mqttPacket from 'mqtt-packet'

/** What the double does with a PUBLISH: acknowledge it, close the connection, or say nothing. */
export type PublishVerdict = 'ack' | 'refuse' | 'ignore'

/**
 * An MQTT 3.1.1 broker double that answers CONNECT, SUBSCRIBE and PINGREQ and treats each
 * PUBLISH as told: like Mosquitto with a packet it will not take (too large, bad topic), it
 * closes the connection; or it stays silent, like a broker that has stopped. It records what it
 * received, and can deliver QoS 1 messages to its clients.
 */
export class BrokerDouble {
  readonly received: {
    topic: string
    payload: string
    messageId: number | undefined
    dup: boolean
  }[] = []
  /** Message ids of the PUBACKs clients sent for messages delivered to them. */
  readonly pubacks: number[] = []
  connections = 0
  /** SUBSCRIBE packets received, over every connection. */
  subscriptions = 0
  /** Messages delivered and not acknowledged yet, by message id. */
  private readonly unacked = new Map<number, { topic: string; payload: string }>()
  private readonly sockets = new Set<Socket>()

  private constructor(
    private readonly server: Server,
    private verdictOf: (topic: string) => PublishVerdict,
    private readonly keepsSessions: boolean,
  ) {}

  /**
   * `keepsSessions`: like a broker holding a persistent session, it delivers again (as
   * duplicates) the messages not acknowledged when a client connects with `clean: false`.
   */
  static async start(
    verdictOf: (topic: string) => PublishVerdict,
    options: { keepsSessions?: boolean } = {},
  ): Promise<BrokerDouble> {
    const server = createServer()
    const broker = new BrokerDouble(server, verdictOf, options.keepsSessions ?? false)
    server.on('connection', (socket) => broker.serve(socket))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    return broker
  }

  get url(): string {
    return `mqtt://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  /** Changes how later PUBLISH packets are treated. */
  treat(verdictOf: (topic: string) => PublishVerdict): void {
    this.verdictOf = verdictOf
  }

  /** Sends a QoS 1 message to every connected client. */
  deliver(topic: string, payload: string, messageId: number): void {
    this.unacked.set(messageId, { topic, payload })
    const packet = publishPacket(topic, payload, messageId, false)
    for (const socket of this.sockets) socket.write(packet)
  }

  /** Ids of the messages delivered and not acknowledged. */
  unacknowledged(): number[] {
    return [...this.unacked.keys()]
  }

  topics(): string[] {
    return this.received.map((r) => r.topic)
  }

  /** Cuts every client's connection, as a broker restart would. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy()
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private serve(socket: Socket): void {
    this.connections++
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    const parser = mqttPacket.parser({ protocolVersion: 4 })
    const send = (packet: mqttPacket.Packet) => socket.write(generate(packet))
    parser.on('packet', (packet) => {
      if (packet.cmd === 'connect') {
        send({ cmd: 'connack', returnCode: 0, sessionPresent: false })
        if (this.keepsSessions && !packet.clean)
          for (const [id, m] of this.unacked)
            socket.write(publishPacket(m.topic, m.payload, id, true))
      } else if (packet.cmd === 'subscribe') {
        this.subscriptions++
        send({
          cmd: 'suback',
          messageId: packet.messageId,
          granted: packet.subscriptions.map((s) => s.qos),
        })
      } else if (packet.cmd === 'puback') {
        this.pubacks.push(packet.messageId ?? 0)
        this.unacked.delete(packet.messageId ?? 0)
      } else if (packet.cmd === 'pingreq') {
        send({ cmd: 'pingresp' })
      } else if (packet.cmd === 'publish') {
        this.received.push({
          topic: packet.topic,
          payload: String(packet.payload),
          messageId: packet.messageId,
          dup: packet.dup,
        })
        const verdict = this.verdictOf(packet.topic)
        if (verdict === 'refuse') socket.destroy()
        else if (verdict === 'ack' && packet.qos === 1)
          send({ cmd: 'puback', messageId: packet.messageId ?? 0 })
      } else if (packet.cmd === 'disconnect') {
        socket.end()
      }
    })
    socket.on('data', (chunk: Buffer) => parser.parse(chunk))
  }
}

const generate = (packet: mqttPacket.Packet) => mqttPacket.generate(packet, { protocolVersion: 4 })

const publishPacket = (topic: string, payload: string, messageId: number, dup: boolean) =>
  generate({ cmd: 'publish', topic, payload, qos: 1, messageId, dup, retain: false })
