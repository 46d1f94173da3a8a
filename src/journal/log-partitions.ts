import type { Pool, PoolClient } from 'pg'
import { inBoundedTransaction } from './transaction.js'

/** A pool or one of its connections. */
export type Queryable = Pick<PoolClient, 'query'>

/** The tables partitioned by time, each by the column that says when its row was written. */
export const TIME_PARTITIONED = {
  event_log: 'recorded_at',
  processed_inputs: 'processed_at',
} as const
export type TimePartitionedTable = keyof typeof TIME_PARTITIONED

/** One partition and the times it holds, `[from, to)` in epoch ms (`from` null: no lower bound). */
export type TimePartition = {
  table: TimePartitionedTable
  name: string
  from: number | null
  to: number
  /** On disk, with its indexes and TOAST. */
  bytes: number
}

/*
 * The bounds as the catalog prints them, read back as epoch ms by the server: it printed them in
 * its own time zone, so it is the one to parse them. A partition half way through a detach
 * (one that was interrupted) is left out: it takes no rows, and retention finishes it.
 */
const LIST_SQL = `
SELECT c.relname AS name, pg_total_relation_size(c.oid)::float8 AS bytes,
       ts_to_ms(nullif(substring(b.bound FROM $$FROM \\('([^']+)'\\)$$), '')::timestamptz)::float8 AS from_ms,
       ts_to_ms(substring(b.bound FROM $$TO \\('([^']+)'\\)$$)::timestamptz)::float8 AS to_ms
  FROM pg_inherits i
  JOIN pg_class c ON c.oid = i.inhrelid
  CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS bound) b
 WHERE i.inhparent = $1::regclass AND NOT i.inhdetachpending
 ORDER BY to_ms`

/** The partitions of `table`, oldest first. */
export async function listPartitions(
  db: Queryable,
  table: TimePartitionedTable,
): Promise<TimePartition[]> {
  const r = await db.query<{
    name: string
    bytes: number
    from_ms: number | null
    to_ms: number | null
  }>(LIST_SQL, [table])
  return r.rows.flatMap((row) =>
    row.to_ms === null
      ? []
      : [{ table, name: row.name, from: row.from_ms, to: row.to_ms, bytes: row.bytes }],
  )
}

/** A partition's name: its table and when it starts, in UTC to the minute (or second). */
export function partitionName(table: TimePartitionedTable, from: number): string {
  const iso = new Date(from).toISOString() // 2026-12-02T04:05:06.000Z
  const day = iso.slice(0, 10).replaceAll('-', '')
  const time = iso.slice(11, 19).replaceAll(':', '')
  const clock = time === '000000' ? '' : time.endsWith('00') ? `t${time.slice(0, 4)}` : `t${time}`
  return `${table}_p${day}${clock}`
}

/**
 * The ranges to create so that a span before the clock and `ahead` spans after it are covered
 * (through the end of the slot `now + ahead × span` falls in): each missing
 * stretch of the `span`-wide slots aligned to the epoch, cut where a partition already is (the
 * one a migration made ends where it ends, not on a slot's edge).
 */
export function missingRanges(
  existing: readonly Pick<TimePartition, 'from' | 'to'>[],
  now: number,
  spanMs: number,
  ahead: number,
): { from: number; to: number }[] {
  const first = Math.floor(now / spanMs) * spanMs - spanMs
  const missing: { from: number; to: number }[] = []
  for (let slot = first; slot <= now + ahead * spanMs; slot += spanMs) {
    let pieces = [{ from: slot, to: slot + spanMs }]
    for (const p of existing) {
      const pFrom = p.from ?? -Infinity
      pieces = pieces.flatMap((piece) =>
        p.to <= piece.from || pFrom >= piece.to
          ? [piece]
          : [
              ...(pFrom > piece.from ? [{ from: piece.from, to: pFrom }] : []),
              ...(p.to < piece.to ? [{ from: p.to, to: piece.to }] : []),
            ],
      )
    }
    missing.push(...pieces)
  }
  return missing
}

/**
 * Creates the partitions that a span before the clock to `ahead` spans after it lack, for every
 * time-partitioned table. Made as a plain table and attached: `CREATE TABLE ... PARTITION OF`
 * takes the parent's exclusive lock and would queue every commit behind it, attaching takes a
 * lock commits do not wait for. Idempotent, and safe beside another instance doing the same
 * (a transaction-scoped advisory lock takes them in turn, each looking again once it has it).
 * Resolves with the names made.
 */
export async function ensurePartitions(
  pool: Pool,
  spanMs: number,
  now: number,
  { ahead = 3, timeoutMs = 10_000 }: { ahead?: number; timeoutMs?: number } = {},
): Promise<string[]> {
  const made: string[] = []
  for (const table of Object.keys(TIME_PARTITIONED) as TimePartitionedTable[]) {
    if (missingRanges(await listPartitions(pool, table), now, spanMs, ahead).length === 0) continue
    await inBoundedTransaction(pool, timeoutMs, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('millstream-partitions'))`)
      for (const range of missingRanges(await listPartitions(client, table), now, spanMs, ahead)) {
        const name = partitionName(table, range.from)
        await client.query(
          `CREATE TABLE ${name} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)`,
        )
        // The new table is empty, so the attach's check that its rows fit the bounds is trivial.
        await client.query(
          `ALTER TABLE ${table} ATTACH PARTITION ${name}
             FOR VALUES FROM (ms_to_ts(${range.from})) TO (ms_to_ts(${range.to}))`,
        )
        made.push(name)
      }
    })
  }
  return made
}
