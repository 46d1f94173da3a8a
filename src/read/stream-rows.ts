import type { EntityType } from '../domain/events.js'
import type { PendingUpdate } from './coalescer.js'
import type { CatalogReads, DeadLetterReads, MachineReads } from './ports.js'

/** The stores an update's data is read from. */
export type StreamStores = {
  machines: Pick<MachineReads, 'many'>
  catalog: Pick<CatalogReads, 'manyParts' | 'manyMaterials'>
  deadLetters: Pick<DeadLetterReads, 'many'>
}

/** JSON text of each entity's current row, by kind and entity id. */
export type RowTexts = Record<EntityType, Map<string, string>>

/**
 * Reads the current row of every entity the updates name, one query per kind for all of them
 * (every subscriber's updates of one flush together), each row written as JSON once. A dead
 * letter's "entity" is its source; its row is the newest letter the log named for it.
 */
export async function readRows(
  stores: StreamStores,
  updates: readonly PendingUpdate[],
): Promise<RowTexts> {
  const ids = (kind: EntityType) => [
    ...new Set(updates.filter((u) => u.kind === kind).map((u) => idOf(u))),
  ]
  const [machines, parts, materials, letters] = await Promise.all([
    when(ids('machine'), (x) => stores.machines.many(x)),
    when(ids('part').map(Number), (x) => stores.catalog.manyParts(x)),
    when(ids('material'), (x) => stores.catalog.manyMaterials(x)),
    when(ids('deadletter').map(Number), (x) => stores.deadLetters.many(x)),
  ])
  return {
    machine: new Map(machines.map((m) => [m.machineId, JSON.stringify(m)])),
    part: new Map(parts.map((p) => [String(p.partId), JSON.stringify(p)])),
    material: new Map(materials.map((m) => [m.materialId, JSON.stringify(m)])),
    deadletter: new Map(
      letters.map((l) => [
        String(l.id),
        JSON.stringify({
          id: l.id,
          source: l.source,
          reason: l.reason,
          receivedAt: l.receivedAt.toISOString(),
          recordedAt: l.recordedAt.toISOString(),
        }),
      ]),
    ),
    // Not a kind the stream serves: a classification shows in the downtime records.
    downtime: new Map(),
  }
}

/**
 * The data of one update, or undefined when its row is gone. A machine's update also says
 * which kinds of event changed it (a part produced, a state change, readings).
 */
export function updateData(rows: RowTexts, update: PendingUpdate): string | undefined {
  const row = rows[update.kind].get(idOf(update))
  if (row === undefined) return undefined
  return update.kind === 'machine'
    ? `{"machine":${row},"types":${JSON.stringify(update.types)}}`
    : row
}

/** How the update's row is found: by entity id, a dead letter by the letter's own id. */
const idOf = (u: PendingUpdate): string =>
  u.kind === 'deadletter' ? String(u.sequence) : u.entityId

async function when<I, T>(ids: I[], read: (ids: I[]) => Promise<T[]>): Promise<T[]> {
  return ids.length === 0 ? [] : read(ids)
}
