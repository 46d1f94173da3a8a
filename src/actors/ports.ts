import type { DomainEvent, EntityType } from '../domain/events.js'
import type { MachineState } from '../domain/machine.js'

/** One actor's committed change: its events, the input that caused them, the state after. */
export type EntityWrite = {
  entityType: EntityType
  entityId: string
  idempotencyKey: string
  events: DomainEvent[]
  state: MachineState
  /** Set when the state should also be saved as a snapshot for faster recovery. */
  snapshot: boolean
}

/** `applied`: committed now. `duplicate`: the same input had already been committed. */
export type CommitOutcome = 'applied' | 'duplicate'

/** What the machine actor needs from storage. PostgreSQL in production, fakes in unit tests. */
export interface MachineJournal {
  /** Latest snapshot plus the events after it, folded into a state. */
  loadMachine(machineId: string): Promise<MachineState>
  /** Durably commits one write (grouped with others); resolves after the commit. */
  commit(write: EntityWrite): Promise<CommitOutcome>
}

/** Settles the caller's wait for one message. */
export type Completion = {
  resolve(outcome: CommitOutcome): void
  reject(error: unknown): void
}
