import type { CommitOutcome, EntityJournal, EntityWrite } from '../../src/actors/ports'
import type { DomainEvent, EntityType } from '../../src/domain/events'

/** A journal kept in memory with the same idempotency and tally rules as PostgreSQL's. */
export class InMemoryJournal implements EntityJournal {
  readonly events: (DomainEvent & { entityType: EntityType })[] = []
  readonly claimed = new Set<string>()
  readonly totals = new Map<number, { produced: number; scrapped: number }>()
  loads = 0

  load<S extends { sequence: number }>(
    entityType: EntityType,
    entityId: string,
    initial: S,
    apply: (state: S, event: DomainEvent) => S,
  ): Promise<S> {
    this.loads += 1
    return Promise.resolve(
      this.events
        .filter((e) => e.entityType === entityType && e.key === entityId)
        .reduce(apply, initial),
    )
  }

  commit(write: EntityWrite): Promise<CommitOutcome> {
    const key = `${write.entityType}/${write.entityId}/${write.idempotencyKey}`
    if (this.claimed.has(key)) return Promise.resolve('duplicate')
    this.claimed.add(key)
    this.events.push(...write.events.map((e) => ({ ...e, entityType: write.entityType })))
    for (const t of write.partTallies) {
      const sum = this.totals.get(t.partId) ?? { produced: 0, scrapped: 0 }
      this.totals.set(t.partId, {
        produced: sum.produced + t.produced,
        scrapped: sum.scrapped + t.scrapped,
      })
    }
    return Promise.resolve('applied')
  }

  partTotals(partId: number): Promise<{ produced: number; scrapped: number }> {
    return Promise.resolve(this.totals.get(partId) ?? { produced: 0, scrapped: 0 })
  }

  machineEvents(machineId: string): DomainEvent[] {
    return this.events.filter((e) => e.entityType === 'machine' && e.key === machineId)
  }
}

/** Fails the commits that match `failWhen`, like a store that rejects a bad write. */
export class PartlyFailingJournal extends InMemoryJournal {
  constructor(private readonly failWhen: (write: EntityWrite) => boolean) {
    super()
  }

  override commit(write: EntityWrite): Promise<CommitOutcome> {
    if (this.failWhen(write)) return Promise.reject(new Error('constraint violated'))
    return super.commit(write)
  }
}
