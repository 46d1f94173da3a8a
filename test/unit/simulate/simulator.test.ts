import { createServer, type AddressInfo, type Socket } from 'node:net'
import { pino } from 'pino'
import { MillstreamError } from '../../../src/errors'
import { Simulator, type SimulatorOptions } from '../../../src/simulate/simulator'
import { BrokerDouble } from '../../doubles/broker-double'

const log = pino({ level: 'silent' })

const options = (url: string, changes: Partial<SimulatorOptions> = {}): SimulatorOptions => ({
  url,
  topicPrefix: 'factory',
  connectTimeoutMs: 2000,
  publishTimeoutMs: 2000,
  machines: 3,
  speed: 20,
  durationSeconds: 1,
  scrapShare: 0.02,
  rate: undefined,
  seed: 1,
  mtbfSeconds: 45 * 60,
  mttrSeconds: 4 * 60,
  historyMinutes: 0,
  sparkplug: undefined,
  plantModelOut: undefined,
  roundTheClock: false,
  ...changes,
})

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: unknown) => err as MillstreamError,
  )

describe('the simulator over MQTT', () => {
  let broker: BrokerDouble | undefined

  afterEach(async () => {
    await broker?.close()
    broker = undefined
  })

  it('publishes part info and prices first, then each machine’s status before anything else of it', async () => {
    broker = await BrokerDouble.start(() => 'ack')
    const counts = await new Simulator(options(broker.url), log).run()
    const topics = broker.topics()
    const reference = counts.partInfo + counts.material
    expect(counts.partInfo).toBe(3)
    expect(topics.slice(0, reference).every((t) => /^factory\/(parts|materials)\//.test(t))).toBe(
      true,
    )
    for (const id of ['1', '2', '3']) {
      const own = topics.filter((t) => t.startsWith(`factory/machines/${id}/`))
      expect(own[0]).toBe(`factory/machines/${id}/status`)
    }
    expect(counts.production).toBeGreaterThan(0)
    expect(counts.telemetry).toBeGreaterThanOrEqual(3)
    const sent = Object.values(counts).reduce((a, b) => a + b, 0)
    expect(topics).toHaveLength(sent)
  })

  it('plays the past first, stamped in the past and in time order per machine, then goes on live', async () => {
    broker = await BrokerDouble.start(() => 'ack')
    const started = Date.now()
    await new Simulator(options(broker.url, { speed: 1, historyMinutes: 30 }), log).run()
    const times = (id: string) =>
      broker!.received
        .filter((r) => r.topic.startsWith(`factory/machines/${id}/`))
        .map((r) => JSON.parse(r.payload) as { timeOfProduction?: string; at?: string })
        .map((p) => Date.parse(p.timeOfProduction ?? p.at ?? ''))
    const machine1 = times('1')
    // Half an hour of one machine at real speed: parts every few seconds, telemetry every 5 s.
    expect(machine1.length).toBeGreaterThan(300)
    expect(machine1[0]).toBeLessThan(started - 29 * 60_000)
    expect(machine1[0]).toBeGreaterThan(started - 31 * 60_000)
    expect(machine1.every((t, i) => i === 0 || t >= (machine1[i - 1] ?? 0))).toBe(true)
    // The live second follows the past without a gap of more than a few seconds.
    expect(Math.max(...machine1)).toBeGreaterThan(started - 10_000)
  })

  it('stops when aborted, the messages it sent acknowledged', async () => {
    broker = await BrokerDouble.start(() => 'ack')
    const abort = new AbortController()
    setTimeout(() => abort.abort(), 300)
    const started = Date.now()
    const counts = await new Simulator(options(broker.url, { durationSeconds: 0 }), log).run(
      abort.signal,
    )
    expect(Date.now() - started).toBeLessThan(2000)
    expect(counts.status).toBe(3)
  })

  it('stops with PUBLISH_TIMEOUT when the broker does not acknowledge in time', async () => {
    broker = await BrokerDouble.start(() => 'ignore')
    const started = Date.now()
    const err = await failure(
      new Simulator(options(broker.url, { publishTimeoutMs: 300, durationSeconds: 0 }), log).run(),
    )
    expect(err).toBeInstanceOf(MillstreamError)
    expect(err?.code).toBe('PUBLISH_TIMEOUT')
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('gives up connecting with PUBLISH_TIMEOUT when no broker answers in time', async () => {
    const sockets = new Set<Socket>()
    const silent = createServer((s) => void sockets.add(s))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()))
    try {
      const url = `mqtt://127.0.0.1:${(silent.address() as AddressInfo).port}`
      const started = Date.now()
      const err = await failure(new Simulator(options(url, { connectTimeoutMs: 300 }), log).run())
      expect(err?.code).toBe('PUBLISH_TIMEOUT')
      expect(Date.now() - started).toBeLessThan(2000)
    } finally {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => silent.close(() => resolve()))
    }
  })
})
