import { pino } from 'pino'
import type { InboundMessage } from '../../../src/streams/inbound'
import { MqttSource, type MqttSourceOptions } from '../../../src/streams/mqtt-source'
import { waitFor } from '../../../harness/services'
import { BrokerDouble } from '../../doubles/broker-double'

const log = pino({ level: 'silent' })

describe('the MQTT source', () => {
  let broker: BrokerDouble
  let source: MqttSource | undefined
  let received: InboundMessage[]

  beforeEach(async () => {
    broker = await BrokerDouble.start(() => 'ack', { keepsSessions: true })
    received = []
  })
  afterEach(async () => {
    for (const m of received) m.ack()
    await source?.stop()
    source = undefined
    await broker.close()
  })

  const start = async (options: Partial<MqttSourceOptions> = {}): Promise<MqttSource> => {
    const s = new MqttSource(
      { url: broker.url, clientId: 'source', topics: ['line/#'], maxInFlight: 100, ...options },
      log,
    )
    s.messages().subscribe((m) => void received.push(m))
    await s.start()
    source = s
    return s
  }
  const until = (what: string, check: () => boolean) =>
    waitFor(what, () => Promise.resolve(check() || undefined), 5000, 5)
  /** Lets whatever the client and the double have in their sockets arrive. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50))

  it('hands messages on in arrival order and holds each PUBACK until the message is acknowledged', async () => {
    await start()
    for (let id = 1; id <= 5; id++) broker.deliver(`line/m${id}/metrics`, `p${id}`, id)
    await until('five messages', () => received.length === 5)
    expect(received.map((m) => [m.topic, m.payload.toString()])).toEqual(
      [1, 2, 3, 4, 5].map((id) => [`line/m${id}/metrics`, `p${id}`]),
    )
    await settle()
    expect(broker.pubacks).toEqual([])
    received[3]?.ack()
    received[1]?.ack()
    received[1]?.ack() // a second acknowledgement sends nothing more
    await until('two PUBACKs', () => broker.pubacks.length === 2)
    await settle()
    expect(broker.pubacks).toEqual([4, 2])
    expect(source?.inFlight()).toBe(3)
  })

  it('leaves a message whose commit failed unacknowledged, and takes it again when redelivered', async () => {
    const s = await start()
    broker.deliver('line/m1/metrics', 'p1', 7)
    broker.deliver('line/m2/metrics', 'p2', 8)
    await until('two messages', () => received.length === 2)
    received[1]?.ack() // committed; message 7's commit failed: never acknowledged
    await until('one PUBACK', () => broker.pubacks.length === 1)
    const stale = received[0]

    broker.dropConnections()
    await until('redelivered after the reconnect', () => received.length === 3)
    expect(received[2]?.topic).toBe('line/m1/metrics')
    expect(broker.subscriptions).toBeGreaterThanOrEqual(2)
    expect(s.connected()).toBe(true)
    // The first copy's acknowledgement belongs to a closed connection: no PUBACK for it.
    stale?.ack()
    await settle()
    expect(broker.pubacks).toEqual([8])
    received[2]?.ack()
    await until('the PUBACK of the redelivery', () => broker.pubacks.length === 2)
    expect(broker.pubacks).toEqual([8, 7])
    expect(broker.unacknowledged()).toEqual([])
  })

  it('announces its presence again on each reconnect', async () => {
    const presence = {
      topic: 'presence/source',
      online: Buffer.from('online'),
      offline: Buffer.from('offline'),
    }
    await start({ presence })
    const announced = () => broker.received.filter((r) => r.topic === presence.topic)
    await until('online announced', () => announced().length === 1)
    broker.dropConnections()
    await until('online announced again', () => announced().length === 2)
    expect(announced().map((r) => r.payload)).toEqual(['online', 'online'])
  })

  it('stops reading at the in-flight bound and reads on as messages are acknowledged', async () => {
    const s = await start({ maxInFlight: 2 })
    for (let id = 1; id <= 5; id++) broker.deliver(`line/m${id}/metrics`, 'p', id)
    await until('two messages', () => received.length === 2)
    await settle()
    expect(received).toHaveLength(2)
    expect(s.inFlight()).toBe(2)
    received[0]?.ack()
    await until('a third message', () => received.length === 3)
    await settle()
    expect(received).toHaveLength(3)
    received[1]?.ack()
    received[2]?.ack()
    await until('all five', () => received.length === 5)
    expect(received.map((m) => m.topic)).toEqual([1, 2, 3, 4, 5].map((id) => `line/m${id}/metrics`))
  })

  it('stops once every message handed on is acknowledged, then completes its stream', async () => {
    const s = await start()
    let completed = false
    s.messages().subscribe({ complete: () => (completed = true) })
    broker.deliver('line/m1/metrics', 'p', 1)
    broker.deliver('line/m2/metrics', 'p', 2)
    await until('two messages', () => received.length === 2)
    let stopped = false
    const stopping = s.stop().then(() => (stopped = true))
    await settle()
    expect(stopped).toBe(false)
    expect(completed).toBe(false)
    received[0]?.ack()
    await settle()
    expect(stopped).toBe(false)
    received[1]?.ack()
    await stopping
    source = undefined
    expect(completed).toBe(true)
    expect(broker.pubacks).toEqual([1, 2])
    expect(s.connected()).toBe(false)
  })
})
