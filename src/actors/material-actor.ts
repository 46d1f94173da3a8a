import type { MaterialPriceRecorded } from '../domain/events.js'
import {
  applyMaterialEvent,
  decideMaterial,
  initialMaterialState,
  type MaterialInput,
  type MaterialState,
} from '../domain/material.js'
import type { EntityKind } from './entity-actor.js'

/** The material entity: name and price history. */
export const materialKind: EntityKind<MaterialState, MaterialInput> = {
  entityType: 'material',
  initial: (id) => initialMaterialState(id),
  apply: (s, e) => applyMaterialEvent(s, e as MaterialPriceRecorded),
  decide: (s, input, now) => decideMaterial(s, input, now),
  project: (s) => ({ entityType: 'material', state: s }),
}
