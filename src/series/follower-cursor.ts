import type { Pool, PoolClient } from 'pg'
import type { OutboxCursor } from '../publish/outbox.js'
import { namedParams } from '../journal/named-params.js'
import { inBoundedTransaction } from '../journal/transaction.js'

/** Where a follower starts on a database it has never followed. */
const START: OutboxCursor = { txId: '0', position: 0 }

const MOVE = namedParams('name', 'fromTx', 'fromPosition', 'toTx', 'toPosition')

/** A follower's place in the committed log, kept beside the relays' in `relay_offsets`. */
export async function readFollowerCursor(
  pool: Pool,
  name: string,
  timeoutMs: number,
): Promise<OutboxCursor> {
  const r = await inBoundedTransaction(
    pool,
    timeoutMs,
    (client) =>
      client.query<OutboxCursor>(
        `SELECT tx_id::text AS "txId", position FROM relay_offsets WHERE relay = $1`,
        [name],
      ),
    'read only',
  )
  return r.rows[0] ?? START
}

/**
 * Moves a follower's cursor from `from` to `to` inside the caller's transaction; false when it
 * no longer stood at `from` (another instance applied the batch first). Run it first in the
 * transaction, so the cursor's row lock queues any other writer before it touches a row.
 */
export async function moveFollowerCursor(
  client: PoolClient,
  name: string,
  from: OutboxCursor,
  to: OutboxCursor,
): Promise<boolean> {
  const p = MOVE.placeholders
  const r = await client.query(
    `INSERT INTO relay_offsets (relay, tx_id, position)
     VALUES (${p.name}, ${p.toTx}::xid8, ${p.toPosition})
     ON CONFLICT (relay) DO UPDATE
       SET tx_id = EXCLUDED.tx_id, position = EXCLUDED.position, updated_at = now()
       WHERE relay_offsets.tx_id = ${p.fromTx}::xid8 AND relay_offsets.position = ${p.fromPosition}`,
    MOVE.values({
      name,
      fromTx: from.txId,
      fromPosition: from.position,
      toTx: to.txId,
      toPosition: to.position,
    }),
  )
  return r.rowCount === 1
}
