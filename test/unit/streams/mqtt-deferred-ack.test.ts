import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt'
import { deferAcks, sendPuback } from '../../../src/streams/mqtt-deferred-ack'
import { BrokerDouble } from '../../doubles/broker-double'

/**
 * Pins what the MQTT source relies on in mqtt.js to acknowledge a message only after its
 * commit: `handleMessage` sees each QoS 1 message, a callback given an error reads on without
 * a PUBACK (and without an error event), and `_sendPacket` sends the PUBACK later.
 */
describe('deferred PUBACKs on mqtt.js', () => {
  let broker: BrokerDouble
  let client: MqttClient
  const errors: Error[] = []
  const received: IPublishPacket[] = []

  beforeEach(async () => {
    broker = await BrokerDouble.start(() => 'ack')
    client = await mqtt.connectAsync(broker.url, {
      protocolVersion: 4,
      clean: false,
      clientId: 'deferred',
    })
    client.on('error', (err) => void errors.push(err))
    deferAcks(client, (packet, readOn) => {
      received.push(packet)
      readOn()
    })
    await client.subscribeAsync('line/#', { qos: 1 })
  })
  afterEach(async () => {
    received.length = 0
    errors.length = 0
    await client.endAsync(true)
    await broker.close()
  })
  const until = async (what: () => boolean) => {
    for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 10))
    expect(what()).toBe(true)
  }

  it('reads on past unacknowledged messages and sends no PUBACK of its own', async () => {
    for (const id of [1, 2, 3]) broker.deliver(`line/${id}`, 'p', id)
    await until(() => received.length === 3)
    expect(received.map((p) => [p.topic, p.messageId, p.qos])).toEqual([
      ['line/1', 1, 1],
      ['line/2', 2, 1],
      ['line/3', 3, 1],
    ])
    await new Promise((r) => setTimeout(r, 100))
    expect(broker.pubacks).toEqual([])
    expect(errors).toEqual([])
  })

  it('sends the PUBACK when told, in the order told', async () => {
    for (const id of [7, 8, 9]) broker.deliver(`line/${id}`, 'p', id)
    await until(() => received.length === 3)
    for (const id of [9, 7, 8]) sendPuback(client, id)
    await until(() => broker.pubacks.length === 3)
    expect(broker.pubacks).toEqual([9, 7, 8])
  })
})
