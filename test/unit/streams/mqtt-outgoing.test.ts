import mqtt, { type MqttClient, type PacketCallback } from 'mqtt'
import { forgetOutgoing, outgoingCount } from '../../../src/streams/mqtt-outgoing'
import { BrokerDouble } from '../../doubles/broker-double'

/**
 * Pins what the publisher relies on in mqtt.js: an unacknowledged QoS 1 packet waits in
 * `client.outgoing` with the callback given to `publish` and is re-sent on reconnect, and
 * `removeOutgoingMessage` takes it out for good. If a new mqtt.js changes that, these fail.
 */
describe('mqtt.js outgoing packets', () => {
  let broker: BrokerDouble
  let client: MqttClient

  afterEach(async () => {
    await client.endAsync(true)
    await broker.close()
  })

  const connect = async () => {
    client = await mqtt.connectAsync(broker.url, {
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 50,
    })
  }
  const until = async (what: () => boolean) => {
    for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 10))
    expect(what()).toBe(true)
  }

  it('re-sends an unacknowledged packet after the broker closed the connection on it', async () => {
    let refusals = 0
    broker = await BrokerDouble.start(() => (refusals++ === 0 ? 'refuse' : 'ack'))
    await connect()
    await client.publishAsync('line/1', 'x', { qos: 1 })
    expect(broker.topics()).toEqual(['line/1', 'line/1'])
    expect(broker.connections).toBe(2)
  })

  it('keeps the packet under its id with the publish callback, and forgets it on request', async () => {
    broker = await BrokerDouble.start(() => 'ignore')
    await connect()
    const settled: (Error | undefined)[] = []
    const callback: PacketCallback = (err) => void settled.push(err)
    client.publish('line/2', 'y', { qos: 1 }, callback)
    await until(() => broker.received.length === 1)
    expect(Object.values(client.outgoing).map((e) => e.cb)).toContain(callback)
    expect(outgoingCount(client)).toBe(1)

    expect(forgetOutgoing(client, callback)).toBe(true)
    expect(outgoingCount(client)).toBe(0)
    expect(settled).toHaveLength(1)
    expect(settled[0]).toBeInstanceOf(Error)

    broker.dropConnections()
    await until(() => broker.connections === 2 && client.connected)
    await new Promise((r) => setTimeout(r, 100))
    expect(broker.topics()).toEqual(['line/2'])
    expect(forgetOutgoing(client, callback)).toBe(false)
  })
})
