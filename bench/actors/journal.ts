import type { CommitOutcome, EntityJournal, EntityWrite } from '../../src/actors/ports'
import { PartTotals } from '../../harness/part-totals'
import type { DomainEvent, EntityType } from '../../src/domain/events'

/**
 * A journal that keeps only what recovery needs: each entity's latest state, serialised as a
 * snapshot would be. Unlike test/doubles/in-memory-journal.ts it keeps no event list (which
 * would grow with every message and be the journal's memory, not the actors'), and holds its
 * own copy of the state, so clearing it measures its share of the heap apart from the actors'.
 * Idempotency keys are not kept: the bench never sends a message twice.
 */
export class LatestStateJournal implements EntityJournal {
  private readonly states = new Map<string, string>()
  private readonly totals = new PartTotals()
  commits = 0

  load<S extends { sequence: number }>(
    entityType: EntityType,
    entityId: string,
    initial: S,
    _apply: (state: S, event: DomainEvent) => S,
  ): Promise<S> {
    const saved = this.states.get(`${entityType}/${entityId}`)
    return Promise.resolve(saved === undefined ? initial : (JSON.parse(saved) as S))
  }

  commit(write: EntityWrite): Promise<CommitOutcome> {
    this.commits += 1
    if (write.projection) {
      this.states.set(
        `${write.entityType}/${write.entityId}`,
        JSON.stringify(write.projection.state),
      )
    }
    this.totals.add(write.partTallies)
    return Promise.resolve('applied')
  }

  partTotals(partId: number): Promise<{ produced: number; scrapped: number }> {
    return Promise.resolve(this.totals.get(partId))
  }

  /** Entities with a saved state. */
  size(): number {
    return this.states.size
  }

  /** Forgets every saved state, so a GC afterwards shows how much heap the journal held. */
  clear(): void {
    this.states.clear()
    this.totals.clear()
  }
}
