import type { Pool } from 'pg'
import type { DomainEvent } from '../domain/events.js'

/** Every event of the PostgreSQL log (since `since`, epoch ms), in log order. */
export async function readLogHistory(pool: Pool, since = 0): Promise<DomainEvent[]> {
  const r = await pool.query<{ payload: DomainEvent }>(
    `SELECT payload FROM event_log WHERE type <> 'DeadLetter' AND occurred_at >= ms_to_ts($1) ORDER BY position`,
    [since],
  )
  return r.rows.map((row) => row.payload)
}
