import type { EntityType } from '../domain/events.js'
import type { EventType } from '../domain/event-catalog.js'
import { compareCursors, type LogCursor } from './log-cursor.js'
import type { LogChange } from './log-tail.js'

/** One entity's changes since its last update: the newest cursor and every event type seen. */
export type PendingUpdate = {
  kind: EntityType
  entityId: string
  /** The newest change's place in the log: the update's id. */
  cursor: LogCursor
  /** The newest change's sequence in its entity's stream (a dead letter's id). */
  sequence: number
  types: EventType[]
}

type Entry = {
  kind: EntityType
  entityId: string
  cursor: LogCursor
  sequence: number
  types: Set<EventType>
}

/**
 * A subscriber's changes not yet sent, one entry per entity: however many events an entity
 * gets while a client reads slowly, it holds one entry, so memory is bounded by the entities.
 */
export class Coalescer {
  private readonly pending = new Map<string, Entry>()

  /** Entities waiting to be sent. */
  get size(): number {
    return this.pending.size
  }

  add(change: LogChange): void {
    this.merge(change.kind, change.entityId, change.cursor, change.sequence, [change.type])
  }

  /** Takes in every entry of `other` (a resume's catch-up, older than what this one holds). */
  absorb(other: Coalescer): void {
    for (const e of other.pending.values())
      this.merge(e.kind, e.entityId, e.cursor, e.sequence, e.types)
    other.pending.clear()
  }

  /**
   * Removes and returns at most `limit` updates, oldest newest-change first: sent in this
   * order, every id a client has seen means it has every change up to there, so a resume from
   * any id misses nothing. Entities left behind are all newer than the ones taken.
   */
  take(limit = Number.POSITIVE_INFINITY): PendingUpdate[] {
    const ordered = [...this.pending.entries()].sort(([, a], [, b]) =>
      compareCursors(a.cursor, b.cursor),
    )
    return ordered.slice(0, limit).map(([key, e]) => {
      this.pending.delete(key)
      return {
        kind: e.kind,
        entityId: e.entityId,
        cursor: e.cursor,
        sequence: e.sequence,
        types: [...e.types],
      }
    })
  }

  /** Forgets the entities whose newest change is at or before `cursor` (the client has them). */
  dropThrough(cursor: LogCursor): void {
    for (const [key, e] of this.pending)
      if (compareCursors(e.cursor, cursor) <= 0) this.pending.delete(key)
  }

  /** Puts taken updates back (their sending failed), merged with what came since. */
  putBack(updates: readonly PendingUpdate[]): void {
    for (const u of updates) this.merge(u.kind, u.entityId, u.cursor, u.sequence, u.types)
  }

  private merge(
    kind: EntityType,
    entityId: string,
    cursor: LogCursor,
    sequence: number,
    types: Iterable<EventType>,
  ): void {
    const key = `${kind}\u0000${entityId}`
    const entry = this.pending.get(key)
    if (!entry) {
      this.pending.set(key, { kind, entityId, cursor, sequence, types: new Set(types) })
      return
    }
    if (compareCursors(cursor, entry.cursor) > 0) {
      entry.cursor = cursor
      entry.sequence = sequence
    }
    for (const t of types) entry.types.add(t)
  }
}

/** Which changes a subscriber asked for: kinds of entity, and for machines, which ones. */
export type StreamFilter = {
  kinds: ReadonlySet<EntityType>
  /** Only these machines (other kinds are not narrowed by it); every machine when absent. */
  machines?: ReadonlySet<string>
}

export function acceptsChange(filter: StreamFilter, change: LogChange): boolean {
  if (!filter.kinds.has(change.kind)) return false
  return change.kind !== 'machine' || !filter.machines || filter.machines.has(change.entityId)
}
