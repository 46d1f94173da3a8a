import type { Pool } from 'pg'
import type { DeadLetterReads, DeadLetterRow } from './ports.js'

/** The dead letters as stored, for the API to page through. */
export class PgDeadLetterQueries implements DeadLetterReads {
  constructor(private readonly pool: Pool) {}

  async list(limit: number, afterId = 0): Promise<DeadLetterRow[]> {
    const r = await this.pool.query<DeadLetterRow>(
      `SELECT id AS id, source, payload, reason, received_at AS "receivedAt", recorded_at AS "recordedAt"
         FROM dead_letters WHERE id > $1 ORDER BY id LIMIT $2`,
      [afterId, limit],
    )
    return r.rows
  }

  async many(ids: readonly number[]): Promise<Omit<DeadLetterRow, 'payload'>[]> {
    const r = await this.pool.query<Omit<DeadLetterRow, 'payload'>>(
      `SELECT id, source, reason, received_at AS "receivedAt", recorded_at AS "recordedAt"
         FROM dead_letters WHERE id = ANY($1::bigint[])`,
      [ids],
    )
    return r.rows
  }
}
