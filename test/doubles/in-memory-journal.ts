import type { CommitOutcome, EntityWrite, MachineJournal } from '../../src/actors/ports'
import type { DomainEvent } from '../../src/domain/events'
import { applyMachineEvent, initialMachineState, type MachineState } from '../../src/domain/machine'

/** A journal kept in memory with the same idempotency rule as PostgreSQL's. */
export class InMemoryJournal implements MachineJournal {
  readonly events: DomainEvent[] = []
  readonly claimed = new Set<string>()
  loads = 0

  loadMachine(machineId: string): Promise<MachineState> {
    this.loads += 1
    return Promise.resolve(
      this.events
        .filter((e) => e.key === machineId)
        .reduce(applyMachineEvent, initialMachineState(machineId)),
    )
  }

  commit(write: EntityWrite): Promise<CommitOutcome> {
    const key = `${write.entityId}/${write.idempotencyKey}`
    if (this.claimed.has(key)) return Promise.resolve('duplicate')
    this.claimed.add(key)
    this.events.push(...write.events)
    return Promise.resolve('applied')
  }
}

/** Fails the commits whose report matches `failWhen`, like a store that rejects a bad write. */
export class PartlyFailingJournal extends InMemoryJournal {
  constructor(private readonly failWhen: (write: EntityWrite) => boolean) {
    super()
  }

  override commit(write: EntityWrite): Promise<CommitOutcome> {
    if (this.failWhen(write)) return Promise.reject(new Error('constraint violated'))
    return super.commit(write)
  }
}
