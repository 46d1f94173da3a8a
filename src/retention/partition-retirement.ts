import type { Pool } from 'pg'
import type { TimePartitionedTable } from '../journal/log-partitions.js'
import { tableIdentifier } from './partition-checks.js'

/** A partition retention is taking off its table, as recorded before it is detached. */
export type Retirement = {
  partition: string
  parent: TimePartitionedTable
  from: number | null
  to: number
  events: number
  archive?: { file: string; sha256: string; bytes: number } | undefined
}

/** Runs one statement on a connection of its own, cancelled by the server after `timeoutMs`. */
async function bounded(pool: Pool, timeoutMs: number, sql: string): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query(`SET statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`)
    await client.query(sql)
  } finally {
    // Its session settings go with it.
    client.release(true)
  }
}

/** Records (or records again) what is about to be detached, so an interrupted pass can finish it. */
export async function recordRetirement(pool: Pool, r: Retirement): Promise<void> {
  await pool.query(
    `INSERT INTO retired_partitions (partition_name, parent, range_from, range_to, events,
                                     archive_file, archive_sha256, archive_bytes)
     VALUES ($1, $2, ms_to_ts($3), ms_to_ts($4), $5, $6, $7, $8)
     ON CONFLICT (partition_name) DO UPDATE
       SET events = EXCLUDED.events, archive_file = EXCLUDED.archive_file,
           archive_sha256 = EXCLUDED.archive_sha256, archive_bytes = EXCLUDED.archive_bytes,
           detached_at = now(), dropped_at = NULL`,
    [
      r.partition,
      r.parent,
      r.from,
      r.to,
      r.events,
      r.archive?.file ?? null,
      r.archive?.sha256 ?? null,
      r.archive?.bytes ?? null,
    ],
  )
}

/**
 * Detaches without the lock that would queue every commit behind it: CONCURRENTLY waits for the
 * transactions that may still see the partition instead. One cut short by the deadline is left
 * pending, and `finishPendingDetaches` completes it.
 */
export function detachConcurrently(
  pool: Pool,
  partition: Retirement,
  timeoutMs: number,
): Promise<void> {
  return bounded(
    pool,
    timeoutMs,
    `ALTER TABLE ${tableIdentifier(partition.parent)} DETACH PARTITION ${tableIdentifier(partition.partition)} CONCURRENTLY`,
  )
}

/** Completes detaches of `parent`'s partitions that were interrupted; resolves with their names. */
export async function finishPendingDetaches(
  pool: Pool,
  parent: TimePartitionedTable,
  timeoutMs: number,
): Promise<string[]> {
  const r = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = $1::regclass AND i.inhdetachpending`,
    [parent],
  )
  for (const { name } of r.rows)
    await bounded(
      pool,
      timeoutMs,
      `ALTER TABLE ${tableIdentifier(parent)} DETACH PARTITION ${tableIdentifier(name)} FINALIZE`,
    )
  return r.rows.map((row) => row.name)
}

/** Retirements recorded but not finished: detached (or being detached) and not yet dropped. */
export async function unfinishedRetirements(
  pool: Pool,
): Promise<(Retirement & { attached: boolean })[]> {
  const r = await pool.query<{
    partition_name: string
    parent: TimePartitionedTable
    from_ms: number | null
    to_ms: number
    events: number
    archive_file: string | null
    archive_sha256: string | null
    archive_bytes: number | null
    attached: boolean
  }>(
    `SELECT rp.partition_name, rp.parent, ts_to_ms(rp.range_from)::float8 AS from_ms,
            ts_to_ms(rp.range_to)::float8 AS to_ms, rp.events::float8 AS events, rp.archive_file,
            rp.archive_sha256, rp.archive_bytes::float8 AS archive_bytes,
            EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid) AS attached
       FROM retired_partitions rp JOIN pg_class c ON c.relname = rp.partition_name AND c.relkind = 'r'
      WHERE rp.dropped_at IS NULL
      ORDER BY rp.range_to`,
  )
  return r.rows.map((row) => ({
    partition: row.partition_name,
    parent: row.parent,
    from: row.from_ms,
    to: row.to_ms,
    events: row.events,
    archive:
      row.archive_file && row.archive_sha256 && row.archive_bytes !== null
        ? { file: row.archive_file, sha256: row.archive_sha256, bytes: row.archive_bytes }
        : undefined,
    attached: row.attached,
  }))
}

/** Drops a detached partition and records it as gone. */
export async function dropRetired(pool: Pool, partition: string): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS ${tableIdentifier(partition)}`)
  await pool.query('UPDATE retired_partitions SET dropped_at = now() WHERE partition_name = $1', [
    partition,
  ])
}

/** Puts a detached partition back (it took a row after it was checked), and forgets the retirement. */
export async function reattach(pool: Pool, r: Retirement, timeoutMs: number): Promise<void> {
  const from = r.from === null ? 'MINVALUE' : `ms_to_ts(${r.from})`
  await bounded(
    pool,
    timeoutMs,
    `ALTER TABLE ${tableIdentifier(r.parent)} ATTACH PARTITION ${tableIdentifier(r.partition)} FOR VALUES FROM (${from}) TO (ms_to_ts(${r.to}))`,
  )
  await pool.query('DELETE FROM retired_partitions WHERE partition_name = $1', [r.partition])
}
