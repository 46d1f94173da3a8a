import type { Kafka } from 'kafkajs'
import { pino } from 'pino'
import { IngestBridge } from '../../../src/cluster/ingest-bridge'
import { IngestRecordCodec } from '../../../src/cluster/ingest-record'
import type { DeadLetter } from '../../../src/journal/dead-letters'
import type { InboundMessage } from '../../../src/streams/inbound'
import { tooLarge } from '../../doubles/refusing-publisher'

/** Records over this many bytes are refused by the topic, as a small `max.message.bytes` does. */
const TOPIC_LIMIT = 5000

/** Just enough of a kafkajs client for the bridge: a topic that refuses large records. */
function fakeKafka() {
  const written: Buffer[] = []
  let requests = 0
  const kafka = {
    admin: () => ({
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      listTopics: () => Promise.resolve(['p.ingest']),
    }),
    producer: () => ({
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      send: ({ messages }: { messages: { value: Buffer }[] }) => {
        requests += 1
        if (messages.some((m) => m.value.length > TOPIC_LIMIT)) return Promise.reject(tooLarge())
        written.push(...messages.map((m) => m.value))
        return Promise.resolve([])
      },
    }),
  } as unknown as Kafka
  return { kafka, written, requests: () => requests }
}

const message = (machine: string, bytes: number, acked: string[]): InboundMessage => ({
  topic: `p/machines/${machine}/production`,
  payload: Buffer.alloc(bytes, 'x'),
  receivedAt: 1_700_000_000_000,
  ack: () => void acked.push(machine),
})

describe('the ingest bridge with messages too large for the ingest topic', () => {
  it('dead-letters them, acknowledges every message and forwards the rest', async () => {
    const { kafka, written } = fakeKafka()
    const codec = new IngestRecordCodec()
    const letters: DeadLetter[] = []
    const bridge = new IngestBridge(
      kafka,
      codec,
      {
        topic: 'p.ingest',
        partitions: 1,
        replicationFactor: 1,
        mqttTopicPrefix: 'p',
        maxBatch: 100,
        maxMessageBytes: 100_000,
      },
      pino({ level: 'silent' }),
      () => undefined,
      (l) => Promise.resolve(void letters.push(l)),
    )
    const acked: string[] = []
    for (const [machine, bytes] of [
      ['a', 10],
      ['over-setting', 200_000],
      ['b', 10],
      ['over-topic', 10_000],
      ['c', 10],
    ] as const)
      bridge.forward(message(machine, bytes, acked))
    await bridge.stop(5000)
    expect(acked.sort()).toEqual(['a', 'b', 'c', 'over-setting', 'over-topic'])
    expect(written.map((v) => codec.decode(v).topic)).toEqual([
      'p/machines/a/production',
      'p/machines/b/production',
      'p/machines/c/production',
    ])
    expect(letters.map((l) => [l.source, l.payload.length])).toEqual([
      ['p/machines/over-setting/production', 200_000],
      ['p/machines/over-topic/production', 10_000],
    ])
    expect(letters[0]?.reason).toMatch(/too large for the ingest topic/)
    expect(letters[1]?.reason).toMatch(/MESSAGE_TOO_LARGE/)
  })

  it('splits a batch into requests under the size bound', async () => {
    const { kafka, written, requests } = fakeKafka()
    const bridge = new IngestBridge(
      kafka,
      new IngestRecordCodec(),
      {
        topic: 'p.ingest',
        partitions: 1,
        replicationFactor: 1,
        mqttTopicPrefix: 'p',
        maxBatch: 100,
        maxMessageBytes: 10_000,
      },
      pino({ level: 'silent' }),
      () => undefined,
      () => Promise.resolve(),
    )
    const acked: string[] = []
    for (let i = 0; i < 20; i++) bridge.forward(message(`m${i}`, 1000, acked))
    await bridge.stop(5000)
    expect(written).toHaveLength(20)
    // About 1.1 KB a record, at most 9 KB a request.
    expect(requests()).toBeGreaterThanOrEqual(3)
    expect(acked).toHaveLength(20)
  })
})
