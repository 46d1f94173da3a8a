import { BoundReached } from '../domain/bounds.js'
import type { DomainEvent, EntityType } from '../domain/events.js'
import type {
  Completion,
  EntityJournal,
  InputOrigin,
  PartTally,
  Projection,
  WriteInput,
} from './ports.js'

/**
 * A message to an entity actor: an input to act on, the caller to tell when it is durable and,
 * in cluster mode, the partition and offset it was read from.
 */
export type EntityMsg<I> = {
  input: I
  idempotencyKey: string
  done: Completion
  origin?: InputOrigin | undefined
}

/** A commit refused because the partition its inputs came from is now another instance's. */
const FENCED = Symbol('fenced')

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

export type EntityActorDeps = {
  journal: EntityJournal
  snapshotEvery: number
  now?: () => number
  /** Told when an input fails alone (its caller is told too, and dead-letters it). */
  onInputFailed?: (entityId: string, error: unknown) => void
}

/** Inputs decided on the same state, to commit as one write. */
type Decided<S, I> = {
  next: S
  events: DomainEvent[]
  /** The inputs the write commits. */
  msgs: EntityMsg<I>[]
  /** What the write records of `msgs`: each one's key and how many events it caused. */
  inputs: WriteInput[]
  /** Copies of an input already in `msgs` (a redelivery): duplicates if the write applies. */
  repeats: EntityMsg<I>[]
  /** Inputs handled in memory and already settled. */
  local: EntityMsg<I>[]
}

/**
 * Behaviour shared by every entity actor. It takes the inputs that queued up while its last
 * commit ran, all at once: recover lazily on the first, decide each in order on the state the
 * previous left, commit them as one write (grouped with other actors' writes), and adopt the
 * new state only once it is durable. Taking them together is what lets one busy machine put
 * more than one message into each transaction.
 *
 * If that write is refused (an input was already committed: a redelivery) or fails, the
 * inputs are taken again one by one from the recovered state, so a duplicate counts once and
 * a bad input fails alone.
 */
export function entityBehaviour<S extends { sequence: number }, I>(
  kind: EntityKind<S, I>,
  deps: EntityActorDeps,
): (entityId: string, current: S | undefined, msgs: EntityMsg<I>[]) => Promise<S | undefined> {
  // Shared by every entity of the kind (the entity id is an argument): a closure per entity
  // would cost each live actor a few hundred bytes.
  const now = deps.now ?? Date.now
  const recover = async (entityId: string): Promise<S> => {
    const state = await deps.journal.load(
      kind.entityType,
      entityId,
      kind.initial(entityId),
      kind.apply,
    )
    return kind.recover ? kind.recover(state, deps.journal) : state
  }

  /**
   * Decides `msgs` in order from `state` into `d`. A failing input throws, or with `failAlone`
   * fails alone.
   */
  const decide = (
    entityId: string,
    state: S,
    msgs: EntityMsg<I>[],
    failAlone: boolean,
    d: Decided<S, I> = { next: state, events: [], msgs: [], inputs: [], repeats: [], local: [] },
  ): Decided<S, I> => {
    const keys = new Set<string>()
    for (const msg of msgs) {
      const local = kind.local?.(d.next, msg.input)
      if (local) {
        d.next = local
        d.local.push(msg)
        msg.done.resolve('applied')
        continue
      }
      if (keys.has(msg.idempotencyKey)) {
        d.repeats.push(msg)
        continue
      }
      let events: DomainEvent[]
      try {
        events = kind.decide(d.next, msg.input, now())
      } catch (err) {
        // Refused at a bound: that input alone, decided on an unchanged state, so the others
        // stay in this write. It is the client's doing, not a failure of the actor.
        if (err instanceof BoundReached) {
          msg.done.reject(err)
          continue
        }
        if (!failAlone) throw err
        msg.done.reject(err)
        deps.onInputFailed?.(entityId, err)
        continue
      }
      keys.add(msg.idempotencyKey)
      d.next = events.reduce(kind.apply, d.next)
      d.events.push(...events)
      d.msgs.push(msg)
      d.inputs.push(
        msg.origin
          ? { idempotencyKey: msg.idempotencyKey, eventCount: events.length, origin: msg.origin }
          : { idempotencyKey: msg.idempotencyKey, eventCount: events.length },
      )
    }
    return d
  }

  /**
   * Commits what was decided; the state to keep, undefined if it was not applied, or FENCED
   * (every input settled as such: trying them again here could only be refused again).
   */
  const commit = async (
    entityId: string,
    state: S,
    d: Decided<S, I>,
  ): Promise<S | undefined | typeof FENCED> => {
    if (d.msgs.length === 0) return d.next
    const every = deps.snapshotEvery
    const outcome = await deps.journal.commit({
      entityType: kind.entityType,
      entityId,
      inputs: d.inputs,
      events: d.events,
      projection: d.events.length > 0 ? kind.project(d.next) : undefined,
      snapshot:
        Math.floor(d.next.sequence / every) > Math.floor(state.sequence / every)
          ? d.next
          : undefined,
      partTallies: kind.tallies?.(d.events) ?? [],
    })
    if (outcome === 'fenced') {
      for (const m of [...d.msgs, ...d.repeats]) m.done.resolve('fenced')
      return FENCED
    }
    if (outcome !== 'applied') return undefined
    if (d.events.length > 0) kind.afterCommit?.(d.next, d.events)
    for (const m of d.msgs) m.done.resolve('applied')
    for (const m of d.repeats) m.done.resolve('duplicate')
    return d.next
  }

  /** One input at a time from `state`: a duplicate or failure affects that input alone. */
  const oneByOne = async (
    entityId: string,
    state: S,
    msgs: EntityMsg<I>[],
  ): Promise<S | undefined> => {
    let current: S | undefined = state
    for (const msg of msgs) {
      current ??= await recover(entityId)
      try {
        const next = await commit(entityId, current, decide(entityId, current, [msg], true))
        if (next === undefined) msg.done.resolve('duplicate')
        current = next === FENCED ? undefined : next
      } catch (err) {
        msg.done.reject(err)
        deps.onInputFailed?.(entityId, err)
        current = undefined
      }
    }
    return current
  }

  return async (entityId, current, msgs) => {
    const state = current ?? (await recover(entityId))
    if (msgs.length === 1) return oneByOne(entityId, state, msgs)
    const decided: Decided<S, I> = {
      next: state,
      events: [],
      msgs: [],
      inputs: [],
      repeats: [],
      local: [],
    }
    try {
      const next = await commit(entityId, state, decide(entityId, state, msgs, false, decided))
      if (next === FENCED) return undefined
      if (next !== undefined) return next
    } catch {
      // Settled below, one by one.
    }
    const settled = new Set(decided.local)
    return oneByOne(
      entityId,
      await recover(entityId),
      msgs.filter((m) => !settled.has(m)),
    )
  }
}
