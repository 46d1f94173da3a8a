import type { Pool } from 'pg'
import { viewsOf } from './alarm-queries.js'
import type { MachineAlarms, MachineFilters, MachineReads, MachineView } from './ports.js'

// Still importable from here, where the integration tests take it from.
export type { MachineView }

const COLUMNS = `machine_id, state, state_since, last_seen_at, produced, scrapped, last_order, last_part_id,
  last_produced_at, metrics, metrics_at, availability, performance, quality, oee, alerts, alarms, sequence`

type Row = {
  machine_id: string
  state: string
  state_since: Date | null
  last_seen_at: Date | null
  produced: number
  scrapped: number
  last_order: number | null
  last_part_id: number | null
  last_produced_at: Date | null
  metrics: Record<string, number>
  metrics_at: Date | null
  availability: number | null
  performance: number | null
  quality: number | null
  oee: number | null
  alerts: { silent?: boolean; scrapRate?: boolean }
  alarms: MachineAlarms | null
  sequence: number
}

/** Read side of the machine_state table. */
export class MachineQueries implements MachineReads {
  constructor(private readonly pool: Pool) {}

  async get(machineId: string): Promise<MachineView | undefined> {
    // Named, so each connection parses and plans the hottest lookup once.
    const r = await this.pool.query<Row>({
      name: 'machine-by-id',
      text: `SELECT ${COLUMNS} FROM machine_state WHERE machine_id = $1`,
      values: [machineId],
    })
    return r.rows[0] && toView(r.rows[0])
  }

  /** In natural order of their ids (press-2 before press-10). */
  async list(limit: number, offset: number, filters: MachineFilters = {}): Promise<MachineView[]> {
    const alertKey =
      filters.alert === 'silent' ? 'silent' : filters.alert === 'scrap-rate' ? 'scrapRate' : null
    const r = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM machine_state
        WHERE ($3::text IS NULL OR state = $3)
          AND ($4::text IS NULL OR coalesce((alerts->>$4)::boolean, false))
        ORDER BY natural_sort_key(machine_id), machine_id LIMIT $1 OFFSET $2`,
      [limit, offset, filters.state ?? null, alertKey],
    )
    return r.rows.map(toView)
  }

  async many(machineIds: readonly string[]): Promise<MachineView[]> {
    const r = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM machine_state WHERE machine_id = ANY($1::text[])`,
      [machineIds],
    )
    return r.rows.map(toView)
  }

  async silentMachines(timeoutMs: number): Promise<string[]> {
    const r = await this.pool.query<{ machine_id: string }>(
      // Rows written before machines had alarms have no due time: the old silence test.
      `SELECT machine_id FROM machine_state
        WHERE alarm_due_at <= now()
           OR (alarms IS NULL
               AND last_seen_at < now() - make_interval(secs => $1 / 1000.0)
               AND NOT coalesce((alerts->>'silent')::boolean, false))`,
      [timeoutMs],
    )
    return r.rows.map((row) => row.machine_id)
  }
}

const iso = (d: Date | null) => (d ? d.toISOString() : null)

function toView(r: Row): MachineView {
  return {
    machineId: r.machine_id,
    state: r.state,
    stateSince: iso(r.state_since),
    lastSeenAt: iso(r.last_seen_at),
    produced: r.produced,
    scrapped: r.scrapped,
    lastOrder: r.last_order,
    lastPartId: r.last_part_id,
    lastProducedAt: iso(r.last_produced_at),
    metrics: r.metrics,
    metricsAt: iso(r.metrics_at),
    oee: {
      availability: r.availability,
      performance: r.performance,
      quality: r.quality,
      oee: r.oee,
    },
    alerts: { silent: r.alerts.silent ?? false, scrapRate: r.alerts.scrapRate ?? false },
    alarms: r.alarms ? viewsOf(r.machine_id, r.alarms) : [],
    sequence: r.sequence,
  }
}
