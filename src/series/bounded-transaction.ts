import type { Pool, PoolClient } from 'pg'
import { inTransaction } from '../journal/transaction.js'

/**
 * Runs `work` in one transaction whose every statement the server cancels after `timeoutMs`:
 * the deadline of a series read or write. A read-only one takes no transaction id, so it never
 * holds back the horizon up to which the committed log is read.
 */
export function inBoundedTransaction<T>(
  pool: Pool,
  timeoutMs: number,
  work: (client: PoolClient) => Promise<T>,
  access: 'read only' | 'read write' = 'read write',
): Promise<T> {
  return inTransaction(pool, async (client) => {
    // SET takes no parameters; the number is an integer of our own.
    await client.query(
      `SET LOCAL statement_timeout = ${Math.max(1, Math.round(timeoutMs))}; SET TRANSACTION ${access === 'read only' ? 'READ ONLY' : 'READ WRITE'}`,
    )
    return work(client)
  })
}
