import { pino } from 'pino'
import { MillstreamError } from '../../../src/errors'
import { MqttPublisher } from '../../../src/streams/mqtt-publisher'
import { BrokerDouble, type PublishVerdict } from '../../doubles/broker-double'

describe('the MQTT publisher', () => {
  let broker: BrokerDouble
  let publisher: MqttPublisher
  const seen = { refused: [] as string[], timedOut: [] as string[] }

  const start = async (verdictOf: (topic: string) => PublishVerdict, timeoutMs = 3000) => {
    broker = await BrokerDouble.start(verdictOf)
    seen.refused = []
    seen.timedOut = []
    publisher = await MqttPublisher.connect({
      url: broker.url,
      clientId: 'publisher-test',
      timeoutMs,
      log: pino({ level: 'silent' }),
      observer: {
        refused: (topic) => void seen.refused.push(topic),
        timedOut: (topic) => void seen.timedOut.push(topic),
      },
    })
  }
  const until = async (what: () => boolean) => {
    for (let i = 0; i < 300 && !what(); i++) await new Promise((r) => setTimeout(r, 10))
    expect(what()).toBe(true)
  }
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (err: unknown) => err as MillstreamError,
    )

  afterEach(async () => {
    await publisher.close()
    await broker.close()
  })

  it('drops a packet the broker refuses after one more try alone, and publishes on', async () => {
    await start((topic) => (topic === 'poison' ? 'refuse' : 'ack'))
    await publisher.publish('factory/machines/1/commands', '{}')
    const err = await failure(publisher.publish('poison', 'x'.repeat(100)))
    expect(err?.code).toBe('PUBLISH_REFUSED')
    expect(seen.refused).toEqual(['poison'])
    expect(broker.topics().filter((t) => t === 'poison')).toHaveLength(2)

    // Only the reconnect (1 s) stands between the refusal and the next publish.
    const started = Date.now()
    await publisher.publish('factory/machines/1/commands', '{}')
    expect(Date.now() - started).toBeLessThan(2500)
    expect(publisher.health()).toEqual({ ok: true, detail: 'connected' })
    // Never again: later connections carry no trace of it.
    broker.dropConnections()
    await publisher.publish('factory/machines/2/commands', '{}')
    expect(broker.topics().filter((t) => t === 'poison')).toHaveLength(2)
  })

  it('delivers the packets that were in flight beside a refused one', async () => {
    await start((topic) => (topic === 'poison' ? 'refuse' : 'ack'))
    const results = await Promise.all(
      ['a', 'poison', 'b', 'c'].map((t) => failure(publisher.publish(t, 'p'))),
    )
    expect(results.map((e) => e?.code)).toEqual([
      undefined,
      'PUBLISH_REFUSED',
      undefined,
      undefined,
    ])
    for (const topic of ['a', 'b', 'c']) expect(broker.topics()).toContain(topic)
  })

  it('answers within its deadline when the broker is silent, and never re-sends that packet', async () => {
    await start((topic) => (topic === 'stuck' ? 'ignore' : 'ack'), 300)
    const started = Date.now()
    const err = await failure(publisher.publish('stuck', 'p'))
    expect(Date.now() - started).toBeLessThan(1000)
    expect(err?.code).toBe('PUBLISH_TIMEOUT')
    expect(err?.retriable).toBe(true)
    expect(err?.retryAfterSeconds).toBeGreaterThan(0)
    expect(seen.timedOut).toEqual(['stuck'])
    expect(publisher.health().ok).toBe(false)

    broker.dropConnections()
    await until(() => publisher.health().ok)
    await publisher.publish('after', 'p')
    expect(broker.topics().filter((t) => t === 'stuck')).toHaveLength(1)
    expect(publisher.health().ok).toBe(true)
  })

  it('holds publishes while the connection is down and sends them once it is back', async () => {
    await start(() => 'ack')
    broker.dropConnections()
    await publisher.publish('during-reconnect', 'p')
    expect(broker.topics()).toEqual(['during-reconnect'])
    expect(broker.connections).toBe(2)
  })

  it.each([
    ['a wildcard', 'factory/+/x', 'wildcards'],
    ['a NUL', 'factory/\u0000', 'U+0000'],
    ['a $ prefix', '$SYS/x', '$'],
    ['nothing', '', 'empty'],
    ['a lone surrogate', 'factory/\uD800', 'UTF-8'],
  ])('refuses a topic with %s before it leaves', async (_, topic, why) => {
    await start(() => 'ack')
    const err = await failure(publisher.publish(topic, 'p'))
    expect(err?.code).toBe('BAD_REQUEST')
    expect(err?.message).toContain(why)
    expect(broker.received).toHaveLength(0)
  })

  it('closes at once with a publish pending on a silent broker', async () => {
    await start(() => 'ignore', 10_000)
    const pending = failure(publisher.publish('stuck', 'p'))
    await new Promise((r) => setTimeout(r, 50))
    const started = Date.now()
    await publisher.close()
    expect(Date.now() - started).toBeLessThan(1500)
    expect((await pending)?.code).toBe('SHUTTING_DOWN')
  })
})
