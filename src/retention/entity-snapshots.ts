import type { Pool } from 'pg'
import { entityFold } from '../domain/entity-folds.js'
import type { MachineRules } from '../domain/rules.js'
import { foldEntityState } from '../journal/entity-journal.js'
import type { EntityBehindSnapshot } from './partition-checks.js'

/*
 * Kept only if newer than the snapshot there: an actor that committed meanwhile has saved a
 * later one, and retention's must not take it back.
 */
const SAVE_SNAPSHOT = `
INSERT INTO snapshots (entity_type, entity_id, sequence, state) VALUES ($1, $2, $3, $4::jsonb)
ON CONFLICT (entity_type, entity_id) DO UPDATE
  SET sequence = EXCLUDED.sequence, state = EXCLUDED.state, taken_at = now()
  WHERE snapshots.sequence < EXCLUDED.sequence`

/**
 * Snapshots each entity at the head of its events, folded as its actor recovers it, so that
 * recovering it never reads the partition about to be dropped. Resolves with how many it saved.
 */
export async function snapshotEntities(
  pool: Pool,
  entities: readonly EntityBehindSnapshot[],
  rules: MachineRules,
): Promise<number> {
  for (const { entityType, entityId, upTo } of entities) {
    const fold = entityFold(entityType, rules)
    const state = await foldEntityState(
      pool,
      entityType,
      entityId,
      fold.initial(entityId),
      fold.apply,
    )
    if (state.sequence < upTo)
      throw new Error(`${entityType} ${entityId} folds to ${state.sequence}, short of ${upTo}`)
    await pool.query(SAVE_SNAPSHOT, [entityType, entityId, state.sequence, JSON.stringify(state)])
  }
  return entities.length
}
