import { materialFold } from '../domain/entity-folds.js'
import { decideMaterial, type MaterialInput, type MaterialState } from '../domain/material.js'
import type { EntityKind } from './entity-actor.js'

/** The material entity: name and price history. */
export const materialKind: EntityKind<MaterialState, MaterialInput> = {
  entityType: 'material',
  ...materialFold,
  decide: (s, input, now) => decideMaterial(s, input, now),
  project: (s) => ({ entityType: 'material', state: s }),
}
