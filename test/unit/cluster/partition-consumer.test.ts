import { pino } from 'pino'
import type { PartitionClaims } from '../../../src/cluster/partition-claims-port'
import { PartitionConsumer, type ConsumerObserver } from '../../../src/cluster/partition-consumer'
import { IngestRecordCodec } from '../../../src/cluster/ingest-record'
import { PartitionLedger } from '../../../src/cluster/partition-ledger'
import type { PartitionClaim } from '../../../src/journal/partition-claims'
import type { PartitionCheckpoint } from '../../../src/journal/resume-points'
import type { InboundMessage } from '../../../src/streams/inbound'
import type { Processed } from '../../../src/streams/pipeline'
import { waitFor } from '../../../harness/services'
import { GroupMemberDouble, groupClient } from '../../doubles/kafka-group-double'

const log = pino({ level: 'silent' })
const TOPIC = 'plant.ingest'
const codec = new IngestRecordCodec()

/** Epochs and resume points as PostgreSQL keeps them; every store is recorded. */
class ClaimsDouble implements PartitionClaims {
  readonly stores: PartitionCheckpoint[][] = []
  claimed: number[][] = []
  constructor(private readonly resumeAt: Record<number, number | undefined> = {}) {}
  claim(partitions: number[]): Promise<PartitionClaim[]> {
    this.claimed.push(partitions)
    return Promise.resolve(
      partitions.map((partition) => ({
        partition,
        epoch: 1,
        nextOffset: this.resumeAt[partition],
      })),
    )
  }
  store(checkpoints: PartitionCheckpoint[]): Promise<PartitionCheckpoint[]> {
    this.stores.push(checkpoints)
    return Promise.resolve([])
  }
  /** The resume points stored for `partition`, in order. */
  storedFor(partition: number): number[] {
    return this.stores
      .flat()
      .filter((c) => c.partition === partition)
      .map((c) => c.nextOffset)
  }
}

const record = (machine: string) =>
  codec.encode({
    topic: `plant/machines/${machine}/metrics`,
    payload: Buffer.from('{}'),
    receivedAt: 1_700_000_000_000,
    bridgedBy: 'test',
  })

describe('the partition consumer', () => {
  let member: GroupMemberDouble
  let claims: ClaimsDouble
  let consumer: PartitionConsumer | undefined
  let settled: InboundMessage[]
  let letters: string[]
  let fenced: number
  let settle: (m: InboundMessage) => Promise<Processed['outcome']>

  beforeEach(() => {
    member = new GroupMemberDouble(TOPIC)
    settled = []
    letters = []
    fenced = 0
    settle = (m) => {
      m.ack()
      return Promise.resolve('applied')
    }
  })
  afterEach(async () => {
    await consumer?.stop()
    consumer = undefined
  })

  const start = async (resumeAt: Record<number, number | undefined> = {}) => {
    claims = new ClaimsDouble(resumeAt)
    const observer: ConsumerObserver = {
      owned: () => undefined,
      rebalanced: () => undefined,
      fenced: (n) => void (fenced += n),
      lag: () => undefined,
    }
    const c = new PartitionConsumer(
      groupClient(member),
      codec,
      claims,
      new PartitionLedger(TOPIC),
      {
        topic: TOPIC,
        groupId: 'process',
        partitions: 2,
        replicationFactor: 1,
        sessionTimeoutMs: 10_000,
        storeEveryMs: 60_000,
      },
      {
        settle: async (message) => {
          settled.push(message)
          return { message, outcome: await settle(message) }
        },
        deadLetter: (letter) => {
          letters.push(letter.idempotencyKey)
          return Promise.resolve()
        },
        reassigned: () => undefined,
      },
      observer,
      log,
    )
    await c.start()
    consumer = c
    await until('the consumer running', () => member.running)
    return c
  }
  const until = (what: string, check: () => boolean) =>
    waitFor(what, () => Promise.resolve(check() || undefined), 5000, 5)
  const offsets = () => settled.map((m) => m.origin?.offset)

  it('claims what the group assigns, resumes it, and reads from the stored resume point', async () => {
    const c = await start({ 0: 3 })
    member.assign([0, 1])
    await until('both partitions resumed', () => member.flow.length === 2)
    expect(claims.claimed).toEqual([[0, 1]])
    expect(member.flow).toEqual(['resume 0', 'resume 1'])
    expect(c.status()).toEqual({ joined: true, partitions: [0, 1] })

    // Kafka hands records from 1: those below the stored resume point are already applied.
    const outcome = await member.deliver(0, 1, ['a', 'b', 'c', 'd'].map(record))
    expect(outcome).toEqual({ resolved: ['4'], error: undefined })
    expect(offsets()).toEqual([3, 4])
    expect(settled.map((m) => m.origin?.epoch)).toEqual([1, 1])
  })

  it('seeks back to the stored resume point when Kafka’s offset is ahead of it', async () => {
    await start({ 0: 3 })
    member.assign([0])
    await until('the partition resumed', () => member.flow.length === 1)
    const outcome = await member.deliver(0, 7, [record('a')])
    expect(member.seeks).toEqual([{ topic: TOPIC, partition: 0, offset: '3' }])
    expect(outcome.resolved).toEqual([])
    expect(settled).toEqual([])
  })

  it('stores no resume point past what was settled when the partition is taken away mid batch', async () => {
    await start({ 0: 0 })
    member.assign([0])
    await until('the partition resumed', () => member.flow.length === 1)
    const held: InboundMessage[] = []
    let release = () => undefined as void
    const released = new Promise<void>((resolve) => (release = resolve))
    settle = async (m) => {
      held.push(m)
      await released
      return 'applied'
    }
    const batch = member.deliver(0, 0, ['a', 'b', 'c', 'd'].map(record))
    await until('the batch at work', () => held.length === 4)
    held[0]?.ack()
    held[1]?.ack()
    held[3]?.ack() // settled, but after one that is not: the partition resumes at 2
    member.assign([1])
    await until('the settled part stored', () => claims.storedFor(0).length === 1)
    expect(claims.storedFor(0)).toEqual([2])
    held[2]?.ack()
    release()
    await batch
    await consumer?.stop()
    consumer = undefined
    expect(claims.storedFor(0)).toEqual([2])
    const advice = member.committed.flat().filter((c) => c.partition === 0)
    expect(advice.every((c) => Number(c.offset) <= 2)).toBe(true)
  })

  it('pauses and gives up a partition whose commits another instance refuses', async () => {
    const c = await start({ 0: 0 })
    member.assign([0, 1])
    await until('both partitions resumed', () => member.flow.length === 2)
    settle = () => Promise.resolve('fenced')
    const outcome = await member.deliver(0, 0, [record('a'), record('b')])
    expect(outcome.resolved).toEqual([])
    expect(member.flow.at(-1)).toBe('pause 0')
    expect(fenced).toBe(2)
    expect(c.status().partitions).toEqual([1])
  })

  it('dead-letters a record that is not an ingest record and reads on past it', async () => {
    await start({ 0: 0 })
    member.assign([0])
    await until('the partition resumed', () => member.flow.length === 1)
    const outcome = await member.deliver(0, 0, [record('a'), Buffer.from('poison'), record('b')])
    expect(outcome).toEqual({ resolved: ['2'], error: undefined })
    expect(letters).toEqual([`${TOPIC}/0/1`])
    expect(offsets()).toEqual([0, 2])
    await consumer?.stop()
    consumer = undefined
    expect(claims.storedFor(0)).toEqual([3])
  })

  it('reads a batch again when its records can be neither committed nor dead-lettered', async () => {
    await start({ 0: 0 })
    member.assign([0])
    await until('the partition resumed', () => member.flow.length === 1)
    settle = () => Promise.resolve('unacknowledged')
    const outcome = await member.deliver(0, 0, [record('a')])
    expect(outcome.error).toBeInstanceOf(Error)
    expect(outcome.resolved).toEqual([])
    await consumer?.stop()
    consumer = undefined
    expect(claims.storedFor(0)).toEqual([])
  })

  it('stops by storing the settled resume points and leaving the group', async () => {
    await start({ 0: 5 })
    member.assign([0])
    await until('the partition resumed', () => member.flow.length === 1)
    await member.deliver(0, 5, [record('a'), record('b')])
    expect(claims.storedFor(0)).toEqual([])
    await consumer?.stop()
    consumer = undefined
    expect(claims.storedFor(0)).toEqual([7])
    expect(member.committed.flat()).toEqual([{ topic: TOPIC, partition: 0, offset: '7' }])
    expect(member.connected).toBe(false)
  })
})
