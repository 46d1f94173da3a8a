import { randomUUID } from 'node:crypto'
import type { Pool } from 'pg'
import { pino } from 'pino'
import type { EntityWrite, InputOrigin } from '../../src/actors/ports'
import type { MachineMetricsRecorded } from '../../src/domain/events'
import { commitWrites } from '../../src/journal/commit-writes'
import type { ResumePoints } from '../../src/journal/resume-points'
import { ensurePartitions } from '../../src/journal/log-partitions'
import { migrate } from '../../src/journal/migrate'
import { PgPartitionClaims } from '../../src/journal/partition-claims'
import { createPool } from '../../src/journal/pool'
import { createTestDatabase, waitFor } from '../../harness/services'

const log = pino({ level: 'silent' })

/** A metrics event of machine `id` at `sequence` (the smallest event a machine has). */
function metrics(id: string, sequence: number): MachineMetricsRecorded {
  return {
    eventId: randomUUID(),
    type: 'MachineMetricsRecorded',
    key: id,
    sequence,
    occurredAt: 1_700_000_000_000 + sequence,
    recordedAt: 1_700_000_000_000 + sequence,
    machineId: id,
    metrics: { spindleTemp: sequence },
  }
}

/** A machine write of `inputs` (key → how many events it caused), numbering events from `from`. */
function write(id: string, inputs: [string, number][], from = 1): EntityWrite {
  const total = inputs.reduce((n, [, count]) => n + count, 0)
  return {
    entityType: 'machine',
    entityId: id,
    inputs: inputs.map(([idempotencyKey, eventCount]) => ({ idempotencyKey, eventCount })),
    events: Array.from({ length: total }, (_, n) => metrics(id, from + n)),
    projection: undefined,
    snapshot: undefined,
    partTallies: [],
  }
}

describe('the group commit statement', () => {
  let pool: Pool
  beforeAll(async () => {
    pool = createPool(await createTestDatabase(), log, 2)
    await migrate(pool, log)
    await ensurePartitions(pool, 86_400_000, Date.now())
  })
  afterAll(() => pool.end())

  const rows = async (id: string) =>
    (
      await pool.query<{ sequence: string; idempotency_key: string | null }>(
        `SELECT sequence, idempotency_key FROM event_log WHERE entity_id = $1 ORDER BY sequence`,
        [id],
      )
    ).rows.map((r) => [Number(r.sequence), r.idempotency_key])
  const claims = async (id: string) =>
    (
      await pool.query<{ idempotency_key: string }>(
        `SELECT idempotency_key FROM processed_inputs WHERE entity_id = $1 ORDER BY 1`,
        [id],
      )
    ).rows.map((r) => r.idempotency_key)

  it('keeps the key of an input on its first event, and claims event-less inputs apart', async () => {
    const outcomes = await commitWrites(pool, [
      write('m1', [
        ['a', 2],
        ['b', 0],
        ['c', 1],
      ]),
      write('m2', [['a', 1]]),
    ])
    expect(outcomes).toEqual(['applied', 'applied'])
    expect(await rows('m1')).toEqual([
      [1, 'a'],
      [2, null],
      [3, 'c'],
    ])
    expect(await claims('m1')).toEqual(['b'])
    // The same key on another entity is another input.
    expect(await rows('m2')).toEqual([[1, 'a']])
  })

  it('refuses a whole write if any of its keys was committed, wherever the key is kept', async () => {
    await commitWrites(pool, [write('m3', [['x', 1]]), write('m4', [['y', 0]])])
    const outcomes = await commitWrites(pool, [
      write(
        'm3',
        [
          ['new-1', 1],
          ['x', 1],
        ],
        2,
      ), // known on an event row
      write('m4', [
        ['new-2', 1],
        ['y', 1],
      ]), // known in processed_inputs
      write('m5', [['z', 1]]), // new: applies beside the duplicates
    ])
    expect(outcomes).toEqual(['duplicate', 'duplicate', 'applied'])
    expect(await rows('m3')).toEqual([[1, 'x']])
    expect(await rows('m4')).toEqual([])
    expect(await claims('m4')).toEqual(['y'])
    expect(await rows('m5')).toEqual([[1, 'z']])
  })

  it('knows keys claimed in processed_inputs before keys moved onto events', async () => {
    await pool.query(
      `INSERT INTO processed_inputs (entity_type, entity_id, idempotency_key) VALUES ('machine', 'm6', 'old')`,
    )
    expect(await commitWrites(pool, [write('m6', [['old', 1]])])).toEqual(['duplicate'])
    expect(await rows('m6')).toEqual([])
  })

  it('refuses a write whose inputs do not account for its events', async () => {
    const write_ = { ...write('m8', [['k', 1]]), events: [metrics('m8', 1), metrics('m8', 2)] }
    await expect(commitWrites(pool, [write_])).rejects.toThrow(/2 events, inputs caused 1/)
    expect(await rows('m8')).toEqual([])
  })

  it('counts every committed input once in committed_inputs', async () => {
    await commitWrites(pool, [
      write('m7', [
        ['p', 3],
        ['q', 0],
        ['r', 1],
      ]),
    ])
    await commitWrites(pool, [write('m7', [['q', 0]], 5)])
    const { rows: counted } = await pool.query<{ idempotency_key: string }>(
      `SELECT idempotency_key FROM committed_inputs WHERE entity_id = 'm7' ORDER BY 1`,
    )
    expect(counted.map((r) => r.idempotency_key)).toEqual(['p', 'q', 'r'])
  })
})

describe('the fence of a commit by the epoch of its partitions', () => {
  let url: string
  let pool: Pool
  beforeAll(async () => {
    url = await createTestDatabase()
    pool = createPool(url, log, 4)
    await migrate(pool, log)
    await ensurePartitions(pool, 86_400_000, Date.now())
  })
  afterAll(() => pool.end())

  let topic = ''
  let n = 0
  beforeEach(() => {
    // One ingest topic per test, so each starts with no partition claimed.
    topic = `ingest-${++n}`
  })
  const claimsBy = (owner: string) => new PgPartitionClaims(pool, topic, owner, log)
  const origin = (partition: number, epoch: number, offset: number): InputOrigin => ({
    topic,
    partition,
    epoch,
    offset,
  })
  /** A write of `id` whose one input (`eventCount` events from `sequence`) was read at `from`. */
  const readWrite = (
    id: string,
    key: string,
    eventCount: number,
    from?: InputOrigin,
    sequence = 1,
  ) => {
    const w = write(id, [[key, eventCount]], sequence)
    return { ...w, inputs: w.inputs.map((i) => (from ? { ...i, origin: from } : i)) }
  }
  /** Each partition and epoch among the origins resumes past the highest of their offsets. */
  const pastHighest: ResumePoints = (origins) => {
    const next = new Map<string, InputOrigin>()
    for (const o of origins) {
      const k = `${o.partition}:${o.epoch}`
      const seen = next.get(k)
      if (!seen || o.offset > seen.offset) next.set(k, o)
    }
    return [...next.values()].map((o) => ({
      topic: o.topic,
      partition: o.partition,
      epoch: o.epoch,
      nextOffset: o.offset + 1,
    }))
  }
  const nextOffset = async (partition: number) =>
    (
      await pool.query<{ next_offset: number }>(
        'SELECT next_offset FROM ingest_offsets WHERE topic = $1 AND partition = $2',
        [topic, partition],
      )
    ).rows[0]?.next_offset
  const eventCount = async (id: string) =>
    Number(
      (
        await pool.query<{ n: string }>(
          'SELECT count(*) AS n FROM event_log WHERE entity_id = $1',
          [id],
        )
      ).rows[0]?.n,
    )
  const claimed = async (id: string) =>
    (
      await pool.query<{ idempotency_key: string }>(
        'SELECT idempotency_key FROM processed_inputs WHERE entity_id = $1 ORDER BY 1',
        [id],
      )
    ).rows.map((r) => r.idempotency_key)

  it('applies a write read under the current epoch and stores the resume point with it', async () => {
    const [claim] = await claimsBy('a').claim([0])
    expect(claim).toEqual({ partition: 0, epoch: 1, nextOffset: undefined })
    const outcomes = await commitWrites(
      pool,
      [readWrite('f1', 'k1', 1, origin(0, 1, 5)), readWrite('f1b', 'k2', 0, origin(0, 1, 6))],
      { resumePoints: pastHighest },
    )
    expect(outcomes).toEqual(['applied', 'applied'])
    expect(await eventCount('f1')).toBe(1)
    expect(await claimed('f1b')).toEqual(['k2'])
    expect(await nextOffset(0)).toBe(7)
  })

  it('never moves a stored resume point back', async () => {
    await claimsBy('a').claim([0])
    await commitWrites(pool, [readWrite('f2', 'k1', 1, origin(0, 1, 9))], {
      resumePoints: pastHighest,
    })
    expect(await nextOffset(0)).toBe(10)
    const late = await commitWrites(pool, [readWrite('f2', 'k0', 1, origin(0, 1, 3), 2)], {
      resumePoints: pastHighest,
    })
    expect(late).toEqual(['applied'])
    expect(await nextOffset(0)).toBe(10)
  })

  it('commits nothing of a write read under an epoch another claim has moved past', async () => {
    await claimsBy('a').claim([1])
    await commitWrites(pool, [readWrite('f3', 'k1', 1, origin(1, 1, 0))], {
      resumePoints: pastHighest,
    })
    expect(await nextOffset(1)).toBe(1)
    const [taken] = await claimsBy('b').claim([1])
    expect(taken).toEqual({ partition: 1, epoch: 2, nextOffset: 1 })

    const outcomes = await commitWrites(
      pool,
      [readWrite('f3', 'k2', 1, origin(1, 1, 1)), readWrite('f3b', 'k3', 0, origin(1, 1, 2))],
      { resumePoints: pastHighest },
    )
    expect(outcomes).toEqual(['fenced', 'fenced'])
    expect(await eventCount('f3')).toBe(1)
    expect(await claimed('f3b')).toEqual([])
    expect(await nextOffset(1)).toBe(1)
    // Refused, not recorded: the new holder commits the same inputs.
    const again = await commitWrites(
      pool,
      [readWrite('f3', 'k2', 1, origin(1, 2, 1), 2), readWrite('f3b', 'k3', 0, origin(1, 2, 2))],
      { resumePoints: pastHighest },
    )
    expect(again).toEqual(['applied', 'applied'])
    expect(await claimed('f3b')).toEqual(['k3'])
    expect(await nextOffset(1)).toBe(3)
  })

  it('applies, beside a fenced write, writes from no partition and from a partition held', async () => {
    await claimsBy('a').claim([2, 3])
    await claimsBy('b').claim([2])
    const outcomes = await commitWrites(
      pool,
      [
        readWrite('f4', 'k1', 1, origin(2, 1, 7)), // partition 2 is b's now
        readWrite('f5', 'k1', 1), // read from no partition
        readWrite('f6', 'k1', 1, origin(3, 1, 4)), // partition 3 is still a's
        readWrite('f7', 'k1', 1, origin(2, 2, 8)), // b's, under b's epoch
      ],
      { resumePoints: pastHighest },
    )
    expect(outcomes).toEqual(['fenced', 'applied', 'applied', 'applied'])
    expect(await Promise.all(['f4', 'f5', 'f6', 'f7'].map(eventCount))).toEqual([0, 1, 1, 1])
    expect(await nextOffset(2)).toBe(9)
    expect(await nextOffset(3)).toBe(5)
  })

  it('fences a write with inputs of two partitions as a whole when one is stale', async () => {
    await claimsBy('a').claim([4, 5])
    await claimsBy('b').claim([5])
    const w = write('f8', [
      ['k1', 1],
      ['k2', 1],
    ])
    const mixed = {
      ...w,
      inputs: [
        { ...w.inputs[0], origin: origin(4, 1, 0) },
        { ...w.inputs[1], origin: origin(5, 1, 0) },
      ] as EntityWrite['inputs'],
    }
    expect(await commitWrites(pool, [mixed], { resumePoints: pastHighest })).toEqual(['fenced'])
    expect(await eventCount('f8')).toBe(0)
  })

  it('moves no resume point of a held partition whose write was fenced', async () => {
    await claimsBy('a').claim([4, 5])
    await claimsBy('b').claim([5])
    const w = write('f10', [
      ['k1', 1],
      ['k2', 1],
    ])
    const mixed = {
      ...w,
      inputs: [
        { ...w.inputs[0], origin: origin(4, 1, 0) },
        { ...w.inputs[1], origin: origin(5, 1, 0) },
      ] as EntityWrite['inputs'],
    }
    expect(await commitWrites(pool, [mixed], { resumePoints: pastHighest })).toEqual(['fenced'])
    // The record at offset 0 of partition 4 was not committed: partition 4 must resume there.
    expect(await nextOffset(4)).toBeUndefined()
  })

  it('stores resume points on their own only under the current epoch, returning the refused', async () => {
    await claimsBy('a').claim([0, 1])
    const b = claimsBy('b')
    await b.claim([1])
    const refused = await claimsBy('a').store([
      { topic, partition: 0, epoch: 1, nextOffset: 40 },
      { topic, partition: 1, epoch: 1, nextOffset: 50 },
    ])
    expect(refused).toEqual([{ topic, partition: 1, epoch: 1, nextOffset: 50 }])
    expect(await nextOffset(0)).toBe(40)
    expect(await nextOffset(1)).toBeUndefined()
    expect(await b.store([{ topic, partition: 1, epoch: 2, nextOffset: 12 }])).toEqual([])
    expect(await nextOffset(1)).toBe(12)
    // Never back.
    expect(await b.store([{ topic, partition: 1, epoch: 2, nextOffset: 11 }])).toEqual([])
    expect(await nextOffset(1)).toBe(12)
    expect(await b.store([])).toEqual([])
  })

  it('bumps the epoch on every claim and returns where each partition resumes', async () => {
    const a = claimsBy('a')
    expect(await a.claim([])).toEqual([])
    expect(await a.claim([3, 1])).toEqual(
      expect.arrayContaining([
        { partition: 1, epoch: 1, nextOffset: undefined },
        { partition: 3, epoch: 1, nextOffset: undefined },
      ]),
    )
    await a.store([{ topic, partition: 3, epoch: 1, nextOffset: 77 }])
    const again = await claimsBy('b').claim([1, 3])
    expect(again).toHaveLength(2)
    expect(again).toEqual(
      expect.arrayContaining([
        { partition: 1, epoch: 2, nextOffset: undefined },
        { partition: 3, epoch: 2, nextOffset: 77 },
      ]),
    )
    const owners = await pool.query<{ partition: number; owner: string }>(
      'SELECT partition, owner FROM ingest_partitions WHERE topic = $1 ORDER BY partition',
      [topic],
    )
    expect(owners.rows).toEqual([
      { partition: 1, owner: 'b' },
      { partition: 3, owner: 'b' },
    ])
  })

  it('makes a claim wait for a commit past the epoch check, and resume after it', async () => {
    await claimsBy('a').claim([6])
    // One connection: the commit below runs inside the transaction opened on it.
    const single = createPool(url, log, 1)
    try {
      await single.query('BEGIN')
      const outcomes = await commitWrites(single, [readWrite('f9', 'k1', 1, origin(6, 1, 20))], {
        resumePoints: pastHighest,
      })
      expect(outcomes).toEqual(['applied'])
      let done = false
      const claim = claimsBy('b')
        .claim([6])
        .finally(() => (done = true))
      // The bump of the epoch waits on the commit's share lock.
      await waitFor(
        'the claim to wait for the lock',
        async () => {
          const r = await pool.query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'
                AND query LIKE 'INSERT INTO ingest_partitions%'`,
          )
          return Number(r.rows[0]?.n) > 0 ? true : undefined
        },
        10_000,
        50,
      )
      expect(done).toBe(false)
      await single.query('COMMIT')
      expect(await claim).toEqual([{ partition: 6, epoch: 2, nextOffset: 21 }])
    } finally {
      await single.query('ROLLBACK').catch(() => undefined)
      await single.end()
    }
    expect(await eventCount('f9')).toBe(1)
  })
})
