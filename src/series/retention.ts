import type { Pool } from 'pg'
import { inBoundedTransaction } from '../journal/transaction.js'

/** How long each kind of series row is kept, in ms. */
export type SeriesRetention = { rawMs: number; minuteMs: number; hourMs: number }

/** Each table with its time column and which retention applies to it. */
const SWEPT = [
  { table: 'series_readings', column: 'at', keep: 'rawMs' },
  { table: 'series_metric_minutes', column: 'bucket', keep: 'minuteMs' },
  { table: 'series_machine_minutes', column: 'bucket', keep: 'minuteMs' },
  { table: 'series_plant_minutes', column: 'bucket', keep: 'minuteMs' },
  { table: 'series_metric_hours', column: 'bucket', keep: 'hourMs' },
  { table: 'series_machine_hours', column: 'bucket', keep: 'hourMs' },
  { table: 'series_plant_hours', column: 'bucket', keep: 'hourMs' },
] as const satisfies readonly { table: string; column: string; keep: keyof SeriesRetention }[]

/**
 * Deletes rows past their retention, at most `batch` per table and call, so one call holds
 * locks and the follower only briefly. A bucket goes once it starts before the cutoff.
 * Resolves with whether any table may hold more to delete.
 */
export async function sweepOnce(
  pool: Pool,
  retention: SeriesRetention,
  now: number,
  batch: number,
  timeoutMs: number,
): Promise<boolean> {
  let more = false
  for (const { table, column, keep } of SWEPT) {
    const cutoff = now - retention[keep]
    const r = await inBoundedTransaction(pool, timeoutMs, (client) =>
      client.query(
        `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM ${table} WHERE ${column} < ms_to_ts($1) LIMIT $2))`,
        [cutoff, batch],
      ),
    )
    if ((r.rowCount ?? 0) >= batch) more = true
  }
  return more
}
