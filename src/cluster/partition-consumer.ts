import type {
  Consumer,
  ConsumerConfig,
  ConsumerCrashEvent,
  ConsumerEvents,
  ConsumerGroupJoinEvent,
  EachBatchPayload,
  KafkaMessage,
} from 'kafkajs'
import type { InputOrigin } from '../actors/ports.js'
import type { PartitionClaims } from './partition-claims-port.js'
import type { Logger } from '../logger.js'
import { withTimeout } from '../deadline.js'
import { sleep } from '../abortable-sleep.js'
import { ensureTopic, type TopicAdmin } from '../publish/kafka-client.js'
import type { InboundMessage } from '../streams/inbound.js'
import type { Handlers, Processed } from '../streams/pipeline.js'
import type { IngestRecordCodec } from './ingest-record.js'
import type { PartitionLedger } from './partition-ledger.js'
import type { PartitionCheckpoint } from '../journal/resume-points.js'

const JOIN_RETRY_MIN_MS = 500
const JOIN_RETRY_MAX_MS = 5000

export type PartitionConsumerOptions = {
  /** `{prefix}.ingest`. */
  topic: string
  groupId: string
  partitions: number
  replicationFactor: number
  sessionTimeoutMs: number
  /** How often resume points of idle partitions are stored. */
  storeEveryMs: number
}

/** What the partition consumer uses of a kafkajs group member. */
export type GroupMember = Pick<
  Consumer,
  | 'connect'
  | 'disconnect'
  | 'subscribe'
  | 'run'
  | 'seek'
  | 'pause'
  | 'resume'
  | 'commitOffsets'
  | 'events'
> & {
  on(
    eventName: ConsumerEvents['GROUP_JOIN'],
    listener: (event: ConsumerGroupJoinEvent) => void,
  ): void
  on(eventName: ConsumerEvents['CRASH'], listener: (event: ConsumerCrashEvent) => void): void
}

/** What the partition consumer uses of a kafkajs client: a group member, and an admin. */
export type GroupClient = {
  consumer(config: ConsumerConfig): GroupMember
  admin(): TopicAdmin
}

/** What the consumer tells about its work (metrics). */
export type ConsumerObserver = {
  owned(partitions: number[]): void
  rebalanced(): void
  fenced(count: number): void
  lag(partition: number, records: number): void
}

/** The group's view of a change of assignment, before the new partitions are read. */
export type Reassignment = {
  /** Partitions held before and after: their entities' state stays valid. */
  kept: ReadonlySet<number>
}

/**
 * The process role's input: a Kafka consumer group on the ingest topic. The partitions the
 * group assigns this instance are the entities it hosts. On each assignment it claims the new
 * partitions in PostgreSQL (bumping their epoch, which fences whoever held them) and reads
 * each from the resume point stored there, with the events of the records before it; Kafka's
 * own committed offsets are only advice. A partition's batch is settled in full (committed or
 * dead-lettered) before the next one is taken and before a rebalance goes on, so a partition
 * given up has no work left in flight.
 */
export class PartitionConsumer {
  private readonly consumer: GroupMember
  private claims = new Map<number, Promise<void>>()
  private sought = new Set<number>()
  private joined = false
  private storeTimer: NodeJS.Timeout | undefined
  private storing: Promise<void> = Promise.resolve()
  private joining: Promise<void> = Promise.resolve()
  /** Counts assignments, so a claim of an older one does not hold partitions given up since. */
  private generation = 0
  private readonly stopped = new AbortController()

  constructor(
    private readonly kafka: GroupClient,
    private readonly codec: IngestRecordCodec,
    private readonly store: PartitionClaims,
    private readonly ledger: PartitionLedger,
    private readonly options: PartitionConsumerOptions,
    private readonly work: {
      settle: (message: InboundMessage) => Promise<Processed>
      deadLetter: Handlers['deadLetter']
      /** Told before the records of new partitions are read: drop what may be stale. */
      reassigned: (change: Reassignment) => void
    },
    private readonly observer: ConsumerObserver,
    private readonly log: Logger,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 5)),
      rebalanceTimeout: 60_000,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
      // A partition's batch is settled whole before the next: this bounds the work in flight.
      maxBytesPerPartition: 256 * 1024,
      maxBytes: 4 * 1024 * 1024,
      // Past these, kafkajs restarts the consumer itself (and `join` retries its first start).
      retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 5000 },
    })
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) =>
      this.assigned(payload.memberAssignment[options.topic] ?? []),
    )
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) =>
      this.log.error({ err: payload.error, restart: payload.restart }, 'consumer crashed'),
    )
  }

  /** Joins the group and starts reading (the topic is created if missing), in the background. */
  start(): Promise<void> {
    this.storeTimer = setInterval(() => {
      this.storing = this.storing.then(() => this.storeIdle())
    }, this.options.storeEveryMs)
    // In the background: without Kafka the instance runs and says it is not ready.
    this.joining = this.join()
    return Promise.resolve()
  }

  /** Connects and joins the group, trying again until it can or the consumer stops. */
  private async join(): Promise<void> {
    let delay = JOIN_RETRY_MIN_MS
    while (!this.stopped.signal.aborted) {
      try {
        await ensureTopic(this.kafka, this.options.topic, this.options, this.log)
        await this.consumer.connect()
        await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true })
        await this.consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: this.options.partitions,
          eachBatch: (payload) => this.batch(payload),
        })
        return
      } catch (err) {
        this.log.warn({ err, retryMs: delay }, 'cannot join the consumer group; retrying')
        await this.consumer.disconnect().catch(() => undefined)
        await sleep(delay, this.stopped.signal).catch(() => undefined)
        delay = Math.min(delay * 2, JOIN_RETRY_MAX_MS)
      }
    }
  }

  /** Whether it is in the group, and the partitions it holds. */
  status(): { joined: boolean; partitions: number[] } {
    return { joined: this.joined, partitions: this.ledger.partitions() }
  }

  /** Leaves the group once the batches at work are settled, storing their resume points. */
  async stop(): Promise<void> {
    clearInterval(this.storeTimer)
    this.stopped.abort(new Error('stopped'))
    // A join stuck on an unreachable Kafka is not waited for long.
    await withTimeout(this.joining, 5000).catch(() => undefined)
    await this.consumer.disconnect()
    await this.storing
    await this.storeIdle()
    this.joined = false
  }

  private assigned(partitions: number[]): void {
    this.joined = true
    this.observer.rebalanced()
    const now = new Set(partitions)
    const before = this.ledger.partitions()
    const kept = new Set(before.filter((p) => now.has(p)))
    const gained = partitions.filter((p) => !kept.has(p))
    const lost = before.filter((p) => !now.has(p))
    // What was settled in the partitions given up is stored before they go.
    const last = this.ledger.unstored().filter((c) => lost.includes(c.partition))
    for (const p of lost) this.ledger.release(p)
    for (const p of gained) this.sought.delete(p)
    this.work.reassigned({ kept })
    this.storing = this.storing.then(() => this.storeChecked(last))
    const generation = ++this.generation
    const claimed = this.claim(gained, generation).then(() => {
      this.observer.owned(this.ledger.partitions())
      this.log.info({ gained, lost, held: this.ledger.partitions() }, 'partitions assigned')
      if (gained.length > 0)
        this.consumer.resume([{ topic: this.options.topic, partitions: gained }])
    })
    this.claims = new Map([
      ...partitions
        .filter((p) => kept.has(p))
        .map((p): [number, Promise<void>] => [p, Promise.resolve()]),
      ...gained.map((p): [number, Promise<void>] => [p, claimed]),
    ])
    this.observer.owned(this.ledger.partitions())
  }

  /** Claims `partitions` in PostgreSQL, trying again until it can or the group moves on. */
  private async claim(partitions: number[], generation: number): Promise<void> {
    while (generation === this.generation && !this.stopped.signal.aborted) {
      try {
        const claims = await this.store.claim(partitions)
        if (generation !== this.generation) return
        for (const c of claims) this.ledger.hold(c.partition, c.epoch, c.nextOffset)
        return
      } catch (err) {
        this.log.error({ err, partitions }, 'claim of partitions failed; trying again')
        await sleep(JOIN_RETRY_MAX_MS, this.stopped.signal).catch(() => undefined)
      }
    }
  }

  private async batch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload
    const partition = batch.partition
    // The group's generation the batch is read under: a rebalance may come while it runs.
    const generation = this.generation
    const claim = this.claims.get(partition)
    if (!claim) return
    await claim
    if (!this.ledger.holds(partition)) return
    const resume = this.ledger.resumePoint(partition)
    const first = Number(batch.firstOffset() ?? batch.lastOffset())
    if (resume !== undefined && first > resume && !this.sought.has(partition)) {
      // Kafka's committed offset is ahead of what PostgreSQL holds: read from there instead.
      this.sought.add(partition)
      this.consumer.seek({ topic: this.options.topic, partition, offset: String(resume) })
      return
    }
    const records = batch.messages.filter((m) => resume === undefined || Number(m.offset) >= resume)
    if (records.length > 0) {
      const origins = this.ledger.begin(
        partition,
        records.map((m) => Number(m.offset)),
      ) as InputOrigin[]
      // Rebalance news is for later: this batch is finished first.
      const beat = setInterval(() => void payload.heartbeat().catch(() => undefined), 1000)
      let results: Processed['outcome'][]
      try {
        results = await Promise.all(records.map((m, i) => this.take(m, origins[i] as InputOrigin)))
      } finally {
        clearInterval(beat)
      }
      const fenced = results.filter((r) => r === 'fenced').length
      if (fenced > 0) return this.lose(partition, fenced, generation)
      if (results.includes('unacknowledged')) {
        // Neither committed nor dead-lettered (the database is gone): read again from there.
        throw new Error(`records of partition ${partition} could not be stored; reading again`)
      }
    }
    payload.resolveOffset(batch.lastOffset())
    this.observer.lag(
      partition,
      Math.max(0, Number(batch.highWatermark) - Number(batch.lastOffset()) - 1),
    )
  }

  /** One record: decoded and settled; its origin marked settled once it is stored. */
  private async take(m: KafkaMessage, origin: InputOrigin): Promise<Processed['outcome']> {
    const settled = () => this.ledger.settle(origin)
    let message: InboundMessage
    try {
      const record = this.codec.decode(m.value ?? Buffer.alloc(0))
      message = { ...record, origin, ack: settled }
    } catch (err) {
      return this.refuse(m, origin, err as Error).then(
        () => {
          settled()
          return 'dead-lettered' as const
        },
        () => 'unacknowledged' as const,
      )
    }
    return (await this.work.settle(message)).outcome
  }

  /** A record on the ingest topic that is not an ingest record: a dead letter. */
  private refuse(m: KafkaMessage, origin: InputOrigin, err: Error): Promise<void> {
    return this.work.deadLetter({
      source: `${origin.topic}/${origin.partition}`,
      payload: m.value ?? Buffer.alloc(0),
      reason: `not a readable ingest record: ${err.message}`,
      idempotencyKey: `${origin.topic}/${origin.partition}/${origin.offset}`,
      receivedAt: Number(m.timestamp),
    })
  }

  /**
   * Another instance holds the partition now: stop reading it until the group says otherwise.
   * If the group already has (a rebalance while the refused batch ran, as when a paused
   * instance wakes and rejoins), it said so before the refusal: the partition is ours again in
   * the new generation, so it is claimed anew, else nothing would read it until the next one.
   */
  private lose(partition: number, fenced: number, batchGeneration: number): void {
    this.observer.fenced(fenced)
    this.ledger.release(partition)
    this.consumer.pause([{ topic: this.options.topic, partitions: [partition] }])
    this.observer.owned(this.ledger.partitions())
    this.log.warn(
      { partition, fenced },
      'partition taken by another instance; its commits were refused',
    )
    if (batchGeneration === this.generation || !this.claims.has(partition)) {
      this.claims.delete(partition)
      return
    }
    const generation = this.generation
    this.sought.delete(partition)
    this.claims.set(
      partition,
      this.claim([partition], generation).then(() => {
        if (generation !== this.generation || !this.ledger.holds(partition)) return
        this.observer.owned(this.ledger.partitions())
        this.log.info({ partition }, 'partition claimed again for the new generation')
        this.consumer.resume([{ topic: this.options.topic, partitions: [partition] }])
      }),
    )
  }

  private async storeIdle(): Promise<void> {
    await this.storeChecked(this.ledger.unstored())
  }

  private async storeChecked(checkpoints: PartitionCheckpoint[]): Promise<void> {
    if (checkpoints.length === 0) return
    try {
      const refused = await this.store.store(checkpoints)
      const refusedSet = new Set(refused.map((c) => c.partition))
      for (const c of checkpoints) if (!refusedSet.has(c.partition)) this.ledger.stored(c)
      if (refused.length > 0) this.observer.fenced(refused.length)
      // Kafka's offsets follow PostgreSQL's, as advice for tools that read the group.
      const advice = checkpoints.filter(
        (c) => !refusedSet.has(c.partition) && this.ledger.holds(c.partition),
      )
      if (advice.length > 0)
        await this.consumer
          .commitOffsets(
            advice.map((c) => ({
              topic: c.topic,
              partition: c.partition,
              offset: String(c.nextOffset),
            })),
          )
          .catch(() => undefined)
    } catch (err) {
      this.log.warn({ err }, 'storing resume points failed; trying again later')
    }
  }
}
