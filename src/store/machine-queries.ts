import type { Pool } from 'pg'

/** Machine state as the API returns it (DESIGN §5). */
export type MachineView = {
  machineId: string
  state: string
  stateSince: string | null
  lastSeenAt: string | null
  produced: number
  scrapped: number
  lastOrder: number | null
  lastPartId: number | null
  lastProducedAt: string | null
  sequence: number
}

const COLUMNS = `machine_id AS "machineId", state, state_since AS "stateSince", last_seen_at AS "lastSeenAt",
  produced AS produced, scrapped AS scrapped, last_order AS "lastOrder",
  last_part_id AS "lastPartId", last_produced_at AS "lastProducedAt", sequence AS sequence`

type Row = Omit<MachineView, 'stateSince' | 'lastSeenAt' | 'lastProducedAt'> & {
  stateSince: Date | null
  lastSeenAt: Date | null
  lastProducedAt: Date | null
}

/** Read side of the machine_state table. */
export class MachineQueries {
  constructor(private readonly pool: Pool) {}

  async get(machineId: string): Promise<MachineView | undefined> {
    const r = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM machine_state WHERE machine_id = $1`,
      [machineId],
    )
    return r.rows[0] && toView(r.rows[0])
  }

  async list(limit: number, offset: number): Promise<MachineView[]> {
    const r = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM machine_state ORDER BY machine_id LIMIT $1 OFFSET $2`,
      [limit, offset],
    )
    return r.rows.map(toView)
  }
}

function toView(row: Row): MachineView {
  const iso = (d: Date | null) => (d ? d.toISOString() : null)
  return {
    ...row,
    stateSince: iso(row.stateSince),
    lastSeenAt: iso(row.lastSeenAt),
    lastProducedAt: iso(row.lastProducedAt),
  }
}
