import { newEventId } from './event-id.js'
import type { PartInfoUpdated } from './events.js'

/**
 * A part's reference data from its own events. Production totals over all machines are kept
 * by the machines' commits (same transaction as each PartProduced) and told to the part actor.
 */
export type PartState = {
  partId: number
  sequence: number
  defaultPrice: number | null
  timeToProduce: number | null
  materials: string[]
  infoUpdatedAt: number | null
  produced: number
  scrapped: number
}

export type PartInput =
  | {
      kind: 'part-info'
      defaultPrice: number
      timeToProduce: number
      materials: string[]
      at: number
    }
  | { kind: 'part-output'; damaged: boolean }

export function initialPartState(partId: number): PartState {
  return {
    partId,
    sequence: 0,
    defaultPrice: null,
    timeToProduce: null,
    materials: [],
    infoUpdatedAt: null,
    produced: 0,
    scrapped: 0,
  }
}

export function applyPartEvent(s: PartState, e: PartInfoUpdated): PartState {
  return {
    ...s,
    sequence: e.sequence,
    defaultPrice: e.defaultPrice,
    timeToProduce: e.timeToProduce,
    materials: e.materials,
    infoUpdatedAt: e.occurredAt,
  }
}

export function decidePart(
  s: PartState,
  input: Extract<PartInput, { kind: 'part-info' }>,
  now: number,
): PartInfoUpdated[] {
  const same =
    s.defaultPrice === input.defaultPrice &&
    s.timeToProduce === input.timeToProduce &&
    s.materials.join('\0') === input.materials.join('\0')
  if (same) return []
  return [
    {
      eventId: newEventId(),
      type: 'PartInfoUpdated',
      key: String(s.partId),
      sequence: s.sequence + 1,
      occurredAt: input.at,
      recordedAt: now,
      partId: s.partId,
      defaultPrice: input.defaultPrice,
      timeToProduce: input.timeToProduce,
      materials: input.materials,
    },
  ]
}

/** Counts a part a machine produced (already durable in the machine's commit). */
export function countOutput(s: PartState, damaged: boolean): PartState {
  // One literal of every field: a spread with fields after it costs more, once per part made.
  return {
    partId: s.partId,
    sequence: s.sequence,
    defaultPrice: s.defaultPrice,
    timeToProduce: s.timeToProduce,
    materials: s.materials,
    infoUpdatedAt: s.infoUpdatedAt,
    produced: s.produced + 1,
    scrapped: s.scrapped + (damaged ? 1 : 0),
  }
}
