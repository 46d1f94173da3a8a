import type { Pool } from 'pg'
import { PgAdvisoryLock } from '../journal/advisory-lock.js'
import { afterCursor, COMMITTED_BEFORE_ANY_RUNNING } from '../journal/commit-order.js'
import type { DomainEvent } from '../domain/events.js'

/** A committed event waiting to be published, with its place in commit order. */
export type OutboxEntry = { txId: string; position: number; event: DomainEvent }

/** Where a relay has got to in commit order. */
export type OutboxCursor = { txId: string; position: number }

const START: OutboxCursor = { txId: '0', position: 0 }

/**
 * Reads the event log in commit order. Only transactions older than every one still running
 * are read (`pg_snapshot_xmin`), so a slow transaction's events are never skipped.
 */
export class PgOutbox {
  private readonly leadership: PgAdvisoryLock

  constructor(
    private readonly pool: Pool,
    private readonly relayName: string,
  ) {
    this.leadership = new PgAdvisoryLock(pool, `millstream-relay:${relayName}`)
  }

  /**
   * Takes the relay's leadership: of several instances on one database only one publishes.
   * Dies with its connection.
   */
  acquire(): Promise<boolean> {
    return this.leadership.acquire()
  }

  /** Gives leadership up. */
  release(): Promise<void> {
    return this.leadership.release()
  }

  async cursor(): Promise<OutboxCursor> {
    const r = await this.pool.query<{ txId: string; position: number }>(
      `SELECT tx_id::text AS "txId", position FROM relay_offsets WHERE relay = $1`,
      [this.relayName],
    )
    return r.rows[0] ?? START
  }

  /** The next committed events after `after`; `since` (epoch ms) skips earlier occurrences. */
  async next(after: OutboxCursor, limit: number, since = 0): Promise<OutboxEntry[]> {
    const r = await this.pool.query<{ txId: string; position: number; payload: DomainEvent }>(
      `SELECT tx_id::text AS "txId", position, payload FROM event_log
        WHERE ${afterCursor('$1', '$2')}
          AND ${COMMITTED_BEFORE_ANY_RUNNING}
          AND occurred_at >= ms_to_ts($4)
        ORDER BY tx_id, position
        LIMIT $3`,
      [after.txId, after.position, limit, since],
    )
    return r.rows.map((row) => ({ txId: row.txId, position: row.position, event: row.payload }))
  }

  /** Forgets how far this relay got, so it starts from the beginning. */
  async reset(): Promise<void> {
    await this.pool.query('DELETE FROM relay_offsets WHERE relay = $1', [this.relayName])
  }

  async save(cursor: OutboxCursor): Promise<void> {
    await this.pool.query(
      `INSERT INTO relay_offsets (relay, tx_id, position) VALUES ($1, $2::xid8, $3)
       ON CONFLICT (relay) DO UPDATE SET tx_id = EXCLUDED.tx_id, position = EXCLUDED.position, updated_at = now()`,
      [this.relayName, cursor.txId, cursor.position],
    )
  }

  /** Events committed but not yet published by this relay. */
  async lag(after: OutboxCursor): Promise<number> {
    const r = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM event_log WHERE ${afterCursor('$1', '$2')}`,
      [after.txId, after.position],
    )
    return r.rows[0]?.n ?? 0
  }
}
