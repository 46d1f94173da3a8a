import type { Pool } from 'pg'
import { RUN_STATES, type RunState } from '../domain/oee.js'
import type { PlantModel, PlantTree } from '../plant/plant-model.js'
import type { PlantReads, PlantSummary } from './ports.js'

/** Most machines the tree lists: a bound on the answer, far above any plant's size. */
const MAX_MACHINES = 20_000

type Row = {
  state: RunState
  machines: number
  produced: string
  scrapped: string
  availability_sum: number | null
  availability_n: number
  performance_sum: number | null
  performance_n: number
  quality_sum: number | null
  quality_n: number
  oee_sum: number | null
  oee_n: number
  silent: number
  scrap_rate: number
}

/**
 * The plant at a glance, from the machine_state table alone: one row per run state, summed
 * here, so the answer costs one pass over machines however many events they have.
 */
export class PlantQueries implements PlantReads {
  constructor(
    private readonly pool: Pool,
    private readonly model: () => PlantModel,
  ) {}

  async tree(): Promise<PlantTree> {
    const r = await this.pool.query<{
      machine_id: string
      group_id: string | null
      edge_node: string | null
    }>({
      name: 'plant-machines',
      text: `SELECT m.machine_id, s.group_id, s.edge_node
               FROM machine_state m LEFT JOIN sparkplug_sources s USING (machine_id)
              ORDER BY m.machine_id LIMIT ${MAX_MACHINES}`,
    })
    return this.model().tree(
      r.rows.map((row) =>
        row.group_id !== null && row.edge_node !== null
          ? {
              machineId: row.machine_id,
              sparkplug: { group: row.group_id, edgeNode: row.edge_node },
            }
          : { machineId: row.machine_id },
      ),
    )
  }

  async summary(): Promise<PlantSummary> {
    const r = await this.pool.query<Row>({
      name: 'plant-summary',
      text: `SELECT state, count(*)::int AS machines,
                    sum(produced)::text AS produced, sum(scrapped)::text AS scrapped,
                    sum(availability) AS availability_sum, count(availability)::int AS availability_n,
                    sum(performance) AS performance_sum, count(performance)::int AS performance_n,
                    sum(quality) AS quality_sum, count(quality)::int AS quality_n,
                    sum(oee) AS oee_sum, count(oee)::int AS oee_n,
                    count(*) FILTER (WHERE coalesce((alerts->>'silent')::boolean, false))::int AS silent,
                    count(*) FILTER (WHERE coalesce((alerts->>'scrapRate')::boolean, false))::int AS scrap_rate
               FROM machine_state GROUP BY state`,
    })
    return summarise(r.rows)
  }
}

function summarise(rows: Row[]): PlantSummary {
  const byState = Object.fromEntries(RUN_STATES.map((s) => [s, 0])) as Record<RunState, number>
  const FACTORS = ['availability', 'performance', 'quality', 'oee'] as const
  const mean = Object.fromEntries(FACTORS.map((f) => [f, { sum: 0, n: 0 }])) as Record<
    (typeof FACTORS)[number],
    { sum: number; n: number }
  >
  let machines = 0
  let produced = 0
  let scrapped = 0
  let silent = 0
  let scrapRate = 0
  for (const row of rows) {
    byState[row.state] = row.machines
    machines += row.machines
    produced += Number(row.produced)
    scrapped += Number(row.scrapped)
    silent += row.silent
    scrapRate += row.scrap_rate
    for (const factor of FACTORS) {
      mean[factor].sum += row[`${factor}_sum`] ?? 0
      mean[factor].n += row[`${factor}_n`]
    }
  }
  const average = ({ sum, n }: { sum: number; n: number }) => (n ? sum / n : null)
  return {
    machines,
    byState,
    oee: {
      availability: average(mean.availability),
      performance: average(mean.performance),
      quality: average(mean.quality),
      oee: average(mean.oee),
    },
    produced,
    scrapped,
    alerts: { silent, scrapRate },
  }
}
