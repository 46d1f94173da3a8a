import { pino } from 'pino'
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload.js'
import type { RebirthReason } from '../../../src/sparkplug/edge-sessions'
import type { Mapping } from '../../../src/sparkplug/mapping'
import { decodePayload } from '../../../src/sparkplug/payload'
import {
  SparkplugHost,
  type RecalledMachine,
  type SparkplugHostPorts,
} from '../../../src/sparkplug/sparkplug-host'
import type { InboundMessage } from '../../../src/streams/inbound'
import { encode, expectContract, mappingOf, metric, PREFIX, simulatorMapping } from './support'

type Letter = Parameters<SparkplugHostPorts['deadLetter']>[0]
type Sent = InboundMessage & { acks: number }

const GROUP = 'millstream-sim'
const NODE_TOPIC = (type: string) => `spBv1.0/${GROUP}/${type}/line-1`
const DEVICE_TOPIC = (type: string, device = 'M-7') => `spBv1.0/${GROUP}/${type}/line-1/${device}`
const REBIRTH_TOPIC = `spBv1.0/${GROUP}/NCMD/line-1`
const T0 = Date.parse('2024-03-01T08:00:00.000Z')
const RECEIVED = T0 + 500
const INTERVAL = 10_000

/** Lets every message taken so far be handled (the fake ports answer at once). */
const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r))
}

function deferred<T = void>() {
  let resolve!: (v: T) => void
  let reject!: (err: Error) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

class Harness {
  readonly letters: Letter[] = []
  readonly published: { topic: string; payload: Buffer }[] = []
  readonly derived: InboundMessage[] = []
  readonly rebirths: [RebirthReason, boolean][] = []
  completed = false
  recall = jest.fn<Promise<RecalledMachine | undefined>, [string]>(() => Promise.resolve(undefined))
  deadLetter = jest.fn<Promise<void>, [Letter]>((l) => {
    this.letters.push(l)
    return Promise.resolve()
  })
  publish = jest.fn<Promise<void>, [string, Buffer]>((topic, payload) => {
    this.published.push({ topic, payload })
    return Promise.resolve()
  })
  born = jest.fn<Promise<void>, Parameters<SparkplugHostPorts['born']>>(() => Promise.resolve())
  readonly host: SparkplugHost

  constructor(mapping: Mapping = simulatorMapping()) {
    this.host = new SparkplugHost(
      mapping,
      {
        recall: (id) => this.recall(id),
        deadLetter: (l) => this.deadLetter(l),
        publish: (t, p) => this.publish(t, p),
        born: (id, address, at) => this.born(id, address, at),
      },
      {
        topicPrefix: PREFIX,
        rebirthIntervalMs: INTERVAL,
        deadlineMs: 1000,
        log: pino({ level: 'silent' }),
        onRebirth: (reason, sent) => void this.rebirths.push([reason, sent]),
      },
    )
    this.host.inputs().subscribe({
      next: (m) => void this.derived.push(m),
      complete: () => (this.completed = true),
    })
  }

  /** Hands the host one message; its `acks` counts its acknowledgements. */
  send(topic: string, payload: UPayload | Buffer, receivedAt = RECEIVED): Sent {
    const message: Sent = {
      topic,
      payload: Buffer.isBuffer(payload) ? payload : encode(payload),
      receivedAt,
      acks: 0,
      ack: () => void (message.acks += 1),
    }
    this.host.receive(message)
    return message
  }

  /** Acknowledges every derived input not yet acknowledged (the pipeline committed them). */
  ackAll(): void {
    for (const m of this.derived) m.ack()
  }

  /** The derived inputs as the translation made them. */
  inputs(from = 0) {
    return this.derived.slice(from).map((m) => ({ topic: m.topic, payload: m.payload.toString() }))
  }

  bodies(from = 0): Record<string, unknown>[] {
    return this.inputs(from).map((i) => JSON.parse(i.payload) as Record<string, unknown>)
  }

  /** The edge node born (bdSeq 0, seq 0) and M-7 (seq 1) with the simulator's metrics. */
  async bornNode(partCount = 10, devices: string[] = ['M-7']): Promise<void> {
    this.send(NODE_TOPIC('NBIRTH'), nbirth())
    devices.forEach((d, i) => this.send(DEVICE_TOPIC('DBIRTH', d), dbirth(i + 1, partCount)))
    await settle()
    this.ackAll()
  }
}

const nbirth = (bdSeq = 0): UPayload => ({
  timestamp: T0,
  seq: 0,
  metrics: [metric('bdSeq', 'UInt64', bdSeq), metric('Node Control/Rebirth', 'Boolean', false)],
})

/** A simulator DBIRTH: RunState 1 (running), the counters, part 5 of order 9, a temperature. */
const dbirth = (seq: number, partCount = 10, extra: UMetric[] = []): UPayload => ({
  timestamp: T0 + 1,
  seq,
  metrics: [
    metric('Status/RunState', 'Int32', 1, { alias: 1 }),
    metric('Production/PartCount', 'UInt64', partCount, { alias: 2 }),
    metric('Production/ScrapCount', 'UInt64', 0, { alias: 3 }),
    metric('Production/PartId', 'Int32', 5, { alias: 4 }),
    metric('Production/Order', 'Int32', 9, { alias: 5 }),
    metric('Sensors/Temperature', 'Double', 60, { alias: 6 }),
    ...extra,
  ],
})

const ddata = (seq: number, metrics: UMetric[]): UPayload => ({ timestamp: T0 + 10, seq, metrics })
const partCount = (v: number) => metric(undefined, 'UInt64', v, { alias: 2 })

const kinds = (h: Harness, from = 0) => h.inputs(from).map((i) => i.topic)

/** The rebirth command a published payload is. */
const rebirthOf = (payload: Buffer) => {
  const d = decodePayload(payload)
  return d.ok ? d.payload.metrics.map((m) => [m.name, m.value]) : d.reason
}

afterEach(() => jest.restoreAllMocks())

describe('SparkplugHost: births and data', () => {
  it('derives a machine inputs from a DBIRTH and the parts from DDATA, on the JSON topics', async () => {
    const h = new Harness()
    h.send(NODE_TOPIC('NBIRTH'), nbirth())
    h.send(DEVICE_TOPIC('DBIRTH'), dbirth(1))
    await settle()
    expect(kinds(h)).toEqual(['plant/machines/M-7/status', 'plant/machines/M-7/telemetry'])
    expect(h.bodies()[0]).toMatchObject({ state: 'running', at: new Date(T0 + 1).toISOString() })
    expect(h.bodies()[1]?.metrics).toEqual({
      'Production.PartCount': 10,
      'Production.ScrapCount': 0,
      'Production.PartId': 5,
      'Production.Order': 9,
      temperature: 60,
    })
    h.send(DEVICE_TOPIC('DDATA'), ddata(2, [partCount(12)]))
    await settle()
    expect(kinds(h, 2)).toEqual([
      'plant/machines/M-7/production',
      'plant/machines/M-7/production',
      'plant/machines/M-7/telemetry',
    ])
    expect(h.bodies(2)[0]).toMatchObject({ partId: 5, order: 9, var5: false })
    expect(h.derived.every((m) => m.receivedAt === RECEIVED)).toBe(true)
    expectContract(h.inputs())
    expect(h.letters).toEqual([])
    expect(h.published).toEqual([])
  })

  it('acknowledges a message only once every input it derived is acknowledged', async () => {
    const h = new Harness()
    const birth = h.send(NODE_TOPIC('NBIRTH'), nbirth())
    await settle()
    expect(birth.acks).toBe(1) // nothing derived from the node itself
    const dbirthMessage = h.send(DEVICE_TOPIC('DBIRTH'), dbirth(1))
    await settle()
    expect(h.derived).toHaveLength(2)
    expect(dbirthMessage.acks).toBe(0)
    h.derived[0]?.ack()
    h.derived[0]?.ack() // an input acknowledged twice counts once
    await settle()
    expect(dbirthMessage.acks).toBe(0)
    h.derived[1]?.ack()
    expect(dbirthMessage.acks).toBe(1)
  })

  it('handles messages in arrival order, a slow recall holding up the next message', async () => {
    const h = new Harness()
    const recalled = deferred<RecalledMachine | undefined>()
    h.recall.mockReturnValueOnce(recalled.promise)
    h.send(NODE_TOPIC('NBIRTH'), nbirth())
    h.send(DEVICE_TOPIC('DBIRTH'), dbirth(1))
    h.send(DEVICE_TOPIC('DDATA'), ddata(2, [partCount(11)]))
    await settle()
    expect(h.derived).toEqual([])
    recalled.resolve(undefined)
    await settle()
    expect(kinds(h)).toEqual([
      'plant/machines/M-7/status',
      'plant/machines/M-7/telemetry',
      'plant/machines/M-7/production',
      'plant/machines/M-7/telemetry',
    ])
  })

  it('stores the problems of a translation as a dead letter, derives the rest, acks after both', async () => {
    const h = new Harness()
    await h.bornNode()
    const stored = deferred()
    h.deadLetter.mockImplementationOnce((l) => {
      h.letters.push(l)
      return stored.promise
    })
    const m = h.send(
      DEVICE_TOPIC('DDATA'),
      ddata(2, [metric(undefined, 'Int32', 7, { alias: 1 }), partCount(11)]),
    )
    await settle()
    expect(h.letters).toEqual([
      expect.objectContaining({
        source: DEVICE_TOPIC('DDATA'),
        reason: "Status/RunState = 7 is not in the mapping's state values",
        receivedAt: RECEIVED,
      }),
    ])
    const fromData = h.derived.slice(2)
    expect(fromData.map((i) => i.topic)).toEqual([
      'plant/machines/M-7/production',
      'plant/machines/M-7/telemetry',
    ])
    fromData.forEach((i) => i.ack())
    expect(m.acks).toBe(0)
    stored.resolve()
    await settle()
    expect(m.acks).toBe(1)
  })

  it('notes where each machine was born, data not, and a failed note holds nothing up', async () => {
    const h = new Harness()
    h.born.mockRejectedValueOnce(new Error('database down'))
    await h.bornNode()
    expect(h.born.mock.calls).toEqual([
      ['line-1', { kind: 'edge', type: 'NBIRTH', group: GROUP, edgeNode: 'line-1' }, RECEIVED],
      [
        'M-7',
        { kind: 'edge', type: 'DBIRTH', group: GROUP, edgeNode: 'line-1', device: 'M-7' },
        RECEIVED,
      ],
    ])
    expect(h.derived).toHaveLength(2)
    h.send(DEVICE_TOPIC('DDATA'), ddata(2, [partCount(11)]))
    await settle()
    expect(h.born).toHaveBeenCalledTimes(2)
  })

  it('derives nothing for a device the mapping ignores, and acks it', async () => {
    const h = new Harness(mappingOf({ unmapped: 'ignore' }))
    h.send(NODE_TOPIC('NBIRTH'), nbirth())
    const m = h.send(DEVICE_TOPIC('DBIRTH', 'X-1'), dbirth(1))
    await settle()
    expect(h.derived).toEqual([])
    expect(m.acks).toBe(1)
    expect(h.host.isBorn({ group: GROUP, edgeNode: 'line-1', device: 'X-1' })).toBe(true)
    expect(h.host.onlineNodes()).toBe(1)
  })

  it('ends the derived inputs on stop, after the messages taken', async () => {
    const h = new Harness()
    h.send(NODE_TOPIC('NBIRTH'), nbirth())
    h.send(DEVICE_TOPIC('DBIRTH'), dbirth(1))
    await h.host.stop()
    expect(h.derived).toHaveLength(2)
    expect(h.completed).toBe(true)
  })
})

describe('SparkplugHost: what it cannot use', () => {
  it('dead-letters undecodable bytes with the reason, and acks once the letter is stored', async () => {
    const h = new Harness()
    const stored = deferred()
    h.deadLetter.mockImplementationOnce((l) => {
      h.letters.push(l)
      return stored.promise
    })
    const bytes = Buffer.from('{"state":"running"}')
    const m = h.send(NODE_TOPIC('NDATA'), bytes)
    await settle()
    expect(h.letters).toEqual([
      {
        source: NODE_TOPIC('NDATA'),
        payload: bytes,
        reason: expect.stringMatching(/^NDATA: not a Sparkplug B payload: /),
        idempotencyKey: expect.stringMatching(/:letter$/),
        receivedAt: RECEIVED,
      },
    ])
    expect(m.acks).toBe(0)
    stored.resolve()
    await settle()
    expect(m.acks).toBe(1)
    expect(h.derived).toEqual([])
  })

  it('dead-letters a topic that is not Sparkplug B', async () => {
    const h = new Harness()
    const m = h.send('spBv1.0/g/NDATA/n/extra', nbirth())
    await settle()
    expect(h.letters.map((l) => l.reason)).toEqual([
      'not a Sparkplug B topic: spBv1.0/g/NDATA/n/extra',
    ])
    expect(m.acks).toBe(1)
  })

  it('leaves a message unacknowledged when its dead letter cannot be stored', async () => {
    const h = new Harness()
    h.deadLetter.mockRejectedValueOnce(new Error('database down'))
    const m = h.send(NODE_TOPIC('NDATA'), Buffer.from('garbage'))
    await settle()
    expect(h.deadLetter).toHaveBeenCalledTimes(1)
    expect(m.acks).toBe(0)
  })

  it('dead-letters data before the birth and asks the node to rebirth', async () => {
    const h = new Harness()
    const m = h.send(DEVICE_TOPIC('DDATA'), ddata(5, [partCount(12)]))
    await settle()
    expect(h.letters.map((l) => l.reason)).toEqual(["DDATA before the edge node's NBIRTH"])
    expect(m.acks).toBe(1)
    expect(h.published.map((p) => p.topic)).toEqual([REBIRTH_TOPIC])
    expect(rebirthOf(h.published[0]!.payload)).toEqual([['Node Control/Rebirth', true]])
    expect(h.rebirths).toEqual([['before-birth', true]])
    expect(h.derived).toEqual([])
  })

  it('dead-letters data with an unknown alias and asks for a rebirth', async () => {
    const h = new Harness()
    await h.bornNode()
    const m = h.send(
      DEVICE_TOPIC('DDATA'),
      ddata(2, [metric(undefined, 'Int32', 1, { alias: 42 })]),
    )
    await settle()
    expect(h.letters.map((l) => l.reason)).toEqual(['unknown alias 42'])
    expect(m.acks).toBe(1)
    expect(h.published.map((p) => p.topic)).toEqual([REBIRTH_TOPIC])
    expect(h.rebirths).toEqual([['unknown-alias', true]])
  })

  it('takes data after a seq gap and asks for a rebirth, storing no letter', async () => {
    const h = new Harness()
    await h.bornNode()
    h.send(DEVICE_TOPIC('DDATA'), ddata(9, [partCount(11)]))
    await settle()
    expect(kinds(h, 2)).toEqual(['plant/machines/M-7/production', 'plant/machines/M-7/telemetry'])
    expect(h.letters).toEqual([])
    expect(h.published.map((p) => p.topic)).toEqual([REBIRTH_TOPIC])
    expect(rebirthOf(h.published[0]!.payload)).toEqual([['Node Control/Rebirth', true]])
    expect(h.rebirths).toEqual([['seq-gap', true]])
  })

  it('asks an edge node to rebirth at most once per interval, each node on its own', async () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(T0)
    const h = new Harness()
    const other = 'spBv1.0/millstream-sim/DDATA/line-2/M-9'
    h.send(DEVICE_TOPIC('DDATA'), ddata(1, [partCount(1)]))
    h.send(DEVICE_TOPIC('DDATA', 'M-8'), ddata(2, [partCount(1)]))
    h.send(other, ddata(1, [partCount(1)]))
    await settle()
    now.mockReturnValue(T0 + INTERVAL - 1)
    h.send(NODE_TOPIC('NDATA'), ddata(3, []))
    await settle()
    expect(h.published.map((p) => p.topic)).toEqual([
      REBIRTH_TOPIC,
      'spBv1.0/millstream-sim/NCMD/line-2',
    ])
    expect(h.rebirths.map(([, sent]) => sent)).toEqual([true, false, true, false])
    now.mockReturnValue(T0 + INTERVAL)
    h.send(DEVICE_TOPIC('DDATA'), ddata(4, [partCount(1)]))
    await settle()
    expect(h.published.map((p) => p.topic)).toEqual([
      REBIRTH_TOPIC,
      'spBv1.0/millstream-sim/NCMD/line-2',
      REBIRTH_TOPIC,
    ])
    // Every one of them was dead-lettered all the same.
    expect(h.letters).toHaveLength(5)
  })

  it('asks again at once when a rebirth request was not sent', async () => {
    jest.spyOn(Date, 'now').mockReturnValue(T0)
    const h = new Harness()
    h.publish.mockRejectedValueOnce(new Error('broker did not take it'))
    h.send(DEVICE_TOPIC('DDATA'), ddata(1, [partCount(1)]))
    await settle()
    h.send(DEVICE_TOPIC('DDATA'), ddata(2, [partCount(1)]))
    await settle()
    expect(h.publish).toHaveBeenCalledTimes(2)
    expect(h.rebirths).toEqual([['before-birth', true]])
  })

  // A metric time no date can hold (here nanoseconds since the epoch, an edge misconfigured):
  // the reading is kept at the message's own time, and the message is acknowledged.
  it('takes a reading whose metric time is out of range at the message time, and acks it', async () => {
    const h = new Harness()
    await h.bornNode()
    const m = h.send(
      DEVICE_TOPIC('DDATA'),
      ddata(2, [metric(undefined, 'Double', 61, { alias: 6, timestamp: 1.7e18 })]),
    )
    await settle()
    h.ackAll()
    expect(h.letters).toHaveLength(0)
    const telemetry = h
      .inputs()
      .filter((i) => i.topic.endsWith('/telemetry'))
      .at(-1)
    const at = telemetry && (JSON.parse(telemetry.payload) as { at: string }).at
    expect(at && Number.isNaN(Date.parse(at))).toBe(false)
    expect(m.acks).toBe(1)
  })
})

describe('SparkplugHost: after a restart', () => {
  it('counts parts from the counter baselines the machine state recalls', async () => {
    const h = new Harness()
    h.recall.mockResolvedValue({
      metrics: { 'Production.PartCount': 10 },
      lastPartId: 5,
      lastOrder: 9,
    })
    await h.bornNode(13)
    expect(h.recall).toHaveBeenCalledWith('M-7')
    const production = h.inputs().filter((i) => i.topic === 'plant/machines/M-7/production')
    expect(production).toHaveLength(3)
    expectContract(h.inputs())
    h.send(DEVICE_TOPIC('DDATA'), ddata(2, [partCount(14)]))
    await settle()
    // Read once per machine, the first time it is seen.
    expect(h.recall.mock.calls.filter(([id]) => id === 'M-7')).toHaveLength(1)
    expect(kinds(h).filter((t) => t.endsWith('/production'))).toHaveLength(4)
  })

  it('takes the recalled part id and order when the message names none', async () => {
    const h = new Harness()
    h.recall.mockResolvedValue({
      metrics: { 'Production.PartCount': 10 },
      lastPartId: 31,
      lastOrder: 4,
    })
    h.send(NODE_TOPIC('NBIRTH'), nbirth())
    h.send(DEVICE_TOPIC('DBIRTH'), {
      seq: 1,
      timestamp: T0,
      metrics: [metric('Production/PartCount', 'UInt64', 12, { alias: 2 })],
    })
    await settle()
    expect(h.bodies().filter((b) => 'partId' in b)).toEqual([
      expect.objectContaining({ partId: 31, order: 4 }),
      expect.objectContaining({ partId: 31, order: 4 }),
    ])
  })

  it('takes the first counter value as the baseline of a machine never seen', async () => {
    const h = new Harness()
    await h.bornNode(13)
    expect(h.recall).toHaveBeenCalledWith('M-7')
    expect(kinds(h).filter((t) => t.endsWith('/production'))).toEqual([])
  })

  it('gives a message seen again by a fresh host, with the same recall, the same message ids', async () => {
    const ids = async () => {
      const h = new Harness()
      h.recall.mockResolvedValue({
        metrics: { 'Production.PartCount': 10 },
        lastPartId: 5,
        lastOrder: 9,
      })
      await h.bornNode(13)
      return h.bodies().map((b) => b.messageId)
    }
    const first = await ids()
    expect(first).toHaveLength(5)
    expect(new Set(first).size).toBe(5)
    expect(await ids()).toEqual(first)
  })
})

describe('SparkplugHost: deaths', () => {
  it('sets every machine of a dead node that has a state metric offline', async () => {
    const h = new Harness()
    await h.bornNode(10, ['M-7', 'M-8'])
    const before = h.derived.length
    const m = h.send(NODE_TOPIC('NDEATH'), { metrics: [metric('bdSeq', 'UInt64', 0)] }, T0 + 9000)
    await settle()
    expect(h.inputs(before)).toEqual([
      {
        topic: 'plant/machines/M-7/status',
        payload: expect.any(String),
      },
      {
        topic: 'plant/machines/M-8/status',
        payload: expect.any(String),
      },
    ])
    for (const b of h.bodies(before))
      expect(b).toEqual({
        state: 'offline',
        at: new Date(T0 + 9000).toISOString(),
        reason: 'NDEATH of its edge node',
        messageId: expect.any(String),
      })
    expect(new Set(h.bodies(before).map((b) => b.messageId)).size).toBe(2)
    expectContract(h.inputs(before))
    expect(m.acks).toBe(0)
    h.ackAll()
    expect(m.acks).toBe(1)
    expect(h.host.onlineNodes()).toBe(0)
  })

  it('ignores an NDEATH of an earlier session: nothing derived, acked', async () => {
    const h = new Harness()
    await h.bornNode()
    const before = h.derived.length
    const m = h.send(NODE_TOPIC('NDEATH'), { metrics: [metric('bdSeq', 'UInt64', 7)] })
    await settle()
    expect(h.derived.length).toBe(before)
    expect(m.acks).toBe(1)
    expect(h.letters).toEqual([])
    expect(h.host.onlineNodes()).toBe(1)
  })

  it('sets a dead device offline, and only it', async () => {
    const h = new Harness()
    await h.bornNode(10, ['M-7', 'M-8'])
    const before = h.derived.length
    h.send(DEVICE_TOPIC('DDEATH', 'M-8'), { timestamp: T0 + 50, seq: 3, metrics: [] })
    await settle()
    expect(h.inputs(before).map((i) => i.topic)).toEqual(['plant/machines/M-8/status'])
    expect(h.bodies(before)[0]).toMatchObject({ state: 'offline', reason: 'DDEATH' })
    expectContract(h.inputs(before))
  })

  it('sets no telemetry-only machine offline (it has no state from Sparkplug)', async () => {
    const h = new Harness(mappingOf({}))
    await h.bornNode()
    const before = h.derived.length
    const m = h.send(NODE_TOPIC('NDEATH'), { metrics: [metric('bdSeq', 'UInt64', 0)] })
    await settle()
    expect(h.derived.length).toBe(before)
    expect(m.acks).toBe(1)
  })
})

describe('SparkplugHost: host and command messages', () => {
  it('acks STATE messages and derives nothing from them', async () => {
    const h = new Harness()
    const m = h.send('spBv1.0/STATE/other-host', Buffer.from('{"online":true,"timestamp":1}'))
    await settle()
    expect(m.acks).toBe(1)
    expect(h.derived).toEqual([])
    expect(h.letters).toEqual([])
    expect(h.published).toEqual([])
  })

  it('acks NCMD and DCMD (commands to the edge) and derives nothing', async () => {
    const h = new Harness()
    await h.bornNode()
    const before = h.derived.length
    const cmd = { timestamp: T0, metrics: [metric('Node Control/Rebirth', 'Boolean', true)] }
    const a = h.send(NODE_TOPIC('NCMD'), cmd)
    const b = h.send(DEVICE_TOPIC('DCMD'), cmd)
    await settle()
    expect([a.acks, b.acks]).toEqual([1, 1])
    expect(h.derived.length).toBe(before)
    expect(h.letters).toEqual([])
  })

  it('reads the real simulator file the same way for any of its edge nodes', async () => {
    const h = new Harness()
    h.send('spBv1.0/millstream-sim/NBIRTH/line-2', nbirth())
    h.send('spBv1.0/millstream-sim/DBIRTH/line-2/M-12', dbirth(1))
    await settle()
    expect(kinds(h)).toEqual(['plant/machines/M-12/status', 'plant/machines/M-12/telemetry'])
  })
})
