import { Partitioners, type PartitionMetadata } from 'kafkajs'
import { keyMemoPartitioner } from '../../../src/publish/key-partitioner'

const partitions = (n: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    replicas: [0],
    isr: [0],
  }))

describe('the key-memo partitioner', () => {
  it('puts every keyed record where kafkajs puts it, also after the partition count changes', () => {
    const memo = keyMemoPartitioner()
    const reference = Partitioners.DefaultPartitioner()
    for (const n of [1, 3, 24, 25, 24]) {
      const metadata = partitions(n, n > 3 ? [1, 2] : [])
      for (let i = 0; i < 2000; i++) {
        const message = { key: i % 3 === 0 ? `machine-${i % 500}` : `ü-${i}-☃`, value: null }
        const args = { topic: 'bench.x.part-produced', partitionMetadata: metadata, message }
        // Twice: the second answer comes from the memo.
        expect(memo(args)).toBe(reference(args))
        expect(memo(args)).toBe(reference(args))
      }
    }
  })

  it('keeps topics apart and honours a record that names its partition', () => {
    const memo = keyMemoPartitioner()
    const a = {
      topic: 'a',
      partitionMetadata: partitions(24),
      message: { key: 'm-1', value: null },
    }
    const b = { topic: 'b', partitionMetadata: partitions(5), message: { key: 'm-1', value: null } }
    const reference = Partitioners.DefaultPartitioner()
    expect(memo(a)).toBe(reference(a))
    expect(memo(b)).toBe(reference(b))
    expect(memo({ ...a, message: { key: 'm-1', value: null, partition: 7 } })).toBe(7)
  })

  it('spreads records without a key over the available partitions, as kafkajs does', () => {
    const memo = keyMemoPartitioner()
    const seen = new Set<number>()
    for (let i = 0; i < 100; i++)
      seen.add(memo({ topic: 't', partitionMetadata: partitions(4, [3]), message: { value: 'x' } }))
    expect([...seen].sort()).toEqual([0, 1, 2])
  })
})
