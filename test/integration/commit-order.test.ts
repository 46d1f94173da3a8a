import { randomUUID } from 'node:crypto'
import pg, { type Pool } from 'pg'
import { pino } from 'pino'
import { ensurePartitions } from '../../src/journal/log-partitions'
import { migrate } from '../../src/journal/migrate'
import { namedParams } from '../../src/journal/named-params'
import { createPool } from '../../src/journal/pool'
import { PgOutbox, type OutboxCursor } from '../../src/publish/outbox'
import { CommittedSeriesEvents } from '../../src/series/committed-events'
import { createTestDatabase } from '../../harness/services'

const log = pino({ level: 'silent' })

const INSERT = namedParams('eventId', 'machineId', 'sequence', 'payload')

/**
 * Readers of the event log follow it in commit order: a position is taken at insert, before
 * commit, so a transaction holding a lower position may commit after one holding a higher
 * position. The readers must neither return the later position nor move their cursor past
 * the earlier one while it is uncommitted; both come once it commits, in commit order.
 */
describe('the commit-order reader', () => {
  let url: string
  let pool: Pool
  let outbox: PgOutbox
  let series: CommittedSeriesEvents
  const open: pg.Client[] = []

  beforeAll(async () => {
    url = await createTestDatabase()
    pool = createPool(url, log, 4)
    await migrate(pool, log)
    await ensurePartitions(pool, 86_400_000, Date.now())
    outbox = new PgOutbox(pool, 'commit-order')
    series = new CommittedSeriesEvents(pool, 5000)
  })
  afterEach(async () => {
    for (const c of open.splice(0)) await c.end()
    await pool.query('TRUNCATE event_log')
  })
  afterAll(() => pool.end())

  /** A connection of its own, so its transaction stays open while the reader reads. */
  const connection = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    open.push(client)
    return client
  }

  /** Inserts one machine event on `client`; its position. */
  const insert = async (client: pg.Client | Pool, machineId: string, sequence: number) => {
    const p = INSERT.placeholders
    const r = await client.query<{ position: string }>(
      `INSERT INTO event_log (event_id, entity_type, entity_id, sequence, type, occurred_at,
                              recorded_at, payload)
       VALUES (${p.eventId}, 'machine', ${p.machineId}, ${p.sequence}, 'MachineMetricsRecorded',
               now(), now(), ${p.payload}::json)
       RETURNING position`,
      INSERT.values({
        eventId: randomUUID(),
        machineId,
        sequence,
        payload: JSON.stringify({ machineId, metrics: { spindleTemp: sequence } }),
      }),
    )
    return Number(r.rows[0]?.position)
  }

  const START: OutboxCursor = { txId: '0', position: 0 }
  const machines = async (after: OutboxCursor) =>
    (await outbox.next(after, 100)).map((e) =>
      'machineId' in e.event ? e.event.machineId : e.event.key,
    )
  const seriesMachines = async (after: OutboxCursor) =>
    (await series.next(after, 100)).map((e) => e.event.machineId)

  it('does not return a later commit while an older transaction with a lower position is open', async () => {
    await insert(pool, 'before', 1)
    const a = await connection()
    const b = await connection()
    await a.query('BEGIN')
    const positionA = await insert(a, 'a', 1)
    await b.query('BEGIN')
    const positionB = await insert(b, 'b', 1)
    await b.query('COMMIT')
    expect(positionA).toBeLessThan(positionB)

    // Only what committed before A began: the cursor cannot pass A's place.
    const relayed = await outbox.next(START, 100)
    expect(relayed.map((e) => e.position)).not.toContain(positionB)
    expect(await machines(START)).toEqual(['before'])
    expect(await seriesMachines(START)).toEqual(['before'])
    const cursor = relayed.at(-1)
    expect(cursor).toBeDefined()
    expect(await machines(cursor as OutboxCursor)).toEqual([])

    await a.query('COMMIT')
    expect(await machines(cursor as OutboxCursor)).toEqual(['a', 'b'])
    expect(await seriesMachines(START)).toEqual(['before', 'a', 'b'])
  })

  it('reads a lower position committed after a higher one once the cursor has passed the higher', async () => {
    const a = await connection()
    const b = await connection()
    // B takes its transaction id first, A its position first: B commits before A, and is older.
    await b.query('BEGIN')
    await b.query('SELECT pg_current_xact_id()')
    await a.query('BEGIN')
    const positionA = await insert(a, 'a', 1)
    const positionB = await insert(b, 'b', 1)
    await b.query('COMMIT')
    expect(positionA).toBeLessThan(positionB)

    const first = await outbox.next(START, 100)
    expect(first.map((e) => e.position)).toEqual([positionB])
    const cursor = first[0] as OutboxCursor

    await a.query('COMMIT')
    const then = await outbox.next(cursor, 100)
    expect(then.map((e) => e.position)).toEqual([positionA])
    expect(await seriesMachines(START)).toEqual(['b', 'a'])
  })
})
