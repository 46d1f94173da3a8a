import type { Pool } from 'pg'
import { pino } from 'pino'
import { afterCursor, COMMITTED_BEFORE_ANY_RUNNING } from '../../src/journal/commit-order'
import { commitWrites } from '../../src/journal/commit-writes'
import { ensurePartitions, listPartitions } from '../../src/journal/log-partitions'
import { migrate } from '../../src/journal/migrate'
import { createPool } from '../../src/journal/pool'
import { createTestDatabase } from '../../harness/services'
import { sampleWrites } from '../unit/journal/sample-writes'

const log = pino({ level: 'silent' })
const DAY = 86_400_000
const DAYS = 8
const ROWS_PER_DAY = 20_000

type PlanNode = {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  'Subplans Removed'?: number
  Plans?: PlanNode[]
}

/** Every node of a plan, depth first. */
function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)]
}

/** The scans of partitions of `table` in a plan. */
const scansOf = (plan: PlanNode, table: string) =>
  nodes(plan).filter((n) => n['Relation Name']?.startsWith(`${table}_`))

/**
 * The scans of partitions that hold rows (the empty ones ahead have no statistics yet, and a
 * sequential scan of an empty table costs nothing).
 */
const scansWithRows = (plan: PlanNode, table: string, withRows: Set<string>) =>
  scansOf(plan, table).filter((n) => withRows.has(n['Relation Name'] ?? ''))

describe('the hot statements on a log of eight daily partitions', () => {
  let pool: Pool
  let withRows: Set<string>
  const now = Date.now()

  /**
   * The plan of a statement as the service sends it: with its values, unnamed, so PostgreSQL
   * plans it for those values (the relay's, the recovery's and the events route's statements are
   * sent so).
   */
  const explain = async (sql: string, values: unknown[] = []): Promise<PlanNode> => {
    const r = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (FORMAT JSON) ${sql}`,
      values,
    )
    return r.rows[0]!['QUERY PLAN'][0].Plan
  }

  beforeAll(async () => {
    pool = createPool(await createTestDatabase(), log, 2)
    await migrate(pool, log)
    // A fresh database's first partition holds all of the past (it is empty): days of their own instead.
    await pool.query('DROP TABLE event_log_before_partitions')
    for (let d = DAYS - 1; d >= 0; d--) await ensurePartitions(pool, DAY, now - d * DAY)
    // Every day's partition holds a day of events of 100 machines, each input's key on its event,
    // committed a thousand at a time as group commits do.
    const first = now - (DAYS - 1) * DAY - DAY / 2
    const step = ((DAYS - 1) * DAY + DAY / 2 - 1000) / (DAYS * ROWS_PER_DAY)
    for (let from = 0; from < DAYS * ROWS_PER_DAY; from += 1000)
      await pool.query(
        `INSERT INTO event_log (event_id, entity_type, entity_id, sequence, type, occurred_at, recorded_at, payload, idempotency_key)
         SELECT gen_random_uuid(), 'machine', 'm-' || (i % 100), i / 100 + 1, 'PartProduced', t, t, '{}', 'key-' || i
           FROM generate_series($1::int, $1::int + 999) i,
                LATERAL (SELECT ms_to_ts($2::float8 + i * $3::float8) AS t) at`,
        [from, first, step],
      )
    await pool.query('ANALYZE event_log')
    const held = await pool.query<{ name: string }>(
      'SELECT DISTINCT tableoid::regclass::text AS name FROM event_log',
    )
    withRows = new Set(held.rows.map((r) => r.name))
    expect(withRows.size).toBeGreaterThanOrEqual(DAYS)
  }, 180_000)
  afterAll(() => pool.end())

  it('has a partition a day, and some ahead', async () => {
    const partitions = await listPartitions(pool, 'event_log')
    expect(partitions.length).toBeGreaterThanOrEqual(DAYS + 3)
  })

  it('probes an input’s key only in the partitions of the idempotency window', async () => {
    // The commit statement itself, as the service sends it, on a generic plan.
    const sent: { text: string; values: unknown[] }[] = []
    const recorder = {
      query: (c: { text: string; values: unknown[] }) => {
        sent.push(c)
        return Promise.resolve({ rows: [] })
      },
    } as unknown as Pool
    await commitWrites(recorder, sampleWrites(), { dedupWindowMs: 2 * DAY })
    const { text, values } = sent[0]!
    const client = await pool.connect()
    try {
      await client.query('SET plan_cache_mode = force_generic_plan')
      const r = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>({
        text: `EXPLAIN (FORMAT JSON) ${text}`,
        values,
      })
      const plan = r.rows[0]!['QUERY PLAN'][0].Plan
      const probed = scansOf(plan, 'event_log')
        .filter((n) => /idempotency_key|by_input/.test(n['Index Name'] ?? ''))
        .map((n) => n['Relation Name'])
      // The partitions that hold keys of the last two days, and the empty ones ahead: no older one.
      const windowFrom = now - 2 * DAY
      const inWindow = (await listPartitions(pool, 'event_log'))
        .filter((p) => p.to > windowFrom - 60_000)
        .map((p) => p.name)
      expect(probed.length).toBeGreaterThanOrEqual(2)
      for (const name of probed) expect(inWindow).toContain(name)
      expect(probed.length).toBeLessThan((await listPartitions(pool, 'event_log')).length - 4)
    } finally {
      client.release(true)
    }
  })

  /** The relay's read (`PgOutbox.next`) from `behind` rows before the head. */
  const relayRead = async (behind: number) => {
    const at = await pool.query<{ tx_id: string; position: number }>(
      'SELECT tx_id::text AS tx_id, position FROM event_log ORDER BY tx_id DESC, position DESC OFFSET $1 LIMIT 1',
      [behind],
    )
    return explain(
      `SELECT tx_id::text AS "txId", position, payload FROM event_log
        WHERE ${afterCursor('$1', '$2')} AND ${COMMITTED_BEFORE_ANY_RUNNING}
        ORDER BY tx_id, position LIMIT 1000`,
      [at.rows[0]!.tx_id, at.rows[0]!.position],
    )
  }

  it('reads the log in commit order near the head through each partition’s commit index', async () => {
    // The few hundred rows after the cursor, found by index in each partition (sorting them is cheap).
    const scans = scansWithRows(await relayRead(500), 'event_log', withRows)
    expect(scans).toHaveLength(withRows.size)
    for (const scan of scans) expect(scan['Index Name']).toMatch(/tx_id_position/)
  })

  it.each([
    ['a day behind', ROWS_PER_DAY],
    ['a week behind', (DAYS - 1) * ROWS_PER_DAY],
  ])(
    'reads the log in commit order %s by merging each partition’s commit index, without a sort',
    async (_, behind) => {
      const plan = await relayRead(behind)
      const all = nodes(plan)
      expect(all.some((n) => n['Node Type'] === 'Merge Append')).toBe(true)
      expect(all.some((n) => n['Node Type'] === 'Sort')).toBe(false)
      for (const scan of scansOf(plan, 'event_log'))
        expect(scan['Index Name']).toMatch(/tx_id_position/)
    },
  )

  it('recovers an entity through each partition’s entity index', async () => {
    const plan = await explain(
      `SELECT payload FROM event_log WHERE entity_type = $1 AND entity_id = $2 AND sequence > $3 ORDER BY sequence`,
      ['machine', 'm-7', 1500],
    )
    const scans = scansWithRows(plan, 'event_log', withRows)
    expect(scans).toHaveLength(withRows.size)
    for (const scan of scans) expect(scan['Index Name']).toMatch(/entity_type_entity_id_sequence/)
  })

  it('streams /events in position order by merging each partition’s primary key', async () => {
    const plan = await explain(
      'SELECT payload::text FROM event_log ORDER BY position LIMIT $1',
      [100_000],
    )
    expect(nodes(plan).some((n) => n['Node Type'] === 'Merge Append')).toBe(true)
    expect(nodes(plan).some((n) => n['Node Type'] === 'Sort')).toBe(false)
  })
})
