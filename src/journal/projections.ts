import type { PoolClient } from 'pg'
import type { EntityWrite, PartTally, Projection } from '../actors/ports.js'
import { bookOf } from '../domain/machine.js'

type Of<K extends Projection['entityType']> = Extract<Projection, { entityType: K }>

/*
 * The query tables kept in step with the events. Each upsert is a SQL builder over a relation
 * of rows (read with jsonb_to_recordset), so the group commit can fold it into its single
 * statement and the replay can run it on its own. Row columns are listed once, here.
 */

/** Columns of a machine row, as `jsonb_to_recordset(...) AS m(<these>)` reads them. */
export const MACHINE_COLUMNS = `machine_id text, sequence bigint, state text, state_since float8,
  last_seen_at float8, produced bigint, scrapped bigint, last_order bigint, last_part_id bigint,
  last_produced_at float8, metrics jsonb, metrics_at float8, availability float8, performance float8,
  quality float8, oee float8, alerts jsonb, alarms jsonb, alarm_due_at float8`

/** Upserts machine_state from relation `m` (MACHINE_COLUMNS, at most one row per machine). */
export function upsertMachinesFrom(m: string): string {
  return `INSERT INTO machine_state (machine_id, sequence, state, state_since, last_seen_at, produced, scrapped,
                                last_order, last_part_id, last_produced_at, metrics, metrics_at,
                                availability, performance, quality, oee, alerts, alarms, alarm_due_at, updated_at)
     SELECT m.machine_id, m.sequence, m.state, ms_to_ts(m.state_since), ms_to_ts(m.last_seen_at), m.produced,
            m.scrapped, m.last_order, m.last_part_id, ms_to_ts(m.last_produced_at), m.metrics,
            ms_to_ts(m.metrics_at), m.availability, m.performance, m.quality, m.oee, m.alerts, m.alarms,
            ms_to_ts(m.alarm_due_at), now()
       FROM ${m}
     ON CONFLICT (machine_id) DO UPDATE SET
       sequence = EXCLUDED.sequence, state = EXCLUDED.state, state_since = EXCLUDED.state_since,
       last_seen_at = EXCLUDED.last_seen_at, produced = EXCLUDED.produced, scrapped = EXCLUDED.scrapped,
       last_order = EXCLUDED.last_order, last_part_id = EXCLUDED.last_part_id,
       last_produced_at = EXCLUDED.last_produced_at, metrics = EXCLUDED.metrics, metrics_at = EXCLUDED.metrics_at,
       availability = EXCLUDED.availability, performance = EXCLUDED.performance, quality = EXCLUDED.quality,
       oee = EXCLUDED.oee, alerts = EXCLUDED.alerts, alarms = EXCLUDED.alarms,
       alarm_due_at = EXCLUDED.alarm_due_at, updated_at = now()`
}

export function machineRow({ state: s, oee, alarmDueAt }: Of<'machine'>) {
  const book = bookOf(s)
  return {
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
    availability: oee.availability,
    performance: oee.performance,
    quality: oee.quality,
    oee: oee.oee,
    alerts: s.alerts,
    alarms: { alarms: book.alarms, shelves: book.shelves },
    alarm_due_at: alarmDueAt ?? null,
  }
}

/** Columns of a part reference-data row. */
export const PART_COLUMNS = `part_id bigint, sequence bigint, default_price float8, time_to_produce float8,
  materials jsonb, info_updated_at float8`

/** Upserts part reference data from relation `p`; the totals belong to the machines' commits. */
export function upsertPartsFrom(p: string): string {
  return `INSERT INTO part_state (part_id, sequence, default_price, time_to_produce, materials, info_updated_at, updated_at)
     SELECT p.part_id, p.sequence, p.default_price, p.time_to_produce,
            ARRAY(SELECT jsonb_array_elements_text(p.materials)), ms_to_ts(p.info_updated_at), now()
       FROM ${p}
     ON CONFLICT (part_id) DO UPDATE SET
       sequence = EXCLUDED.sequence, default_price = EXCLUDED.default_price,
       time_to_produce = EXCLUDED.time_to_produce, materials = EXCLUDED.materials,
       info_updated_at = EXCLUDED.info_updated_at, updated_at = now()`
}

export function partRow({ state: s }: Of<'part'>) {
  return {
    part_id: s.partId,
    sequence: s.sequence,
    default_price: s.defaultPrice,
    time_to_produce: s.timeToProduce,
    materials: s.materials,
    info_updated_at: s.infoUpdatedAt,
  }
}

/** Columns of a material row. */
export const MATERIAL_COLUMNS = `material_id text, sequence bigint, name text, price float8, price_date float8`

/** Upserts material_state from relation `m`. */
export function upsertMaterialsFrom(m: string): string {
  return `INSERT INTO material_state (material_id, sequence, name, price, price_date, updated_at)
     SELECT m.material_id, m.sequence, m.name, m.price, ms_to_ts(m.price_date), now()
       FROM ${m}
     ON CONFLICT (material_id) DO UPDATE SET
       sequence = EXCLUDED.sequence, name = EXCLUDED.name, price = EXCLUDED.price,
       price_date = EXCLUDED.price_date, updated_at = now()`
}

export function materialRow({ state: s }: Of<'material'>) {
  return {
    material_id: s.materialId,
    sequence: s.sequence,
    name: s.name,
    price: s.price,
    price_date: s.priceDate,
  }
}

/** Adds part totals from relation `t` (part_id, produced, scrapped; one row per part). */
export function addPartTotalsFrom(t: string): string {
  return `INSERT INTO part_state (part_id, produced, scrapped)
     SELECT t.part_id, t.produced, t.scrapped FROM ${t}
     ON CONFLICT (part_id) DO UPDATE SET
       produced = part_state.produced + EXCLUDED.produced, scrapped = part_state.scrapped + EXCLUDED.scrapped,
       updated_at = now()`
}

/** Projections of the writes, by table. */
function projectionsByTable(writes: EntityWrite[]) {
  const projections = writes.flatMap((w) => (w.projection ? [w.projection] : []))
  return {
    machines: projections.filter((p): p is Of<'machine'> => p.entityType === 'machine'),
    parts: projections.filter((p): p is Of<'part'> => p.entityType === 'part'),
    materials: projections.filter((p): p is Of<'material'> => p.entityType === 'material'),
  }
}

/** Keeps the query tables in step with `writes`, one statement per table (used by the replay). */
export async function upsertProjections(client: PoolClient, writes: EntityWrite[]): Promise<void> {
  const { machines, parts, materials } = projectionsByTable(writes)
  const rows = (cols: string, alias: string) => `jsonb_to_recordset($1::jsonb) AS ${alias}(${cols})`
  if (machines.length > 0) {
    await client.query(upsertMachinesFrom(rows(MACHINE_COLUMNS, 'm')), [
      JSON.stringify(machines.map(machineRow)),
    ])
  }
  if (parts.length > 0) {
    await client.query(upsertPartsFrom(rows(PART_COLUMNS, 'p')), [
      JSON.stringify(parts.map(partRow)),
    ])
  }
  if (materials.length > 0) {
    await client.query(upsertMaterialsFrom(rows(MATERIAL_COLUMNS, 'm')), [
      JSON.stringify(materials.map(materialRow)),
    ])
  }
  const tallies = sumTallies(writes.flatMap((w) => w.partTallies))
  if (tallies.length > 0) {
    await client.query(
      addPartTotalsFrom(
        'unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS t(part_id, produced, scrapped)',
      ),
      [
        tallies.map((t) => t.partId),
        tallies.map((t) => t.produced),
        tallies.map((t) => t.scrapped),
      ],
    )
  }
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
