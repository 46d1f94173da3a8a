import type { DomainEvent, EntityType } from '../domain/events.js'
import type { Completion, EntityJournal, PartTally, Projection } from './ports.js'

/** A message to an entity actor: an input to act on and the caller to tell when it is durable. */
export type EntityMsg<I> = { input: I; idempotencyKey: string; done: Completion }

/** What makes one kind of entity: its rules, as pure functions, and its hooks. */
export type EntityKind<S extends { sequence: number }, I> = {
  entityType: EntityType
  initial: (entityId: string) => S
  apply: (state: S, event: DomainEvent) => S
  /** The events an input causes; an empty list means it changes nothing. */
  decide: (state: S, input: I, now: number) => DomainEvent[]
  project: (state: S) => Projection
  /** Inputs handled in memory only, because their effect is already durable elsewhere. */
  local?: (state: S, input: I) => S | undefined
  tallies?: (events: DomainEvent[]) => PartTally[]
  /** Extra recovery beyond snapshot + events (e.g. totals kept by other entities' commits). */
  recover?: (state: S, journal: EntityJournal) => Promise<S>
  /** Runs after a commit was applied (tell other actors, refresh catalogs). */
  afterCommit?: (state: S, events: DomainEvent[]) => void
}

export type EntityActorDeps = { journal: EntityJournal; snapshotEvery: number; now?: () => number }

/**
 * Behaviour shared by every entity actor: recover lazily on the first message, decide, commit
 * (grouped with other actors' commits), and adopt the new state only once it is durable.
 * A duplicate input leaves the state to be recovered again: an earlier attempt may have
 * committed after all.
 */
export function entityBehaviour<S extends { sequence: number }, I>(
  kind: EntityKind<S, I>,
  entityId: string,
  deps: EntityActorDeps,
) {
  const now = deps.now ?? Date.now
  const recover = async (): Promise<S> => {
    const state = await deps.journal.load(
      kind.entityType,
      entityId,
      kind.initial(entityId),
      kind.apply,
    )
    return kind.recover ? kind.recover(state, deps.journal) : state
  }
  return async (current: S | undefined, msg: EntityMsg<I>): Promise<S | undefined> => {
    const state = current ?? (await recover())
    const local = kind.local?.(state, msg.input)
    if (local) {
      msg.done.resolve('applied')
      return local
    }
    const events = kind.decide(state, msg.input, now())
    const next = events.reduce(kind.apply, state)
    const every = deps.snapshotEvery
    const outcome = await deps.journal.commit({
      entityType: kind.entityType,
      entityId,
      idempotencyKey: msg.idempotencyKey,
      events,
      projection: events.length > 0 ? kind.project(next) : undefined,
      snapshot:
        Math.floor(next.sequence / every) > Math.floor(state.sequence / every) ? next : undefined,
      partTallies: kind.tallies?.(events) ?? [],
    })
    if (outcome === 'applied' && events.length > 0) kind.afterCommit?.(next, events)
    msg.done.resolve(outcome)
    return outcome === 'applied' ? next : undefined
  }
}
