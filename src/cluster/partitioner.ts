import { Partitioners } from 'kafkajs'

/**
 * The partition Kafka's default (Java-compatible murmur2) partitioner gives a key among
 * `partitions`: where the ingest role puts an entity's messages, and so which process
 * instance hosts the entity.
 */
export function partitionOf(key: string, partitions: number): number {
  const metadata = PARTITION_METADATA.get(partitions) ?? metadataOf(partitions)
  return PARTITIONER({ topic: '', partitionMetadata: metadata, message: { key, value: null } })
}

const PARTITIONER = Partitioners.DefaultPartitioner()
const PARTITION_METADATA = new Map<number, ReturnType<typeof metadataOf>>()

function metadataOf(partitions: number) {
  const metadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
    offlineReplicas: [],
  }))
  PARTITION_METADATA.set(partitions, metadata)
  return metadata
}
