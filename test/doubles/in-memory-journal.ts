import type { CommitOutcome, EntityJournal, EntityWrite } from '../../src/actors/ports'
import { PartTotals } from '../../harness/part-totals'
import type { DomainEvent, EntityType } from '../../src/domain/events'

/** A journal kept in memory with the same idempotency and tally rules as PostgreSQL's. */
export class InMemoryJournal implements EntityJournal {
  readonly events: (DomainEvent & { entityType: EntityType })[] = []
  readonly claimed = new Set<string>()
  readonly totals = new PartTotals()
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
    const keys = write.inputs.map(
      (i) => `${write.entityType}/${write.entityId}/${i.idempotencyKey}`,
    )
    if (keys.some((key) => this.claimed.has(key))) return Promise.resolve('duplicate')
    for (const key of keys) this.claimed.add(key)
    this.events.push(...write.events.map((e) => ({ ...e, entityType: write.entityType })))
    this.totals.add(write.partTallies)
    return Promise.resolve('applied')
  }

  partTotals(partId: number): Promise<{ produced: number; scrapped: number }> {
    return Promise.resolve(this.totals.get(partId))
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

/** Takes `delayMs` per commit and counts them, like a busy store: inputs queue up meanwhile. */
export class SlowJournal extends InMemoryJournal {
  commits = 0

  constructor(
    private readonly delayMs: number,
    private readonly failWhen: (write: EntityWrite) => boolean = () => false,
  ) {
    super()
  }

  override async commit(write: EntityWrite): Promise<CommitOutcome> {
    this.commits += 1
    await new Promise((r) => setTimeout(r, this.delayMs))
    if (this.failWhen(write)) throw new Error('constraint violated')
    return super.commit(write)
  }
}
