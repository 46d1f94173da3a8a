import type { PoolClient } from 'pg'
import type { EntityWrite, PartTally, Projection } from '../actors/ports.js'

type Of<K extends Projection['entityType']> = Extract<Projection, { entityType: K }>

/** Keeps the query tables in step with the events of one group commit. */
export async function upsertProjections(client: PoolClient, writes: EntityWrite[]): Promise<void> {
  const projections = writes.flatMap((w) => (w.projection ? [w.projection] : []))
  const machines = projections.filter((p): p is Of<'machine'> => p.entityType === 'machine')
  const parts = projections.filter((p): p is Of<'part'> => p.entityType === 'part')
  const materials = projections.filter((p): p is Of<'material'> => p.entityType === 'material')
  if (machines.length > 0) await upsertMachines(client, machines)
  if (parts.length > 0) await upsertParts(client, parts)
  if (materials.length > 0) await upsertMaterials(client, materials)
  const tallies = sumTallies(writes.flatMap((w) => w.partTallies))
  if (tallies.length > 0) await addPartTotals(client, tallies)
}

async function upsertMachines(client: PoolClient, rows: Of<'machine'>[]): Promise<void> {
  await client.query(
    `INSERT INTO machine_state (machine_id, sequence, state, state_since, last_seen_at, produced, scrapped,
                                last_order, last_part_id, last_produced_at, metrics, metrics_at,
                                availability, performance, quality, oee, alerts, updated_at)
     SELECT m.machine_id, m.sequence, m.state, ms_to_ts(m.state_since), ms_to_ts(m.last_seen_at), m.produced,
            m.scrapped, m.last_order, m.last_part_id, ms_to_ts(m.last_produced_at), m.metrics,
            ms_to_ts(m.metrics_at), m.availability, m.performance, m.quality, m.oee, m.alerts, now()
       FROM jsonb_to_recordset($1::jsonb) AS m(machine_id text, sequence bigint, state text, state_since float8,
            last_seen_at float8, produced bigint, scrapped bigint, last_order bigint, last_part_id bigint,
            last_produced_at float8, metrics jsonb, metrics_at float8, availability float8, performance float8,
            quality float8, oee float8, alerts jsonb)
     ON CONFLICT (machine_id) DO UPDATE SET
       sequence = EXCLUDED.sequence, state = EXCLUDED.state, state_since = EXCLUDED.state_since,
       last_seen_at = EXCLUDED.last_seen_at, produced = EXCLUDED.produced, scrapped = EXCLUDED.scrapped,
       last_order = EXCLUDED.last_order, last_part_id = EXCLUDED.last_part_id,
       last_produced_at = EXCLUDED.last_produced_at, metrics = EXCLUDED.metrics, metrics_at = EXCLUDED.metrics_at,
       availability = EXCLUDED.availability, performance = EXCLUDED.performance, quality = EXCLUDED.quality,
       oee = EXCLUDED.oee, alerts = EXCLUDED.alerts, updated_at = now()`,
    [
      JSON.stringify(
        rows.map(({ state: s, oee }) => ({
          machine_id: s.machineId,
          sequence: s.sequence,
          state: s.state,
          state_since: s.stateSince,
          last_seen_at: s.lastSeenAt,
          produced: s.produced,
          scrapped: s.scrapped,
          last_order: s.lastOrder,
          last_part_id: s.lastPartId,
          last_produced_at: s.lastProducedAt,
          metrics: s.metrics,
          metrics_at: s.metricsAt,
          ...oee,
          alerts: s.alerts,
        })),
      ),
    ],
  )
}

async function upsertParts(client: PoolClient, rows: Of<'part'>[]): Promise<void> {
  // Reference data only: the totals belong to the machines' commits.
  await client.query(
    `INSERT INTO part_state (part_id, sequence, default_price, time_to_produce, materials, info_updated_at, updated_at)
     SELECT p.part_id, p.sequence, p.default_price, p.time_to_produce,
            ARRAY(SELECT jsonb_array_elements_text(p.materials)), ms_to_ts(p.info_updated_at), now()
       FROM jsonb_to_recordset($1::jsonb) AS p(part_id bigint, sequence bigint, default_price float8,
            time_to_produce float8, materials jsonb, info_updated_at float8)
     ON CONFLICT (part_id) DO UPDATE SET
       sequence = EXCLUDED.sequence, default_price = EXCLUDED.default_price,
       time_to_produce = EXCLUDED.time_to_produce, materials = EXCLUDED.materials,
       info_updated_at = EXCLUDED.info_updated_at, updated_at = now()`,
    [
      JSON.stringify(
        rows.map(({ state: s }) => ({
          part_id: s.partId,
          sequence: s.sequence,
          default_price: s.defaultPrice,
          time_to_produce: s.timeToProduce,
          materials: s.materials,
          info_updated_at: s.infoUpdatedAt,
        })),
      ),
    ],
  )
}

async function upsertMaterials(client: PoolClient, rows: Of<'material'>[]): Promise<void> {
  await client.query(
    `INSERT INTO material_state (material_id, sequence, name, price, price_date, updated_at)
     SELECT m.material_id, m.sequence, m.name, m.price, ms_to_ts(m.price_date), now()
       FROM jsonb_to_recordset($1::jsonb) AS m(material_id text, sequence bigint, name text, price float8,
            price_date float8)
     ON CONFLICT (material_id) DO UPDATE SET
       sequence = EXCLUDED.sequence, name = EXCLUDED.name, price = EXCLUDED.price,
       price_date = EXCLUDED.price_date, updated_at = now()`,
    [
      JSON.stringify(
        rows.map(({ state: s }) => ({
          material_id: s.materialId,
          sequence: s.sequence,
          name: s.name,
          price: s.price,
          price_date: s.priceDate,
        })),
      ),
    ],
  )
}

/** One row per part, so a batch never updates the same row twice. */
function sumTallies(tallies: PartTally[]): PartTally[] {
  const byPart = new Map<number, PartTally>()
  for (const t of tallies) {
    const sum = byPart.get(t.partId) ?? { partId: t.partId, produced: 0, scrapped: 0 }
    sum.produced += t.produced
    sum.scrapped += t.scrapped
    byPart.set(t.partId, sum)
  }
  return [...byPart.values()].sort((a, b) => a.partId - b.partId)
}

async function addPartTotals(client: PoolClient, tallies: PartTally[]): Promise<void> {
  await client.query(
    `INSERT INTO part_state (part_id, produced, scrapped)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[])
     ON CONFLICT (part_id) DO UPDATE SET
       produced = part_state.produced + EXCLUDED.produced, scrapped = part_state.scrapped + EXCLUDED.scrapped,
       updated_at = now()`,
    [tallies.map((t) => t.partId), tallies.map((t) => t.produced), tallies.map((t) => t.scrapped)],
  )
}
