import { Partitioners, type ICustomPartitioner } from 'kafkajs'

/** Keys remembered per topic before the memo starts over (entity ids: machines, parts, ...). */
const MAX_KEYS = 100_000

/**
 * kafkajs's default partitioner, remembering each key's partition. For a keyed record it is
 * murmur2(key) modulo the topic's partition count, so the answer for a key never changes while
 * the count stays; but it also filters the topic's partitions for the available ones on every
 * call: a tenth of the relay thread at full rate. Records without a key, or with a partition,
 * go to the default partitioner as before.
 */
export const keyMemoPartitioner: ICustomPartitioner = () => {
  const partition = Partitioners.DefaultPartitioner()
  const memo = new Map<string, { partitions: number; byKey: Map<string, number> }>()
  return (args) => {
    const { topic, partitionMetadata, message } = args
    const key = message.key
    if (typeof key !== 'string' || (message.partition !== undefined && message.partition !== null))
      return partition(args)
    let known = memo.get(topic)
    if (!known || known.partitions !== partitionMetadata.length || known.byKey.size >= MAX_KEYS) {
      known = { partitions: partitionMetadata.length, byKey: new Map() }
      memo.set(topic, known)
    }
    let p = known.byKey.get(key)
    if (p === undefined) {
      p = partition(args)
      known.byKey.set(key, p)
    }
    return p
  }
}
