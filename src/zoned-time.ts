/** A calendar date, month 1..12. */
export type LocalDate = { year: number; month: number; day: number }

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const
export type Weekday = (typeof WEEKDAYS)[number]

/**
 * Local dates and times of one IANA time zone, with Intl alone: placing a shift's `HH:MM` on
 * the time line, or printing a time as the plant reads it, needs no time zone database of its
 * own.
 */
export class ZonedTime {
  private readonly format: Intl.DateTimeFormat

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
  }

  /** The local date at epoch ms `ms`. */
  dateOf(ms: number): LocalDate {
    const f = this.fields(ms)
    return { year: f.year, month: f.month, day: f.day }
  }

  /**
   * Epoch ms of `HH:MM` on a local date. In a gap (clocks put forward) it lands after the gap;
   * twice in an overlap, the first.
   */
  at(date: LocalDate, hhmm: string): number {
    const [h = 0, m = 0] = hhmm.split(':').map(Number)
    const wall = Date.UTC(date.year, date.month - 1, date.day, h, m)
    // The offset at the guess, then at the instant it gives: two steps settle across a change.
    const first = wall - this.offsetAt(wall)
    return wall - this.offsetAt(first)
  }

  /** `YYYY-MM-DDTHH:MM:SS±HH:MM`: the local time at epoch ms `ms`, with its offset. */
  localIso(ms: number): string {
    const f = this.fields(ms)
    const offsetMin = Math.round(this.offsetAt(ms) / 60_000)
    const pad = (n: number, w = 2) => String(n).padStart(w, '0')
    const sign = offsetMin < 0 ? '-' : '+'
    const abs = Math.abs(offsetMin)
    return (
      `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}T${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}` +
      `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
    )
  }

  private offsetAt(ms: number): number {
    const f = this.fields(ms)
    const asUtc = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second)
    return asUtc - (ms - (((ms % 1000) + 1000) % 1000))
  }

  private fields(ms: number) {
    const parts: Record<string, number> = {}
    for (const p of this.format.formatToParts(ms))
      if (p.type !== 'literal') parts[p.type] = Number(p.value)
    return {
      year: parts.year ?? 0,
      month: parts.month ?? 1,
      day: parts.day ?? 1,
      hour: parts.hour ?? 0,
      minute: parts.minute ?? 0,
      second: parts.second ?? 0,
    }
  }
}

/** The date `days` after `date` (negative: before). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days))
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
}

export function weekdayOf(date: LocalDate): Weekday {
  return WEEKDAYS[new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay()] ?? 'sun'
}

/** `YYYY-MM-DD`. */
export function isoDate(date: LocalDate): string {
  const pad = (n: number, w: number) => String(n).padStart(w, '0')
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`
}
