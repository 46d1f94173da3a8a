import { partFold } from '../domain/entity-folds.js'
import { countOutput, decidePart, type PartInput, type PartState } from '../domain/part.js'
import type { EntityKind } from './entity-actor.js'
import type { PartCatalog } from './ports.js'

/**
 * The part entity: reference data from its own events; totals over all machines from what
 * machines tell it (durable in their commits, so recovery reads them back from the store).
 */
export function partKind(catalog: PartCatalog): EntityKind<PartState, PartInput> {
  return {
    entityType: 'part',
    ...partFold,
    decide: (s, input, now) => (input.kind === 'part-info' ? decidePart(s, input, now) : []),
    project: (s) => ({ entityType: 'part', state: s }),
    local: (s, input) => (input.kind === 'part-output' ? countOutput(s, input.damaged) : undefined),
    recover: async (s, journal) => ({ ...s, ...(await journal.partTotals(s.partId)) }),
    afterCommit: (s) => {
      if (s.timeToProduce !== null) catalog.set(s.partId, s.timeToProduce)
    },
  }
}
