import type { Pool } from 'pg'
import type { DomainEvent } from '../domain/events.js'
import type { MachineRules } from '../domain/rules.js'
import type { Logger } from '../logger.js'
import { upsertProjections } from '../journal/projections.js'
import { inTransaction } from '../journal/transaction.js'
import { asWrites, foldHistory } from './fold-state.js'

/**
 * Replaces the state tables with the state folded from `events`, in one transaction: an
 * interrupted rebuild leaves the old tables as they were, and running it again starts over.
 */
export async function rebuildStateTables(
  pool: Pool,
  events: DomainEvent[],
  rules: MachineRules,
  log: Logger,
): Promise<{ machines: number; parts: number; materials: number }> {
  const folded = foldHistory(events, rules)
  const count = (t: string) => folded.projections.filter((p) => p.entityType === t).length
  await inTransaction(pool, async (client) => {
    await client.query('TRUNCATE machine_state, part_state, material_state')
    await upsertProjections(client, asWrites(folded))
  })
  const summary = { machines: count('machine'), parts: count('part'), materials: count('material') }
  log.info({ events: events.length, ...summary }, 'state tables rebuilt')
  return summary
}
