import {
  applyAlarmEvent,
  EMPTY_BOOK,
  type AlarmBook,
} from '../../../../src/domain/alarms/alarm-book'
import {
  commandVerdict,
  decideAlarmCommand,
  type AlarmCommand,
} from '../../../../src/domain/alarms/alarm-commands'
import type { AlarmChange } from '../../../../src/domain/alarms/alarm-decide'
import { asEvent } from './alarm-timeline'
import { HOT_RAISED } from './rules'

const RAISE = HOT_RAISED
const CLEAR: AlarmChange = { type: 'AlarmCleared', ruleId: 'hot', detail: 'ended' }
const ack: AlarmCommand = { action: 'acknowledge', ruleId: 'hot' }
const shelve: AlarmCommand = {
  action: 'shelve',
  ruleId: 'hot',
  reason: 'sensor swap',
  forMs: 60_000,
}
const unshelve: AlarmCommand = { action: 'unshelve', ruleId: 'hot' }
const comment: AlarmCommand = { action: 'comment', ruleId: 'hot', text: 'fan checked' }

const fold = (changes: AlarmChange[], book: AlarmBook = EMPTY_BOOK, at = 1_000) =>
  changes.reduce((b, c) => applyAlarmEvent(b, asEvent(c, at)), book)

/** Runs a command as the machine's decide does and folds what it causes. */
function command(book: AlarmBook, c: AlarmCommand, at = 2_000): AlarmBook {
  return fold(decideAlarmCommand(book, c, 'shift-lead', at), book, at)
}

const stateOf = (book: AlarmBook) => book.alarms['hot']?.state ?? 'normal'

describe('alarm lifecycle', () => {
  it('goes normal → active-unacknowledged → active-acknowledged → normal', () => {
    let book = fold([RAISE])
    expect(stateOf(book)).toBe('active-unacknowledged')
    book = command(book, ack, 5_000)
    expect(book.alarms['hot']).toMatchObject({
      state: 'active-acknowledged',
      acknowledgedAt: 5_000,
      acknowledgedBy: 'shift-lead',
    })
    book = fold([CLEAR], book)
    expect(stateOf(book)).toBe('normal')
  })

  it('waits as cleared-unacknowledged when it clears before acknowledgement, then goes normal', () => {
    let book = fold([RAISE, CLEAR])
    expect(stateOf(book)).toBe('cleared-unacknowledged')
    book = command(book, ack)
    expect(stateOf(book)).toBe('normal')
  })

  it('is raised anew, unacknowledged, when the condition returns before acknowledgement', () => {
    const book = fold([RAISE, CLEAR, RAISE])
    expect(stateOf(book)).toBe('active-unacknowledged')
    expect(book.raises['hot']).toHaveLength(2)
  })

  it('refuses to acknowledge an alarm already acknowledged, or a normal one', () => {
    const acked = command(fold([RAISE]), ack)
    expect(commandVerdict(acked, ack)).toEqual({
      ok: false,
      reason: 'the alarm is already acknowledged',
    })
    expect(decideAlarmCommand(acked, ack, 'x', 3_000)).toEqual([])
    const clearedAndAcked = fold([CLEAR], acked)
    expect(commandVerdict(clearedAndAcked, ack).ok).toBe(false)
    expect(commandVerdict(EMPTY_BOOK, ack).ok).toBe(false)
  })

  it('shelves an alarm that is not normal for a period with a reason, and refuses a normal one', () => {
    expect(commandVerdict(EMPTY_BOOK, shelve)).toEqual({
      ok: false,
      reason: 'the alarm is normal: nothing to shelve',
    })
    const book = command(fold([RAISE]), shelve, 10_000)
    expect(book.shelves['hot']).toEqual({ by: 'shift-lead', reason: 'sensor swap', until: 70_000 })
    expect(commandVerdict(book, shelve)).toEqual({
      ok: false,
      reason: 'the alarm is already shelved',
    })
  })

  it('keeps the shelf while the alarm goes normal, until it is unshelved', () => {
    let book = command(command(fold([RAISE]), shelve), ack)
    book = fold([CLEAR], book)
    expect(stateOf(book)).toBe('normal')
    expect(book.shelves['hot']).toBeDefined()
    book = command(book, unshelve)
    expect(book.shelves['hot']).toBeUndefined()
    expect(commandVerdict(book, unshelve)).toEqual({
      ok: false,
      reason: 'the alarm is not shelved',
    })
  })

  it('records a comment on an alarm that is not normal and refuses one on a normal alarm', () => {
    const book = fold([RAISE])
    expect(decideAlarmCommand(book, comment, 'op', 1)).toEqual([
      { type: 'AlarmCommented', ruleId: 'hot', by: 'op', text: 'fan checked' },
    ])
    expect(command(book, comment)).toBe(book)
    expect(decideAlarmCommand(EMPTY_BOOK, comment, 'op', 1)).toEqual([])
  })
})
