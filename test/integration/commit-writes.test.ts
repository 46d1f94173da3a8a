import { randomUUID } from 'node:crypto'
import type { Pool } from 'pg'
import { pino } from 'pino'
import type { EntityWrite } from '../../src/actors/ports'
import type { MachineMetricsRecorded } from '../../src/domain/events'
import { commitWrites } from '../../src/journal/commit-writes'
import { migrate } from '../../src/journal/migrate'
import { createPool } from '../../src/journal/pool'
import { createTestDatabase } from '../../harness/services'

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
