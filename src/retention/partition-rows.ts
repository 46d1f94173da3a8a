import type { Pool } from 'pg'
import Cursor from 'pg-cursor'
import type { LoggedEvent } from '../archive/archive-file.js'
import { withTimeout } from '../deadline.js'
import type { DomainEvent } from '../domain/events.js'
import { tableIdentifier } from './partition-checks.js'

type Row = {
  position: number
  tx_id: string
  recorded_at: number
  idempotency_key: string | null
  payload: DomainEvent
}

/**
 * Every event of one partition of the log in position order, read a batch at a time on a
 * connection of its own (a partition of a busy day holds tens of millions). Each read has a
 * deadline; the connection is discarded when the reading ends, however it ends.
 */
export async function* partitionEvents(
  pool: Pool,
  partition: string,
  { batch = 5000, readTimeoutMs = 60_000 }: { batch?: number; readTimeoutMs?: number } = {},
): AsyncGenerator<LoggedEvent> {
  const client = await pool.connect()
  try {
    const cursor = client.query(
      new Cursor<Row>(
        `SELECT position, tx_id::text AS tx_id, ts_to_ms(recorded_at)::float8 AS recorded_at,
                idempotency_key, payload
           FROM ${tableIdentifier(partition)} ORDER BY position`,
      ),
    )
    for (;;) {
      const rows = await withTimeout(cursor.read(batch), readTimeoutMs)
      if (rows.length === 0) break
      for (const r of rows)
        yield {
          position: r.position,
          txId: r.tx_id,
          recordedAt: r.recorded_at,
          idempotencyKey: r.idempotency_key,
          event: r.payload,
        }
    }
  } finally {
    client.release(true)
  }
}
