import type { Pool } from 'pg'
import { namedParams } from '../journal/named-params.js'
import type { ParkedRecordRow, ParkedRecords } from './ports.js'

const LIST = namedParams('relay', 'after', 'limit')
const REQUEST = namedParams('relay', 'id')

/** One relay's `parked_records`, for the API. */
export class PgParkedRecords implements ParkedRecords {
  constructor(
    private readonly pool: Pool,
    private readonly relay: string,
  ) {}

  async list(limit: number, afterId: number): Promise<ParkedRecordRow[]> {
    const p = LIST.placeholders
    const r = await this.pool.query<ParkedRecordRow>(
      `SELECT id, event_id AS "eventId", event_type AS type, event_key AS key, error_code AS code,
              reason, json_bytes AS "jsonBytes", parked_at AS "parkedAt",
              republish_requested_at AS "republishRequestedAt", republished_at AS "republishedAt"
         FROM parked_records WHERE relay = ${p.relay} AND id > ${p.after}
        ORDER BY id LIMIT ${p.limit}`,
      LIST.values({ relay: this.relay, after: afterId, limit }),
    )
    return r.rows
  }

  async requestRepublish(id?: number): Promise<number> {
    const p = REQUEST.placeholders
    const r = await this.pool.query(
      `UPDATE parked_records SET republish_requested_at = now()
        WHERE relay = ${p.relay} AND republished_at IS NULL
          AND (${p.id}::bigint IS NULL OR id = ${p.id}::bigint)`,
      REQUEST.values({ relay: this.relay, id: id ?? null }),
    )
    return r.rowCount ?? 0
  }
}
