import type { Pool } from 'pg'
import type { CatalogReads, MaterialView, PartView, PricePoint } from './ports.js'

// Still importable from here, where the integration tests take it from.
export type { PartView }

const PART_SQL = `
  SELECT p.part_id, p.default_price, p.time_to_produce, p.materials, p.produced, p.scrapped, p.info_updated_at,
         CASE WHEN cardinality(p.materials) = 0 THEN 0
              WHEN count(m.material_id) < cardinality(p.materials) THEN NULL
              ELSE sum(m.price) END AS unit_material_cost
    FROM part_state p
    LEFT JOIN material_state m ON m.material_id = ANY (p.materials)`

type PartRow = {
  part_id: number
  default_price: number | null
  time_to_produce: number | null
  materials: string[]
  produced: number
  scrapped: number
  info_updated_at: Date | null
  unit_material_cost: number | null
}

/** Read side of parts and materials. Unit cost is joined at read time, so it is never stale. */
export class CatalogQueries implements CatalogReads {
  constructor(private readonly pool: Pool) {}

  async part(partId: number): Promise<PartView | undefined> {
    const r = await this.pool.query<PartRow>(
      `${PART_SQL} WHERE p.part_id = $1 GROUP BY p.part_id`,
      [partId],
    )
    return r.rows[0] && toPart(r.rows[0])
  }

  async parts(limit: number, offset: number): Promise<PartView[]> {
    const r = await this.pool.query<PartRow>(
      `${PART_SQL} GROUP BY p.part_id ORDER BY p.part_id LIMIT $1 OFFSET $2`,
      [limit, offset],
    )
    return r.rows.map(toPart)
  }

  async manyParts(partIds: readonly number[]): Promise<PartView[]> {
    const r = await this.pool.query<PartRow>(
      `${PART_SQL} WHERE p.part_id = ANY($1::bigint[]) GROUP BY p.part_id`,
      [partIds],
    )
    return r.rows.map(toPart)
  }

  async material(materialId: string): Promise<MaterialView | undefined> {
    return (await this.materialRows('WHERE material_id = $1', [materialId]))[0]
  }

  materials(limit: number, offset: number): Promise<MaterialView[]> {
    return this.materialRows('ORDER BY material_id LIMIT $1 OFFSET $2', [limit, offset])
  }

  manyMaterials(materialIds: readonly string[]): Promise<MaterialView[]> {
    return this.materialRows('WHERE material_id = ANY($1::text[])', [materialIds])
  }

  async priceHistory(materialId: string, limit: number): Promise<PricePoint[]> {
    const r = await this.pool.query<{ price: number; date: number; recorded_at: Date }>(
      `SELECT (payload->>'price')::float8 AS price, (payload->>'date')::float8 AS date, recorded_at
         FROM event_log WHERE entity_type = 'material' AND entity_id = $1 AND type = 'MaterialPriceRecorded'
        ORDER BY sequence DESC LIMIT $2`,
      [materialId, limit],
    )
    return r.rows.map((row) => ({
      price: row.price,
      date: new Date(row.date).toISOString(),
      recordedAt: row.recorded_at.toISOString(),
    }))
  }

  private async materialRows(where: string, params: unknown[]): Promise<MaterialView[]> {
    const r = await this.pool.query<{
      material_id: string
      name: string
      price: number
      price_date: Date
      sequence: number
    }>(`SELECT material_id, name, price, price_date, sequence FROM material_state ${where}`, params)
    return r.rows.map((row) => ({
      materialId: row.material_id,
      name: row.name,
      price: row.price,
      priceDate: row.price_date.toISOString(),
      sequence: row.sequence,
    }))
  }
}

function toPart(r: PartRow): PartView {
  return {
    partId: r.part_id,
    defaultPrice: r.default_price,
    timeToProduce: r.time_to_produce,
    materials: r.materials,
    produced: r.produced,
    scrapped: r.scrapped,
    unitMaterialCost: r.unit_material_cost,
    infoUpdatedAt: r.info_updated_at ? r.info_updated_at.toISOString() : null,
  }
}
