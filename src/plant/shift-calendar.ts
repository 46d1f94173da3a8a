import { intersect, normalise, subtract, type Interval } from '../domain/intervals.js'
import { lengthOf } from './model-check.js'
import { minutesOf, WEEKDAYS, type CalendarSpec } from './model-schema.js'
import { addDays, localDateAt, weekdayOf, zonedInstant } from './zoned-time.js'

/** One shift of one line on one day. */
export type ShiftInstance = {
  /** `{lineId}:{YYYY-MM-DD}:{shiftName}`, the date being the local one the shift starts on. */
  shiftId: string
  lineId: string
  name: string
  date: string
  startsAt: number
  endsAt: number
  breaks: Interval[]
}

type ShiftPattern = {
  name: string
  start: string
  end: string
  breaks: { start: string; end: string }[]
}

const ROUND_THE_CLOCK: CalendarSpec = {
  timeZone: 'UTC',
  shifts: [{ name: 'day', start: '00:00', end: '00:00', days: [...WEEKDAYS], breaks: [] }],
  exceptions: [],
  plannedDowntime: [],
}

/**
 * The shifts of a line that overlap `range`, in time order. A line without a calendar runs
 * around the clock: one shift a UTC day, `day`, 00:00 to 00:00. An exception's date replaces
 * that day's pattern: no shifts when off, its own shifts otherwise.
 */
export function shiftsOf(
  calendar: CalendarSpec | undefined,
  lineId: string,
  range: Interval,
): ShiftInstance[] {
  const cal = calendar ?? ROUND_THE_CLOCK
  const exceptions = new Map(cal.exceptions.map((e) => [e.date, e]))
  const out: ShiftInstance[] = []
  // A shift may start the day before the range and run into it (a night shift).
  const last = localDateAt(range.to, cal.timeZone)
  for (
    let date = addDays(localDateAt(range.from, cal.timeZone), -1);
    date <= last;
    date = addDays(date, 1)
  ) {
    const e = exceptions.get(date)
    const patterns: ShiftPattern[] = e
      ? e.off
        ? []
        : (e.shifts ?? [])
      : cal.shifts.filter((s) => s.days.includes(WEEKDAYS[weekdayOf(date)] ?? 'sun'))
    for (const p of patterns) {
      const s = instanceOf(p, date, lineId, cal.timeZone)
      if (s.endsAt > range.from && s.startsAt < range.to) out.push(s)
    }
  }
  return out.sort((a, b) => a.startsAt - b.startsAt)
}

function instanceOf(
  p: ShiftPattern,
  date: string,
  lineId: string,
  timeZone: string,
): ShiftInstance {
  // Minutes from the shift's local midnight, placed by wall clock on their own local date: a
  // DST change inside a shift makes it an hour shorter or longer, as the people on it live it.
  const local = (m: number) => zonedInstant(addDays(date, Math.floor(m / 1440)), m % 1440, timeZone)
  const start = minutesOf(p.start)
  const breaks = p.breaks.map((b) => {
    const from = start + ((minutesOf(b.start) - start + 1440) % 1440)
    return { from: local(from), to: local(from + lengthOf(minutesOf(b.start), minutesOf(b.end))) }
  })
  return {
    shiftId: `${lineId}:${date}:${p.name}`,
    lineId,
    name: p.name,
    date,
    startsAt: local(start),
    endsAt: local(start + lengthOf(start, minutesOf(p.end))),
    breaks: normalise(breaks),
  }
}

/**
 * Planned busy time of one machine on one line within `range`: its shifts, less their breaks,
 * less the calendar's planned downtime windows for the line or the machine (a window naming
 * neither concerns every line on the calendar).
 */
export function plannedBusy(
  calendar: CalendarSpec | undefined,
  lineId: string,
  machineId: string,
  range: Interval,
): Interval[] {
  const shifts = shiftsOf(calendar, lineId, range)
  const windows = (calendar?.plannedDowntime ?? [])
    .filter(
      (w) =>
        (w.lines.length === 0 && w.machines.length === 0) ||
        w.lines.includes(lineId) ||
        w.machines.includes(machineId),
    )
    .map((w) => ({ from: Date.parse(w.from), to: Date.parse(w.to) }))
  const open = shifts.map((s) => ({ from: s.startsAt, to: s.endsAt }))
  const off = [...shifts.flatMap((s) => s.breaks), ...windows]
  return intersect(subtract(open, off), [range])
}
