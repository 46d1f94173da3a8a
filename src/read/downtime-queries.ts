import type { Pool } from 'pg'
import type { RunState } from '../domain/oee.js'
import { namedParams } from '../journal/named-params.js'
import type { DowntimeFilter, DowntimeReads, DowntimeRecordRow } from './ports.js'

const LIST = namedParams('line', 'machine', 'from', 'to', 'open', 'limit')

/** A downtime record's row as the queries select it. */
export type StopRecordRow = {
  id: string
  machine_id: string
  line_id: string
  state: RunState
  started_at: string
  ended_at: string | null
  reason_code: string | null
  classified_by: string | null
}

/** Downtime records from the follower's table, oldest first, one page at most. */
export class PgDowntimeQueries implements DowntimeReads {
  constructor(private readonly pool: Pool) {}

  async list(filter: DowntimeFilter): Promise<DowntimeRecordRow[]> {
    const p = LIST.placeholders
    const r = await this.pool.query<StopRecordRow>(
      `SELECT id, machine_id, line_id, state, ts_to_ms(started_at)::text AS started_at,
              ts_to_ms(ended_at)::text AS ended_at, reason_code, classified_by
         FROM downtime_records
        WHERE (${p.line}::text IS NULL OR line_id = ${p.line})
          AND (${p.machine}::text IS NULL OR machine_id = ${p.machine})
          AND started_at < ms_to_ts(${p.to})
          AND (ended_at IS NULL OR ended_at > ms_to_ts(${p.from}))
          AND (NOT ${p.open}::boolean OR ended_at IS NULL)
        ORDER BY started_at, id
        LIMIT ${p.limit}`,
      LIST.values({
        line: filter.lineId ?? null,
        machine: filter.machineId ?? null,
        from: filter.from,
        to: filter.to,
        open: filter.openOnly,
        limit: filter.limit,
      }),
    )
    return r.rows.map(stopOfRow)
  }
}

/** A downtime record from its row. */
export function stopOfRow(row: StopRecordRow): DowntimeRecordRow {
  return {
    id: row.id,
    machineId: row.machine_id,
    lineId: row.line_id,
    state: row.state,
    startedAt: Number(row.started_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
    reasonCode: row.reason_code,
    classifiedBy: row.classified_by,
  }
}
