import { createRequire } from 'node:module'
import { partitionOf } from '../../../src/cluster/partitioner'

/**
 * Kafka's `Utils.murmur2` (the Java client's default partitioner hashes keys with it), ported
 * line by line with 32-bit integer arithmetic.
 */
function javaMurmur2(key: string): number {
  const data = Buffer.from(key, 'utf8')
  const length = data.length
  const m = 0x5bd1e995
  let h = (0x9747b28c ^ length) | 0
  const length4 = length >> 2
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4
    let k = data.readInt32LE(i4)
    k = Math.imul(k, m)
    k ^= k >>> 24
    k = Math.imul(k, m)
    h = Math.imul(h, m)
    h ^= k
  }
  // The last one to three bytes, as the Java switch takes them (falling through).
  const tail = length & ~3
  const rest = length & 3
  if (rest >= 3) h ^= (data[tail + 2] as number) << 16
  if (rest >= 2) h ^= (data[tail + 1] as number) << 8
  if (rest >= 1) {
    h ^= data[tail] as number
    h = Math.imul(h, m)
  }
  h ^= h >>> 13
  h = Math.imul(h, m)
  h ^= h >>> 15
  return h | 0
}

/** The Java client's partition of a key: `Utils.toPositive(murmur2(key)) % numPartitions`. */
const javaPartition = (hash: number, partitions: number) => (hash & 0x7fffffff) % partitions

/** Hashes Kafka's own tests of `Utils.murmur2` expect. */
const JAVA_HASHES: [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
]

const KEYS = [
  '1',
  '7',
  '42',
  '1000',
  'm-1',
  'm-2',
  'm-17',
  'press-04',
  'lathe.3',
  'cell:7:a',
  'M_9',
  'steel',
  'aluminium-6061',
  'copper',
  'factory/machines/x/heat',
  'supply-chain',
  'a',
  'ab',
  'abcde',
  'x'.repeat(128),
]

describe('the partition of an entity on the ingest topic', () => {
  it('hashes as Kafka tests its murmur2', () => {
    for (const [key, hash] of JAVA_HASHES) expect(javaMurmur2(key)).toBe(hash)
  })

  it.each([24, 6, 7])(
    'is the partition the Java client gives Kafka test keys among %i partitions',
    (n) => {
      for (const [key, hash] of JAVA_HASHES)
        expect(partitionOf(key, n)).toBe(javaPartition(hash, n))
    },
  )

  it.each([24, 12, 5])('is the Java client partition of entity ids among %i partitions', (n) => {
    const got = KEYS.map((key) => partitionOf(key, n))
    expect(got).toEqual(KEYS.map((key) => javaPartition(javaMurmur2(key), n)))
    // Not every key in one partition: the hash is used at all.
    expect(new Set(got).size).toBeGreaterThan(1)
  })

  it("agrees with kafkajs's murmur2 module used as the Java client does", () => {
    const murmur2 = createRequire(__filename)(
      'kafkajs/src/producer/partitioners/default/murmur2',
    ) as (key: string) => number
    for (const key of KEYS) {
      expect(murmur2(key)).toBe(javaMurmur2(key))
      expect(partitionOf(key, 24)).toBe((murmur2(key) & 0x7fffffff) % 24)
    }
  })

  it('is the same every time, whichever partition counts were asked in between', () => {
    const first = KEYS.map((key) => partitionOf(key, 24))
    KEYS.forEach((key) => partitionOf(key, 12))
    expect(KEYS.map((key) => partitionOf(key, 24))).toEqual(first)
  })

  it('is within range', () => {
    const outside: [string, number, number][] = []
    for (const n of [1, 2, 3, 24, 100])
      for (let i = 0; i < 200; i++) {
        const p = partitionOf(`m-${i}`, n)
        if (!Number.isInteger(p) || p < 0 || p >= n) outside.push([`m-${i}`, n, p])
      }
    expect(outside).toEqual([])
  })

  it('spreads 1,000 machines over 24 partitions, none empty and none with twice its share', () => {
    const counts = new Array<number>(24).fill(0)
    for (let i = 0; i < 1000; i++) {
      const p = partitionOf(`m-${i}`, 24)
      counts[p] = (counts[p] ?? 0) + 1
    }
    expect(counts.every((c) => c > 0)).toBe(true)
    expect(Math.max(...counts)).toBeLessThan((2 * 1000) / 24)
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1000)
  })
})
