import pg, { type Pool } from 'pg'
import { withTimeout } from '../deadline.js'

/**
 * A PostgreSQL session advisory lock, held on a connection of its own: of several instances on
 * one database only one holds it, and it is let go when that connection dies, so a killed
 * holder frees it at once. Holding it is cheap; `verify` asks the server that the connection
 * (and so the lock) still stands. The connection is made with the pool's settings (TLS too)
 * but outside it: a held lock pins its connection, and an instance holds several (ingest,
 * series, downtime, notifications, retention), which on a small pool left none to commit with.
 */
export class PgAdvisoryLock {
  private connection: pg.Client | undefined

  constructor(
    private readonly pool: Pool,
    private readonly name: string,
  ) {}

  /** Takes the lock if it is free; true while this instance holds it. */
  async acquire(): Promise<boolean> {
    if (this.connection) return true
    const client = new pg.Client(this.pool.options)
    try {
      await client.connect()
      const r = await client.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS ok',
        [this.name],
      )
      if (r.rows[0]?.ok) {
        client.on('error', () => this.drop())
        this.connection = client
        return true
      }
      await client.end()
      return false
    } catch (err) {
      client.end().catch(() => undefined)
      throw err
    }
  }

  /** True while the lock's connection answers within `timeoutMs`; a lost one lets the lock go. */
  async verify(timeoutMs: number): Promise<boolean> {
    const client = this.connection
    if (!client) return false
    try {
      await withTimeout(client.query('SELECT 1'), timeoutMs)
      return true
    } catch {
      if (this.connection === client) this.drop()
      return false
    }
  }

  /** Lets the lock go (closing its connection releases it). */
  release(): Promise<void> {
    this.drop()
    return Promise.resolve()
  }

  private drop(): void {
    const client = this.connection
    this.connection = undefined
    client?.end().catch(() => undefined)
  }
}
