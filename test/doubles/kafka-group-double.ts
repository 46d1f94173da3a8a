import type {
  ConsumerEvents,
  ConsumerRunConfig,
  EachBatchHandler,
  EachBatchPayload,
  ConsumerCrashEvent,
  ConsumerGroupJoinEvent,
  KafkaMessage,
  TopicPartitionOffset,
  TopicPartitionOffsetAndMetadata,
} from 'kafkajs'
import type { GroupClient, GroupMember } from '../../src/cluster/partition-consumer'
import type { TopicAdmin } from '../../src/publish/kafka-client'

/** Either event the consumer listens to: one value of both shapes serves each listener. */
type GroupEvent = ConsumerGroupJoinEvent & ConsumerCrashEvent
type Listener = (event: GroupEvent) => void

/** What one batch handed to the consumer came to. */
export type BatchOutcome = { resolved: string[]; error: unknown }

/**
 * A Kafka consumer group member as the partition consumer sees it: the test says when the
 * group assigns partitions and hands batches to `eachBatch` itself; what the consumer asks of
 * Kafka (pause, resume, seek, offsets committed) is recorded.
 */
export class GroupMemberDouble implements GroupMember {
  readonly events: ConsumerEvents = {
    HEARTBEAT: 'consumer.heartbeat',
    COMMIT_OFFSETS: 'consumer.commit_offsets',
    GROUP_JOIN: 'consumer.group_join',
    FETCH_START: 'consumer.fetch_start',
    FETCH: 'consumer.fetch',
    START_BATCH_PROCESS: 'consumer.start_batch_process',
    END_BATCH_PROCESS: 'consumer.end_batch_process',
    CONNECT: 'consumer.connect',
    DISCONNECT: 'consumer.disconnect',
    STOP: 'consumer.stop',
    CRASH: 'consumer.crash',
    REBALANCING: 'consumer.rebalancing',
    RECEIVED_UNSUBSCRIBED_TOPICS: 'consumer.received_unsubscribed_topics',
    REQUEST: 'consumer.network.request',
    REQUEST_TIMEOUT: 'consumer.network.request_timeout',
    REQUEST_QUEUE_SIZE: 'consumer.network.request_queue_size',
  }
  /** Pauses and resumes, in order: `pause 0`, `resume 1`. */
  readonly flow: string[] = []
  readonly seeks: TopicPartitionOffset[] = []
  readonly committed: TopicPartitionOffsetAndMetadata[][] = []
  connected = false
  running = false
  private eachBatch: EachBatchHandler | undefined
  private readonly listeners = new Map<string, Listener[]>()

  constructor(readonly topic: string) {}

  connect(): Promise<void> {
    this.connected = true
    return Promise.resolve()
  }

  disconnect(): Promise<void> {
    this.connected = false
    this.running = false
    return Promise.resolve()
  }

  subscribe(): Promise<void> {
    return Promise.resolve()
  }

  run(config?: ConsumerRunConfig): Promise<void> {
    this.eachBatch = config?.eachBatch
    this.running = true
    return Promise.resolve()
  }

  seek(offset: TopicPartitionOffset): void {
    this.seeks.push(offset)
  }

  pause(topics: { topic: string; partitions?: number[] }[]): void {
    for (const t of topics) for (const p of t.partitions ?? []) this.flow.push(`pause ${p}`)
  }

  resume(topics: { topic: string; partitions?: number[] }[]): void {
    for (const t of topics) for (const p of t.partitions ?? []) this.flow.push(`resume ${p}`)
  }

  commitOffsets(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    this.committed.push(offsets)
    return Promise.resolve()
  }

  on(eventName: string, listener: Listener): void {
    this.listeners.set(eventName, [...(this.listeners.get(eventName) ?? []), listener])
  }

  /** The group assigns this member `partitions` (a join after a rebalance). */
  assign(partitions: number[]): void {
    const event: GroupEvent = {
      id: String(Date.now()),
      type: this.events.GROUP_JOIN,
      timestamp: Date.now(),
      payload: {
        groupId: 'group',
        memberId: 'member',
        leaderId: 'member',
        isLeader: true,
        memberAssignment: { [this.topic]: partitions },
        groupProtocol: 'RoundRobinAssigner',
        duration: 1,
        error: new Error('not a crash'),
        restart: false,
      },
    }
    for (const l of this.listeners.get(this.events.GROUP_JOIN) ?? []) l(event)
  }

  /** Hands a batch of `values` at offsets from `firstOffset` to the consumer; what came of it. */
  async deliver(
    partition: number,
    firstOffset: number,
    values: Buffer[],
    highWatermark = firstOffset + values.length,
  ): Promise<BatchOutcome> {
    const eachBatch = this.eachBatch
    if (!eachBatch) throw new Error('the consumer is not running')
    const messages: KafkaMessage[] = values.map((value, i) => ({
      key: null,
      value,
      timestamp: String(Date.now()),
      attributes: 0,
      offset: String(firstOffset + i),
      headers: {},
    }))
    const last = String(firstOffset + values.length - 1)
    const resolved: string[] = []
    const payload: EachBatchPayload = {
      batch: {
        topic: this.topic,
        partition,
        highWatermark: String(highWatermark),
        messages,
        isEmpty: () => messages.length === 0,
        firstOffset: () => messages[0]?.offset ?? null,
        lastOffset: () => last,
        offsetLag: () => String(highWatermark - 1 - Number(last)),
        offsetLagLow: () => String(highWatermark - 1 - firstOffset),
      },
      resolveOffset: (offset) => void resolved.push(offset),
      heartbeat: () => Promise.resolve(),
      pause: () => () => undefined,
      commitOffsetsIfNecessary: () => Promise.resolve(),
      uncommittedOffsets: () => ({ topics: [] }),
      isRunning: () => this.running,
      isStale: () => false,
    }
    try {
      await eachBatch(payload)
      return { resolved, error: undefined }
    } catch (error) {
      return { resolved, error }
    }
  }
}

/** A Kafka client whose one consumer is `member` and whose topics all exist. */
export function groupClient(member: GroupMemberDouble): GroupClient {
  const admin: TopicAdmin = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    listTopics: () => Promise.resolve([member.topic]),
    createTopics: () => Promise.resolve(true),
  }
  return { consumer: () => member, admin: () => admin }
}
