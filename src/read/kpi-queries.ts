import type { Pool } from 'pg'
import { namedParams } from '../journal/named-params.js'
import { textArray } from '../journal/pg-arrays.js'
import type { KpiRecords } from '../plant/kpi-records.js'
import { stopOfRow, type StopRecordRow } from './downtime-queries.js'
import type { KpiReads, KpiRecordFilter } from './ports.js'

const Q = namedParams('lines', 'machine', 'from', 'to', 'limit')

// The machines asked about: one by id, or every one with a record on the lines in the range.
const MACHINES = `
  SELECT ${Q.placeholders.machine}::text AS machine_id WHERE ${Q.placeholders.machine}::text IS NOT NULL
  UNION
  SELECT machine_id FROM downtime_records
   WHERE line_id = ANY(${Q.placeholders.lines}::text[])
     AND started_at < ms_to_ts(${Q.placeholders.to}) AND (ended_at IS NULL OR ended_at > ms_to_ts(${Q.placeholders.from}))
  UNION
  SELECT machine_id FROM plant_part_minutes
   WHERE line_id = ANY(${Q.placeholders.lines}::text[])
     AND bucket >= ms_to_ts(${Q.placeholders.from}) AND bucket < ms_to_ts(${Q.placeholders.to})`

type MinuteRow = {
  machine_id: string
  line_id: string
  minute: string
  produced: string
  good: string
  ideal_ms: number
  scrap_ideal_ms: number
}

/**
 * The KPIs' records from the downtime follower's tables, through the read pool (whose
 * statement timeout is the deadline), at most `maxRows` of each kind.
 */
export class PgKpiQueries implements KpiReads {
  constructor(
    private readonly pool: Pool,
    private readonly maxRows: number,
  ) {}

  async records(filter: KpiRecordFilter): Promise<KpiRecords> {
    const p = Q.placeholders
    const values = Q.values({
      lines: textArray('lineIds' in filter ? filter.lineIds : []),
      machine: 'machineId' in filter ? filter.machineId : null,
      from: filter.from,
      to: filter.to,
      limit: this.maxRows + 1,
    })
    const stops = await this.pool.query<StopRecordRow>(
      `SELECT id, machine_id, line_id, state, ts_to_ms(started_at)::text AS started_at,
              ts_to_ms(ended_at)::text AS ended_at, reason_code, classified_by
         FROM downtime_records
        WHERE machine_id IN (${MACHINES})
          AND started_at < ms_to_ts(${p.to}) AND (ended_at IS NULL OR ended_at > ms_to_ts(${p.from}))
        ORDER BY started_at, id
        LIMIT ${p.limit}`,
      values,
    )
    const minutes = await this.pool.query<MinuteRow>(
      `SELECT machine_id, line_id, ts_to_ms(bucket)::text AS minute, produced::text, good::text,
              ideal_ms, scrap_ideal_ms
         FROM plant_part_minutes
        WHERE machine_id IN (${MACHINES})
          AND bucket >= ms_to_ts(${p.from}) AND bucket < ms_to_ts(${p.to})
        ORDER BY bucket
        LIMIT ${p.limit}`,
      values,
    )
    return {
      truncated: stops.rows.length > this.maxRows || minutes.rows.length > this.maxRows,
      stops: stops.rows.slice(0, this.maxRows).map(stopOfRow),
      minutes: minutes.rows.slice(0, this.maxRows).map((r) => ({
        machineId: r.machine_id,
        lineId: r.line_id,
        minute: Number(r.minute),
        produced: Number(r.produced),
        good: Number(r.good),
        idealMs: Number(r.ideal_ms),
        scrapIdealMs: Number(r.scrap_ideal_ms),
      })),
    }
  }
}
