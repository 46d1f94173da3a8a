import { entityOfType } from '../domain/event-catalog.js'
import type { DomainEvent } from '../domain/events.js'
import { applyMachineEvent, initialMachineState, machineOee } from '../domain/machine.js'
import { applyMaterialEvent, initialMaterialState } from '../domain/material.js'
import { applyPartEvent, initialPartState, type PartState } from '../domain/part.js'
import type { MachineRules } from '../domain/rules.js'
import type { EntityWrite, PartTally, Projection } from '../actors/ports.js'

/**
 * Folds an event history into the state of every entity, as the actors would have it.
 * Events may come in any order across topics and with duplicates (at-least-once delivery):
 * they are de-duplicated by event id and applied per entity in sequence order.
 */
export function foldHistory(
  events: Iterable<DomainEvent>,
  rules: MachineRules,
): { projections: Projection[]; tallies: PartTally[] } {
  const byEntity = new Map<string, Map<string, DomainEvent>>()
  for (const e of events) {
    const kind = entityOfType(e.type)
    if (kind === 'deadletter' || kind === 'downtime') continue
    const entity = `${kind}/${e.key}`
    const list = byEntity.get(entity) ?? new Map<string, DomainEvent>()
    list.set(e.eventId, e)
    byEntity.set(entity, list)
  }
  const projections: Projection[] = []
  const tallies = new Map<number, PartTally>()
  const parts = new Map<number, PartState>()
  for (const [entity, unique] of byEntity) {
    const ordered = [...unique.values()].sort((a, b) => a.sequence - b.sequence)
    const id = entity.slice(entity.indexOf('/') + 1)
    switch (entityOfType((ordered[0] as DomainEvent).type)) {
      case 'machine': {
        const state = ordered.reduce(
          (s, e) => applyMachineEvent(s, e as Parameters<typeof applyMachineEvent>[1], rules),
          initialMachineState(id, rules),
        )
        projections.push({ entityType: 'machine', state, oee: machineOee(state, rules) })
        for (const e of ordered) {
          if (e.type !== 'PartProduced') continue
          const t = tallies.get(e.partId) ?? { partId: e.partId, produced: 0, scrapped: 0 }
          t.produced += 1
          t.scrapped += e.damaged ? 1 : 0
          tallies.set(e.partId, t)
        }
        break
      }
      case 'part': {
        const state = ordered.reduce(
          (s, e) => applyPartEvent(s, e as Parameters<typeof applyPartEvent>[1]),
          initialPartState(Number(id)),
        )
        parts.set(state.partId, state)
        break
      }
      case 'material': {
        const state = ordered.reduce(
          (s, e) => applyMaterialEvent(s, e as Parameters<typeof applyMaterialEvent>[1]),
          initialMaterialState(id),
        )
        projections.push({ entityType: 'material', state })
        break
      }
    }
  }
  for (const state of parts.values()) projections.push({ entityType: 'part', state })
  return { projections, tallies: [...tallies.values()] }
}

/** The folded state as writes the projection upserts understand. */
export function asWrites(folded: {
  projections: Projection[]
  tallies: PartTally[]
}): EntityWrite[] {
  const writes: EntityWrite[] = folded.projections.map((projection) => ({
    entityType: projection.entityType,
    entityId: '',
    inputs: [],
    events: [],
    projection,
    snapshot: undefined,
    partTallies: [],
  }))
  if (folded.tallies.length > 0) {
    writes.push({
      entityType: 'part',
      entityId: '',
      inputs: [],
      events: [],
      projection: undefined,
      snapshot: undefined,
      partTallies: folded.tallies,
    })
  }
  return writes
}
