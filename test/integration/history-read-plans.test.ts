import type { Pool } from 'pg'
import { pino } from 'pino'
import { ensurePartitions } from '../../src/journal/log-partitions'
import { migrate } from '../../src/journal/migrate'
import { createPool } from '../../src/journal/pool'
import { eventQuerySql } from '../../src/read/event-query-sql'
import type { EventQuery } from '../../src/read/ports'
import { createTestDatabase } from '../../harness/services'

const log = pino({ level: 'silent' })
const DAY = 86_400_000
const DAYS = 3
const ROWS = 200_000
/** The service's default cap on the rows of one answer: part of every statement it sends. */
const MAX_ROWS = 100_000

type PlanNode = {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  'Index Cond'?: string
  Plans?: PlanNode[]
}

/** Every node of a plan, depth first. */
const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)]

describe('the history reads on a log of 200,000 events', () => {
  let pool: Pool
  let withRows: Set<string>
  const now = Date.now()

  /** The plan of the statement the service sends for `query`, with its values (a custom plan). */
  const planOf = async (query: EventQuery & { afterPosition?: number }): Promise<PlanNode> => {
    const { sql, params } = eventQuerySql(query, MAX_ROWS)
    const r = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (FORMAT JSON) ${sql}`,
      params,
    )
    return r.rows[0]!['QUERY PLAN'][0].Plan
  }

  beforeAll(async () => {
    pool = createPool(await createTestDatabase(), log, 2)
    await migrate(pool, log)
    await pool.query('DROP TABLE event_log_before_partitions')
    // Made by the maintainer's code after the migration: they get the indexes as they attach.
    for (let d = DAYS - 1; d >= 0; d--) await ensurePartitions(pool, DAY, now - d * DAY)
    // 50 machines' production (80%: 500 parts, 2,000 orders, one in 50 damaged) and state
    // changes, over the last three days, as the service writes them.
    const first = now - DAYS * DAY + 60_000
    const step = (DAYS * DAY - 120_000) / ROWS
    await pool.query(
      `INSERT INTO event_log (event_id, entity_type, entity_id, sequence, type, occurred_at, recorded_at, payload)
       SELECT gen_random_uuid(), 'machine', 'm-' || (i % 50), i / 50 + 1, kind, t, t,
              CASE WHEN kind = 'PartProduced'
                THEN json_build_object('type', kind, 'key', 'm-' || (i % 50), 'machineId', 'm-' || (i % 50),
                       'partId', i % 500, 'order', i % 2000, 'damaged', i % 50 = 7)
                ELSE json_build_object('type', kind, 'key', 'm-' || (i % 50), 'state', 'running') END
         FROM generate_series(0, $1::int - 1) i,
              LATERAL (SELECT ms_to_ts($2::float8 + i * $3::float8) AS t,
                              CASE WHEN i % 5 = 4 THEN 'MachineStateChanged' ELSE 'PartProduced' END AS kind) x`,
      [ROWS, first, step],
    )
    await pool.query('ANALYZE event_log')
    const held = await pool.query<{ name: string }>(
      'SELECT DISTINCT tableoid::regclass::text AS name FROM event_log',
    )
    withRows = new Set(held.rows.map((r) => r.name))
    expect(withRows.size).toBeGreaterThanOrEqual(DAYS)
  }, 120_000)
  afterAll(() => pool.end())

  const hour = () => ({ from: now - 3_600_000, to: now })

  it.each<[string, () => EventQuery]>([
    ['/events?from=&to=', () => hour()],
    ['/events?key=', () => ({ key: 'm-7' })],
    ['/events?key=&type=', () => ({ key: 'm-7', types: ['MachineStateChanged'] })],
    ['/events?type=', () => ({ types: ['MachineStateChanged'] })],
    ['/events?type=A,B', () => ({ types: ['MachineStateChanged', 'PartProduced'] })],
    ['/events?type=&from=&to=', () => ({ types: ['MachineStateChanged'], ...hour() })],
    ['/events?limit=', () => ({ limit: 100 })],
    ['/production', () => ({ types: ['PartProduced'] })],
    ['/production?machineId=', () => ({ types: ['PartProduced'], key: 'm-3' })],
    ['/production?partId=', () => ({ types: ['PartProduced'], contains: { partId: 42 } })],
    ['/production?order=', () => ({ types: ['PartProduced'], contains: { order: 17 } })],
    ['/production?damaged=true', () => ({ types: ['PartProduced'], contains: { damaged: true } })],
    [
      '/production?damaged=false',
      () => ({ types: ['PartProduced'], contains: { damaged: false } }),
    ],
    ['/production?from=&to=', () => ({ types: ['PartProduced'], ...hour() })],
    [
      '/production?machineId=&partId=&from=',
      () => ({ types: ['PartProduced'], key: 'm-3', contains: { partId: 3 }, from: now - DAY }),
    ],
  ])('reads %s by index, never a sequential scan of a partition', async (_, query) => {
    const plan = await planOf(query())
    const scans = nodes(plan).filter((n) => withRows.has(n['Relation Name'] ?? ''))
    expect(scans.length).toBeGreaterThan(0)
    expect(scans.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([])
  })

  it.each<[string, EventQuery, RegExp]>([
    ['/events?key=', { key: 'm-7' }, /entity_id = /],
    ['/production?partId=', { types: ['PartProduced'], contains: { partId: 42 } }, /'partId'/],
    ['/production?order=', { types: ['PartProduced'], contains: { order: 17 } }, /'order'/],
    [
      '/production?damaged=true',
      { types: ['PartProduced'], contains: { damaged: true } },
      /'damaged'.*'true'/,
    ],
  ])('reads the selective filter %s through its own index', async (_, query, condition) => {
    const plan = nodes(await planOf(query))
    const indexScans = plan.filter((n) => n['Index Name']?.startsWith('event_log_p'))
    const held = [...withRows].map((name) => `${name}_`)
    const onRows = indexScans.filter((n) => held.some((h) => n['Index Name']?.startsWith(h)))
    expect(onRows.length).toBeGreaterThanOrEqual(withRows.size)
    for (const scan of onRows) expect(scan['Index Cond']).toMatch(condition)
  })

  it('goes on after an event by its position, by index', async () => {
    const plan = await planOf({
      types: ['PartProduced'],
      contains: { partId: 42 },
      afterPosition: 150_000,
    })
    const scans = nodes(plan).filter((n) => withRows.has(n['Relation Name'] ?? ''))
    expect(scans.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([])
  })

  it('finds an event’s position by its id through each partition’s event id key', async () => {
    const r = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (FORMAT JSON) SELECT position FROM event_log WHERE event_id = $1::uuid LIMIT 1`,
      ['00000000-0000-4000-8000-000000000000'],
    )
    const scans = nodes(r.rows[0]!['QUERY PLAN'][0].Plan).filter((n) =>
      withRows.has(n['Relation Name'] ?? ''),
    )
    expect(scans.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([])
  })
})
