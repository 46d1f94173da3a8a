import type { AlarmEvent } from '../events.js'
import type { AlarmRule, TrackedRule } from './alarm-rule.js'
import {
  acknowledged,
  cleared,
  isActive,
  raised,
  type AlarmEntry,
  type Shelf,
} from './alarm-lifecycle.js'
import { rememberRaise } from './chattering.js'
import { nextTrack, type ConditionInputs, type ConditionTrack } from './condition-track.js'

/**
 * A machine's alarms, part of its state and folded from its events like the rest of it: the
 * tracked conditions, the alarms that are not normal, the shelved ones and each rule's recent
 * raise times (for chattering). Keyed by rule id.
 */
export type AlarmBook = {
  readonly tracks: Readonly<Record<string, ConditionTrack>>
  readonly alarms: Readonly<Record<string, AlarmEntry>>
  readonly shelves: Readonly<Record<string, Shelf>>
  readonly raises: Readonly<Record<string, readonly number[]>>
}

/** The book of a machine with no alarm history; shared, never changed in place. */
export const EMPTY_BOOK: AlarmBook = Object.freeze({
  tracks: Object.freeze({}),
  alarms: Object.freeze({}),
  shelves: Object.freeze({}),
  raises: Object.freeze({}),
})

/** The rules in force, read at each use so that a reload applies from the next input on. */
export type AlarmRuleSource = { current(): readonly AlarmRule[] }

/**
 * The book after the machine's inputs changed at `at` (service time): each tracked rule of
 * `kind` re-reads its condition. The same book when no condition flipped, which is nearly
 * always, so a reading costs no copy.
 */
export function trackInputs(
  book: AlarmBook,
  rules: readonly TrackedRule[],
  m: ConditionInputs,
  at: number,
): AlarmBook {
  let tracks: Record<string, ConditionTrack> | undefined
  for (const rule of rules) {
    const before = book.tracks[rule.id]
    const after = nextTrack(before, rule, m, at)
    if (after === before) continue
    tracks ??= { ...book.tracks }
    tracks[rule.id] = after
  }
  return tracks ? { ...book, tracks } : book
}

/** Pure reducer of alarm events over a book. */
export function applyAlarmEvent(book: AlarmBook, e: AlarmEvent): AlarmBook {
  const entry = book.alarms[e.ruleId]
  switch (e.type) {
    case 'AlarmRaised':
      return {
        ...book,
        alarms: {
          ...book.alarms,
          [e.ruleId]: raised(
            { id: e.ruleId, kind: e.ruleKind, severity: e.severity },
            e.recordedAt,
            e.detail,
          ),
        },
        raises: { ...book.raises, [e.ruleId]: rememberRaise(book.raises[e.ruleId], e.recordedAt) },
      }
    case 'AlarmCleared':
      return entry ? withEntry(book, e.ruleId, cleared(entry, e.recordedAt)) : book
    case 'AlarmAcknowledged':
      return entry ? withEntry(book, e.ruleId, acknowledged(entry, e.recordedAt, e.by)) : book
    case 'AlarmShelved':
      return {
        ...book,
        shelves: { ...book.shelves, [e.ruleId]: { by: e.by, reason: e.reason, until: e.until } },
      }
    case 'AlarmUnshelved': {
      const shelves = { ...book.shelves }
      delete shelves[e.ruleId]
      return { ...book, shelves }
    }
    case 'AlarmCommented':
      return book
  }
}

function withEntry(book: AlarmBook, ruleId: string, entry: AlarmEntry | undefined): AlarmBook {
  const alarms = { ...book.alarms }
  if (entry) alarms[ruleId] = entry
  else delete alarms[ruleId]
  return { ...book, alarms }
}

/** Whether an alarm of this kind of rule is active: the machine's legacy alert flags. */
export function hasActive(book: AlarmBook, kind: AlarmRule['kind']): boolean {
  for (const ruleId in book.alarms) {
    const entry = book.alarms[ruleId]
    if (entry?.ruleKind === kind && isActive(entry)) return true
  }
  return false
}
