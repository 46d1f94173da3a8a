import { pino } from 'pino'
import type { BoundName } from '../../../src/domain/bounds'
import { Mapping } from '../../../src/sparkplug/mapping'
import { SparkplugHost, type SparkplugHostPorts } from '../../../src/sparkplug/sparkplug-host'
import { encode, metric } from './support'

type Letter = Parameters<SparkplugHostPorts['deadLetter']>[0]

const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r))
}

function host(options: { maxPayloadBytes?: number; rebirthRate?: number }) {
  const letters: Letter[] = []
  const published: string[] = []
  const bounds: BoundName[] = []
  const h = new SparkplugHost(
    Mapping.EMPTY,
    {
      recall: () => Promise.resolve(undefined),
      deadLetter: (l) => {
        letters.push(l)
        return Promise.resolve()
      },
      publish: (topic) => {
        published.push(topic)
        return Promise.resolve()
      },
      born: () => Promise.resolve(),
    },
    {
      topicPrefix: 'plant',
      rebirthIntervalMs: 60_000,
      deadlineMs: 1000,
      log: pino({ level: 'silent' }),
      onBound: (b) => void bounds.push(b),
      ...options,
    },
  )
  h.inputs().subscribe(() => undefined)
  const receive = (topic: string, payload: Buffer) =>
    h.receive({ topic, payload, receivedAt: Date.now(), ack: () => undefined })
  return { h, letters, published, bounds, receive }
}

const ndata = encode({ seq: 1, metrics: [metric('Speed', 'Double', 1)] })

describe('SparkplugHost: bounds', () => {
  it('dead-letters a payload over MAX_PAYLOAD_BYTES before decoding it', async () => {
    const t = host({ maxPayloadBytes: 64 })
    const big = encode({
      seq: 0,
      metrics: [metric('bdSeq', 'UInt64', 0), metric('Label', 'String', 'x'.repeat(100))],
    })
    t.receive('spBv1.0/g/NBIRTH/n1', big)
    await settle()
    expect(t.letters.map((l) => l.reason)).toEqual([
      expect.stringMatching(/NBIRTH: payload of \d+ bytes exceeds MAX_PAYLOAD_BYTES \(64\)/),
    ])
    expect(t.bounds).toEqual(['sparkplug-payload-bytes'])
    expect(t.h.onlineNodes()).toBe(0)
  })

  it('sends rebirth requests to many unknown nodes at no more than the overall rate', async () => {
    const t = host({ rebirthRate: 5 })
    for (let i = 0; i < 50; i++) t.receive(`spBv1.0/g/NDATA/n${i}`, ndata)
    await settle()
    // Every message is a dead letter; at most the burst of requests is sent at once.
    expect(t.letters).toHaveLength(50)
    expect(t.published).toHaveLength(5)
    expect(t.bounds.filter((b) => b === 'sparkplug-rebirth-rate')).toHaveLength(45)
  })
})
