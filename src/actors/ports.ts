import type { DomainEvent, EntityType } from '../domain/events.js'
import type { MachineState } from '../domain/machine.js'
import type { MaterialState } from '../domain/material.js'
import type { Oee } from '../domain/oee.js'
import type { PartState } from '../domain/part.js'

/** The query-table row an entity's commit keeps in step. */
export type Projection =
  | {
      entityType: 'machine'
      state: MachineState
      oee: Oee
      /** When the machine next needs a tick for its alarms (epoch ms), if ever. */
      alarmDueAt?: number | null
    }
  | { entityType: 'part'; state: PartState }
  | { entityType: 'material'; state: MaterialState }

/** Parts a machine produced, added to the part totals in the same transaction. */
export type PartTally = { partId: number; produced: number; scrapped: number }

/**
 * Where an input was read, when it came through a partition of the Kafka ingest topic
 * (cluster mode): the partition, the epoch this instance claimed it under, and the offset.
 */
export type InputOrigin = { topic: string; partition: number; epoch: number; offset: number }

/**
 * One input a write commits: its idempotency key, how many of the write's events it caused and,
 * in cluster mode, where it was read (its commit is refused if that partition moved on).
 */
export type WriteInput = { idempotencyKey: string; eventCount: number; origin?: InputOrigin }

/**
 * One actor's committed change: its events, the inputs that caused them (one or several taken
 * together), the state after. It applies whole or not at all: if any input's key was already
 * committed, nothing of it is, and the outcome is `duplicate`.
 */
export type EntityWrite = {
  entityType: EntityType
  entityId: string
  /** In order; their events follow each other in `events` in the same order. */
  inputs: WriteInput[]
  events: DomainEvent[]
  /** Unset when the input changed nothing (only its idempotency key is recorded). */
  projection: Projection | undefined
  /** Set when the state should also be saved as a snapshot for faster recovery. */
  snapshot: unknown
  partTallies: PartTally[]
}

/**
 * `applied`: committed now. `duplicate`: (one of) the same input(s) had already been committed.
 * `fenced`: nothing committed, because an input's partition is now another instance's.
 */
export type CommitOutcome = 'applied' | 'duplicate' | 'fenced'

/** What entity actors need from storage. PostgreSQL in production, fakes in unit tests. */
export interface EntityJournal {
  /** Latest snapshot (or `initial`) plus the events after it, folded with `apply`. */
  load<S extends { sequence: number }>(
    entityType: EntityType,
    entityId: string,
    initial: S,
    apply: (state: S, event: DomainEvent) => S,
  ): Promise<S>
  /** Durably commits one write (grouped with others); resolves after the commit. */
  commit(write: EntityWrite): Promise<CommitOutcome>
  /** Production totals of a part over all machines. */
  partTotals(partId: number): Promise<{ produced: number; scrapped: number }>
}

/** Ideal cycle times of parts, kept current by part actors, read by machine actors. */
export interface PartCatalog {
  idealCycleSeconds(partId: number): number | null
  set(partId: number, seconds: number): void
}

/** Settles the caller's wait for one message. */
export type Completion = {
  resolve(outcome: CommitOutcome): void
  reject(error: unknown): void
}
