import type { Pool } from 'pg'
import type { DeadLetterReads, DeadLetterRow, DeadLetterSummary } from './ports.js'

/** The dead letters as stored, for the API to page through. */
export class PgDeadLetterQueries implements DeadLetterReads {
  constructor(private readonly pool: Pool) {}

  async list(limit: number, afterId = 0): Promise<DeadLetterSummary[]> {
    const r = await this.pool.query<DeadLetterSummary>(
      `SELECT id, source, reason, received_at AS "receivedAt", recorded_at AS "recordedAt",
              payload_size::float8 AS "payloadSize", payload_sha256 AS "payloadSha256",
              octet_length(payload) AS "keptBytes"
         FROM dead_letters WHERE id > $1 ORDER BY id LIMIT $2`,
      [afterId, limit],
    )
    return r.rows
  }

  async payload(id: number): Promise<Buffer | undefined> {
    const r = await this.pool.query<{ payload: Buffer }>(
      `SELECT payload FROM dead_letters WHERE id = $1`,
      [id],
    )
    return r.rows[0]?.payload
  }

  async many(ids: readonly number[]): Promise<DeadLetterRow[]> {
    const r = await this.pool.query<DeadLetterRow>(
      `SELECT id, source, reason, received_at AS "receivedAt", recorded_at AS "recordedAt"
         FROM dead_letters WHERE id = ANY($1::bigint[])`,
      [ids],
    )
    return r.rows
  }
}
