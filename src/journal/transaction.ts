import type { Pool, PoolClient } from 'pg'

/** Runs `work` in one transaction on a pooled connection; a broken connection is discarded. */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError
    })
    throw err
  } finally {
    client.release(broken)
  }
}

/**
 * Runs `work` in one transaction whose every statement the server cancels after `timeoutMs`.
 * A read-only one takes no transaction id, so it never holds back the horizon up to which the
 * committed log is read.
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
