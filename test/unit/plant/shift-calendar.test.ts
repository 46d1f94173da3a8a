import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { totalMs } from '../../../src/domain/intervals'
import { checkPlantModel } from '../../../src/plant/load-model'
import type { CalendarSpec } from '../../../src/plant/model-schema'
import { plannedBusy, shiftsOf } from '../../../src/plant/shift-calendar'
import { zonedInstant } from '../../../src/plant/zoned-time'

const HOUR = 3_600_000
const at = (iso: string) => Date.parse(iso)
const range = (from: string, to: string) => ({ from: at(from), to: at(to) })

const threeShifts = (): CalendarSpec => {
  const r = checkPlantModel(
    JSON.parse(readFileSync(join(__dirname, '../../fixtures/plant/contract-model.json'), 'utf8')),
  )
  if (!r.ok) throw new Error(r.problems.join('\n'))
  const c = r.model.calendar('three-shifts')
  if (!c) throw new Error('no calendar')
  return c
}

/** Berlin nights from Saturday 22:00 to Sunday 06:00 (both DST changes fall on a Sunday). */
const saturdayNights = (): CalendarSpec => ({
  timeZone: 'Europe/Berlin',
  shifts: [
    {
      name: 'night',
      start: '22:00',
      end: '06:00',
      days: ['sat'],
      breaks: [{ start: '02:00', end: '02:30' }],
    },
  ],
  exceptions: [],
  plannedDowntime: [],
})

describe('wall-clock times in a time zone', () => {
  it('reads a time the clocks skip as that far past the change (02:30 on 29 March is 03:30 CEST)', () => {
    expect(new Date(zonedInstant('2026-03-29', 150, 'Europe/Berlin')).toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    )
  })

  it('reads a time the clocks pass twice as the first (02:30 on 25 October is 00:30Z, CEST)', () => {
    expect(new Date(zonedInstant('2026-10-25', 150, 'Europe/Berlin')).toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    )
  })
})

describe('shift instances', () => {
  it('gives each shift a stable id of line, local start date and name', () => {
    const shifts = shiftsOf(
      threeShifts(),
      'press-line',
      range('2026-12-08T00:00:00Z', '2026-12-09T00:00:00Z'),
    )
    expect(shifts.map((s) => s.shiftId)).toEqual([
      'press-line:2026-12-07:night',
      'press-line:2026-12-08:early',
      'press-line:2026-12-08:night',
    ])
  })

  it('ends a night shift on the next day, its break there too', () => {
    const [night] = shiftsOf(
      threeShifts(),
      'l',
      range('2026-12-08T21:00:00Z', '2026-12-08T22:00:00Z'),
    )
    // 22:00 CET Tuesday is 21:00Z; 06:00 CET Wednesday is 05:00Z; the break 02:00-02:30 CET.
    expect(night).toMatchObject({
      shiftId: 'l:2026-12-08:night',
      startsAt: at('2026-12-08T21:00:00Z'),
      endsAt: at('2026-12-09T05:00:00Z'),
      breaks: [range('2026-12-09T01:00:00Z', '2026-12-09T01:30:00Z')],
    })
  })

  it('makes the night shift of the autumn change 9 hours, its break once, at the first 02:00', () => {
    // Sat 24 Oct 22:00 CEST = 20:00Z to Sun 25 Oct 06:00 CET = 05:00Z.
    const cal = saturdayNights()
    const [night] = shiftsOf(cal, 'l', range('2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z'))
    expect(night?.endsAt).toBe(at('2026-10-25T05:00:00Z'))
    expect(night?.startsAt).toBe(at('2026-10-24T20:00:00Z'))
    expect(night?.breaks).toEqual([range('2026-10-25T00:00:00Z', '2026-10-25T00:30:00Z')])
    // 9 h of shift less 30 min of break.
    expect(
      totalMs(plannedBusy(cal, 'l', 'm', range('2026-10-24T00:00:00Z', '2026-10-26T00:00:00Z'))),
    ).toBe(8.5 * HOUR)
  })

  it('makes the night shift of the spring change 7 hours, its skipped 02:00 break at 03:00 CEST', () => {
    const cal = saturdayNights()
    const [night] = shiftsOf(cal, 'l', range('2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z'))
    // 22:00 CET = 21:00Z to 06:00 CEST = 04:00Z.
    expect([night?.startsAt, night?.endsAt]).toEqual([
      at('2026-03-28T21:00:00Z'),
      at('2026-03-29T04:00:00Z'),
    ])
    expect(night?.breaks).toEqual([range('2026-03-29T01:00:00Z', '2026-03-29T01:30:00Z')])
    expect(
      totalMs(plannedBusy(cal, 'l', 'm', range('2026-03-28T00:00:00Z', '2026-03-30T00:00:00Z'))),
    ).toBe(6.5 * HOUR)
  })

  it('takes a day off from an exception, and replaces a day by its extra shifts', () => {
    const cal = threeShifts()
    // Friday 25 December is off: only Thursday's night shift runs into it.
    expect(
      shiftsOf(cal, 'l', range('2026-12-24T23:00:00Z', '2026-12-26T00:00:00Z')).map(
        (s) => s.shiftId,
      ),
    ).toEqual(['l:2026-12-24:night'])
    // Saturday 19 December has one extra shift, 06:00-12:00.
    expect(
      shiftsOf(cal, 'l', range('2026-12-19T05:00:00Z', '2026-12-20T00:00:00Z')).map(
        (s) => s.shiftId,
      ),
    ).toEqual(['l:2026-12-19:extra'])
  })

  it('runs a line without a calendar one UTC day at a time', () => {
    const shifts = shiftsOf(undefined, 'l', range('2026-12-08T10:00:00Z', '2026-12-08T11:00:00Z'))
    expect(shifts).toEqual([
      {
        shiftId: 'l:2026-12-08:day',
        lineId: 'l',
        name: 'day',
        date: '2026-12-08',
        startsAt: at('2026-12-08T00:00:00Z'),
        endsAt: at('2026-12-09T00:00:00Z'),
        breaks: [],
      },
    ])
  })
})

describe('planned busy time', () => {
  it('is shift time less breaks less planned downtime for the line', () => {
    // Early shift of Tuesday 8 December: 8 h, less 30 min of break, less 2 h of planned
    // maintenance (06:00-08:00) on press-line alone.
    const day = range('2026-12-08T05:00:00Z', '2026-12-08T13:00:00Z')
    expect(totalMs(plannedBusy(threeShifts(), 'press-line', 'm', day))).toBe(5.5 * HOUR)
    expect(totalMs(plannedBusy(threeShifts(), 'other-line', 'm', day))).toBe(7.5 * HOUR)
  })

  it('counts only the part of a shift inside the range', () => {
    const part = range('2026-12-08T11:00:00Z', '2026-12-08T12:00:00Z')
    expect(plannedBusy(threeShifts(), 'press-line', 'm', part)).toEqual([part])
  })
})

describe('other zones', () => {
  it('places New York shifts by its own DST day (8 March 2026), not Europe’s', () => {
    const cal: CalendarSpec = {
      timeZone: 'America/New_York',
      shifts: [{ name: 'early', start: '06:00', end: '14:00', days: ['sun', 'mon'], breaks: [] }],
      exceptions: [],
      plannedDowntime: [],
    }
    const shifts = shiftsOf(cal, 'l', range('2026-03-08T00:00:00Z', '2026-03-10T00:00:00Z'))
    // Sunday 8 March 06:00 EDT (UTC-4) is 10:00Z; Monday's 06:00 is 10:00Z too.
    expect(shifts.map((x) => new Date(x.startsAt).toISOString())).toEqual([
      '2026-03-08T10:00:00.000Z',
      '2026-03-09T10:00:00.000Z',
    ])
  })

  it('takes half-hour offsets and changes (Lord Howe Island, 5 April 2026)', () => {
    // Clocks go back from +11:00 to +10:30 at 02:00 local; a 00:00-06:00 shift is 6.5 h.
    const cal: CalendarSpec = {
      timeZone: 'Australia/Lord_Howe',
      shifts: [{ name: 'night', start: '00:00', end: '06:00', days: ['sun'], breaks: [] }],
      exceptions: [],
      plannedDowntime: [],
    }
    const [night] = shiftsOf(cal, 'l', range('2026-04-04T00:00:00Z', '2026-04-06T00:00:00Z'))
    expect([night?.startsAt, night?.endsAt]).toEqual([
      at('2026-04-04T13:00:00Z'),
      at('2026-04-04T19:30:00Z'),
    ])
  })
})
