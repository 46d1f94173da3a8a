import type {
  DomainEvent,
  EntityType,
  MachineEvent,
  MaterialPriceRecorded,
  PartInfoUpdated,
} from './events.js'
import { applyMachineEvent, initialMachineState, type MachineState } from './machine.js'
import { applyMaterialEvent, initialMaterialState, type MaterialState } from './material.js'
import { applyPartEvent, initialPartState, type PartState } from './part.js'
import type { MachineRules } from './rules.js'

/** How an entity's state is folded from its events: where it starts and how one event moves it. */
export type EntityFold<S extends { sequence: number } = { sequence: number }> = {
  initial: (entityId: string) => S
  apply: (state: S, event: DomainEvent) => S
}

export const machineFold = (rules: MachineRules): EntityFold<MachineState> => ({
  initial: (id) => initialMachineState(id, rules),
  apply: (s, e) => applyMachineEvent(s, e as MachineEvent, rules),
})

export const partFold: EntityFold<PartState> = {
  initial: (id) => initialPartState(Number(id)),
  apply: (s, e) => applyPartEvent(s, e as PartInfoUpdated),
}

export const materialFold: EntityFold<MaterialState> = {
  initial: (id) => initialMaterialState(id),
  apply: (s, e) => applyMaterialEvent(s, e as MaterialPriceRecorded),
}

/**
 * The fold of each kind of entity that has state (dead letters and downtime records' classifications have none). Actors recover with
 * these, and whatever folds state outside an actor (a snapshot taken before retention drops
 * the events under it) takes them from here, so the two cannot differ.
 */
export function entityFold(
  type: Exclude<EntityType, 'deadletter' | 'downtime'>,
  rules: MachineRules,
): EntityFold {
  const fold = type === 'machine' ? machineFold(rules) : type === 'part' ? partFold : materialFold
  return fold as unknown as EntityFold
}
