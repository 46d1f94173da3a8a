import type { CalendarSpec, ShiftSpec } from './plant-calendar.js'
import type { Plan } from './machine-model.js'
import type { PlannedStopCode } from './reasons.js'
import { addDays, isoDate, weekdayOf, ZonedTime, type LocalDate } from '../zoned-time.js'

/** Whether the plant plans to produce at an instant, why not, and until when (epoch ms). */
export type PlannedTime =
  { producing: true; until: number } | { producing: false; reason: PlannedStopCode; until: number }

type Span = { from: number; to: number }
type Shift = Span & { breaks: Span[] }

// A shift lasts less than a day, so the shifts of the day before, the day and the day after
// hold any instant's; past that an off day is looked through this far, then it is "off".
const LOOK_AHEAD_DAYS = 14

/** Where a shift calendar puts an instant: in a shift, in its break, or off shift. */
export class ShiftSchedule {
  private readonly zone: ZonedTime
  private readonly exceptions: Map<string, CalendarSpec['exceptions'][number]>
  // Placing a day's shifts takes dozens of Intl calls; a plant asks about the same few days.
  private readonly days = new Map<string, Shift[]>()

  constructor(private readonly calendar: CalendarSpec) {
    this.zone = new ZonedTime(calendar.timeZone)
    this.exceptions = new Map(calendar.exceptions.map((e) => [e.date, e]))
  }

  /** The plan at epoch ms `ms`: `until` is the first instant the plan differs. */
  at(ms: number): PlannedTime {
    const today = this.zone.dateOf(ms)
    const shifts = [-1, 0, 1].flatMap((d) => this.shiftsOn(addDays(today, d)))
    const current = shifts.find((s) => s.from <= ms && ms < s.to)
    if (current) {
      const pause = current.breaks.find((p) => p.from <= ms && ms < p.to)
      if (pause) return { producing: false, reason: 'BREAK', until: pause.to }
      const nextBreak = current.breaks.find((p) => p.from > ms)?.from ?? Infinity
      return { producing: true, until: Math.min(nextBreak, current.to) }
    }
    for (let d = -1; d <= LOOK_AHEAD_DAYS; d++) {
      const next = this.shiftsOn(addDays(today, d)).find((s) => s.from > ms)
      if (next) return { producing: false, reason: 'NO-ORDERS', until: next.from }
    }
    return { producing: false, reason: 'NO-ORDERS', until: ms + LOOK_AHEAD_DAYS * 86_400_000 }
  }

  /** The shifts starting on a local date, in time order. */
  private shiftsOn(date: LocalDate): Shift[] {
    const key = isoDate(date)
    const known = this.days.get(key)
    if (known) return known
    if (this.days.size > 1000) this.days.clear()
    const exception = this.exceptions.get(key)
    const specs: Omit<ShiftSpec, 'days'>[] = exception
      ? 'off' in exception
        ? []
        : exception.shifts
      : this.calendar.shifts.filter((s) => s.days.includes(weekdayOf(date)))
    const shifts = specs.map((s) => this.place(date, s)).sort((a, b) => a.from - b.from)
    this.days.set(key, shifts)
    return shifts
  }

  private place(date: LocalDate, s: Omit<ShiftSpec, 'days'>): Shift {
    const span = (start: string, end: string, day: LocalDate): Span => {
      const from = this.zone.at(day, start)
      return { from, to: this.zone.at(end > start ? day : addDays(day, 1), end) }
    }
    const shift = span(s.start, s.end, date)
    // A break before the shift's start time of day falls on the next day (a night shift's).
    const breaks = s.breaks
      .map((p) => span(p.start, p.end, p.start >= s.start ? date : addDays(date, 1)))
      .sort((a, b) => a.from - b.from)
    return { ...shift, breaks }
  }
}

/**
 * The calendar in a machine's simulated seconds. Payloads carry wall-clock times, so breaks and
 * shifts are where the calendar puts them on the wall clock, at any speed.
 */
export function planOf(
  schedule: ShiftSchedule,
  clock: { wallMs(at: number): number; atOf(ms: number): number },
): Plan {
  return (at) => {
    // Whole ms: a boundary given back as simulated seconds lands on itself, not a hair before.
    const p = schedule.at(Math.round(clock.wallMs(at)))
    const until = clock.atOf(p.until)
    return { ...p, until: until > at ? until : at + 1e-6 }
  }
}
