import type { Weekday } from '../zoned-time.js'

/** A break within a shift, `HH:MM` local times (after the shift's start: it may be next day). */
export type BreakSpec = { start: string; end: string }

/** A shift pattern: its local start and end (an end not after the start is next day). */
export type ShiftSpec = {
  name: string
  start: string
  end: string
  /** The days the shift starts on. */
  days: Weekday[]
  breaks: BreakSpec[]
}

/** A day that differs from the pattern: off, or these shifts instead. */
export type CalendarException =
  { date: string; off: true } | { date: string; shifts: Omit<ShiftSpec, 'days'>[] }

/** A shift calendar in the plant model file's format (the parts the simulator uses). */
export type CalendarSpec = {
  timeZone: string
  shifts: ShiftSpec[]
  exceptions: CalendarException[]
}

const EVERY_DAY: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']

/**
 * The simulated plant's calendar: three shifts every day, each with a 30-minute break; the
 * night shift ends at 05:30, so half an hour before the early shift the plant is off (cleaning),
 * and two holidays are off. Off time every day keeps the plant alive whenever it is started.
 */
export const SIM_CALENDAR: CalendarSpec = {
  timeZone: 'Europe/Berlin',
  shifts: [
    { name: 'early', start: '06:00', end: '14:00', days: EVERY_DAY, breaks: [b('10:00')] },
    { name: 'late', start: '14:00', end: '22:00', days: EVERY_DAY, breaks: [b('18:00')] },
    { name: 'night', start: '22:00', end: '05:30', days: EVERY_DAY, breaks: [b('02:00')] },
  ],
  exceptions: [
    { date: '2026-12-25', off: true },
    { date: '2027-01-01', off: true },
  ],
}

function b(start: string): BreakSpec {
  const [h = 0, m = 0] = start.split(':').map(Number)
  const end = h * 60 + m + 30
  const hhmm = (x: number) => String(x).padStart(2, '0')
  return { start, end: `${hhmm(Math.floor(end / 60) % 24)}:${hhmm(end % 60)}` }
}
