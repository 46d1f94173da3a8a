import type { AlarmBook } from './alarm-book.js'
import type { AlarmChange } from './alarm-decide.js'
import {
  mayAcknowledge,
  mayComment,
  mayShelve,
  mayUnshelve,
  type Verdict,
} from './alarm-lifecycle.js'

/** What an operator may do to one of a machine's alarms. */
export type AlarmCommand =
  | { action: 'acknowledge'; ruleId: string }
  | { action: 'shelve'; ruleId: string; reason: string; forMs: number }
  | { action: 'unshelve'; ruleId: string }
  | { action: 'comment'; ruleId: string; text: string }

/** Whether the command may go ahead on this book (the API checks before it sends it). */
export function commandVerdict(
  book: Pick<AlarmBook, 'alarms' | 'shelves'>,
  c: AlarmCommand,
): Verdict {
  const entry = book.alarms[c.ruleId]
  const shelf = book.shelves[c.ruleId]
  switch (c.action) {
    case 'acknowledge':
      return mayAcknowledge(entry)
    case 'shelve':
      return mayShelve(entry, shelf)
    case 'unshelve':
      return mayUnshelve(shelf)
    case 'comment':
      return mayComment(entry, shelf)
  }
}

/**
 * The change an operator's command makes, recorded with who sent it, or none when the
 * lifecycle refuses it (the command then changes nothing, as a second maintenance-start does).
 */
export function decideAlarmCommand(
  book: AlarmBook,
  c: AlarmCommand,
  by: string | null,
  now: number,
): AlarmChange[] {
  if (!commandVerdict(book, c).ok) return []
  switch (c.action) {
    case 'acknowledge':
      return [{ type: 'AlarmAcknowledged', ruleId: c.ruleId, by }]
    case 'shelve':
      return [
        { type: 'AlarmShelved', ruleId: c.ruleId, by, reason: c.reason, until: now + c.forMs },
      ]
    case 'unshelve':
      return [{ type: 'AlarmUnshelved', ruleId: c.ruleId, by }]
    case 'comment':
      return [{ type: 'AlarmCommented', ruleId: c.ruleId, by, text: c.text }]
  }
}
