import { createHash } from 'node:crypto'
import type { MachineView } from '../../src/read/machine-queries'
import { TestPublisher } from '../../harness/mqtt-publisher'
import { ServiceProcess } from '../../harness/service-process'
import {
  createTestDatabase,
  queryOnce,
  services,
  uniqueName,
  waitFor,
} from '../../harness/services'

const P = uniqueName('bad')
const now = '2024-03-01T08:00:00.000Z'
const prod = (extra: Record<string, unknown> = {}) => ({
  timeOfProduction: now,
  order: 1,
  partId: 1,
  ...extra,
})
const json = (v: unknown) => JSON.stringify(v)

/** [case, topic, payload, expected reason]: every one must end in dead letters with that reason. */
const CORPUS: [string, string, string | Buffer, RegExp][] = [
  ['not JSON', `${P}/machines/m1/production`, 'hello', /not UTF-8 JSON/],
  ['truncated JSON', `${P}/machines/m1/production`, '{"order": 1', /not UTF-8 JSON/],
  ['empty payload', `${P}/machines/m1/production`, '', /not UTF-8 JSON/],
  ['a JSON array', `${P}/machines/m1/production`, '[1,2,3]', /JSON object/],
  ['a JSON string', `${P}/machines/m1/production`, '"text"', /JSON object/],
  ['JSON null', `${P}/machines/m1/production`, 'null', /JSON object/],
  [
    'invalid UTF-8',
    `${P}/machines/m1/production`,
    Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
    /UTF-8/,
  ],
  [
    'missing partId',
    `${P}/machines/m1/production`,
    json({ timeOfProduction: now, order: 1 }),
    /partId/,
  ],
  [
    'missing order',
    `${P}/machines/m1/production`,
    json({ timeOfProduction: now, partId: 1 }),
    /order/,
  ],
  [
    'missing timeOfProduction',
    `${P}/machines/m1/production`,
    json({ order: 1, partId: 1 }),
    /timeOfProduction/,
  ],
  [
    'order not an integer',
    `${P}/machines/m1/production`,
    json(prod({ order: 2.5 })),
    /order: must be an integer/,
  ],
  ['order a string', `${P}/machines/m1/production`, json(prod({ order: '2' })), /order/],
  ['negative partId', `${P}/machines/m1/production`, json(prod({ partId: -1 })), /partId/],
  ['var5 not a boolean', `${P}/machines/m1/production`, json(prod({ var5: 'yes' })), /var5/],
  ['var1 not a number', `${P}/machines/m1/production`, json(prod({ var1: 'x' })), /var1/],
  ['an unknown field', `${P}/machines/m1/production`, json(prod({ colour: 'red' })), /colour/],
  [
    'a date without zone',
    `${P}/machines/m1/production`,
    json(prod({ timeOfProduction: '2024-03-01T08:00:00' })),
    /timeOfProduction/,
  ],
  [
    'an impossible date',
    `${P}/machines/m1/production`,
    json(prod({ timeOfProduction: '2024-13-45T99:00:00Z' })),
    /timeOfProduction/,
  ],
  [
    'topic/body machine mismatch',
    `${P}/machines/m1/production`,
    json(prod({ machineId: 'm2' })),
    /does not match/,
  ],
  ['legacy without machineId', 'supply-chain', json(prod()), /machineId/],
  [
    'unknown status state',
    `${P}/machines/m1/status`,
    json({ state: 'sleeping', at: now }),
    /state/,
  ],
  ['status without time', `${P}/machines/m1/status`, json({ state: 'running' }), /at/],
  [
    'telemetry with no metrics',
    `${P}/machines/m1/telemetry`,
    json({ at: now, metrics: {} }),
    /at least one metric/,
  ],
  [
    'telemetry with a text reading',
    `${P}/machines/m1/telemetry`,
    json({ at: now, metrics: { temp: 'hot' } }),
    /metrics/,
  ],
  [
    'negative default price',
    `${P}/parts/7/info`,
    json({ defaultPrice: -1, timeToProduce: 10 }),
    /defaultPrice/,
  ],
  [
    'zero time to produce',
    `${P}/parts/7/info`,
    json({ defaultPrice: 1, timeToProduce: 0 }),
    /timeToProduce/,
  ],
  [
    'duplicate materials',
    `${P}/parts/7/info`,
    json({ defaultPrice: 1, timeToProduce: 5, materials: ['a', 'a'] }),
    /unique/,
  ],
  [
    'part id not a number',
    `${P}/parts/seven/info`,
    json({ defaultPrice: 1, timeToProduce: 5 }),
    /unknown topic/,
  ],
  [
    'negative material price',
    `${P}/materials/steel`,
    json({ name: 'Steel', price: -3, date: now }),
    /price/,
  ],
  ['material without name', `${P}/materials/steel`, json({ price: 3, date: now }), /name/],
  ['unknown message type', `${P}/machines/m1/vibration`, json({ at: now }), /unknown topic/],
  ['unknown entity', `${P}/ovens/1/heat`, json({ at: now }), /unknown topic/],
  [
    'oversize payload',
    `${P}/machines/m1/production`,
    json(prod({ var2: 'x'.repeat(70_000) })),
    /too large/,
  ],
]

describe('a corpus of bad inputs interleaved with good ones', () => {
  it('dead-letters each bad input with its reason, keeps the service up, and processes every good one', async () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(30)
    const databaseUrl = await createTestDatabase()
    const service = await ServiceProcess.start({
      DATABASE_URL: databaseUrl,
      MQTT_URL: services().mqttUrl,
      MQTT_TOPIC_PREFIX: P,
      MQTT_CLIENT_ID: uniqueName('ms-bad-'),
    })
    const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
    try {
      const messages = CORPUS.flatMap(([, topic, payload], i) => [
        { topic, payload },
        {
          topic: `${P}/machines/good/production`,
          payload: json(prod({ order: i + 1, messageId: `good-${i}` })),
        },
      ])
      // The same good message again: it must count once.
      messages.push({
        topic: `${P}/machines/good/production`,
        payload: json(prod({ order: 1, messageId: 'good-0' })),
      })
      await publisher.publishAll(messages)

      const letters = await waitFor('every bad input dead-lettered', async () => {
        const rows = await queryOnce<{
          source: string
          reason: string
          payload: Buffer
          size: number
          sha256: string
        }>(
          databaseUrl,
          `SELECT source, reason, payload, payload_size::int AS size, payload_sha256 AS sha256
             FROM dead_letters ORDER BY id`,
        )
        return rows.length >= CORPUS.length ? rows : undefined
      })
      expect(letters).toHaveLength(CORPUS.length)
      CORPUS.forEach(([name, topic, payload, reason], i) => {
        const letter = letters[i]
        expect({ name, source: letter?.source, reason: letter?.reason }).toEqual({
          name,
          source: topic,
          reason: expect.stringMatching(reason),
        })
        // Each letter keeps the input's first 4096 bytes, and its size and digest.
        const input = Buffer.isBuffer(payload) ? payload : Buffer.from(payload)
        expect(letter?.payload.equals(input.subarray(0, 4096))).toBe(true)
        expect({ size: letter?.size, sha256: letter?.sha256 }).toEqual({
          size: input.length,
          sha256: createHash('sha256').update(input).digest('hex'),
        })
      })

      const machine = await waitFor('every good message processed', async () => {
        const { status, body } = await service.get<MachineView>('/api/v1/machines/good')
        return status === 200 && body.produced === CORPUS.length ? body : undefined
      })
      expect(machine.lastOrder).toBe(CORPUS.length)
      const api = await service.get<{
        items: { reason: string; payloadSize: number; payloadTruncated: boolean }[]
      }>('/api/v1/dead-letters?limit=500')
      expect(api.body.items).toHaveLength(CORPUS.length)
      expect(api.body.items.find((l) => /too large/.test(l.reason))).toMatchObject({
        payloadTruncated: true,
      })
      expect(service.running()).toBe(true)
    } finally {
      await publisher.close()
      await service.kill('SIGTERM')
    }
  })
})
