const MINUTE = 60_000
const DAY = 86_400_000

const formats = new Map<string, Intl.DateTimeFormat>()

function formatOf(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formats.set(timeZone, f)
  }
  return f
}

/** Whether the runtime knows this IANA time zone. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatOf(timeZone)
    return true
  } catch {
    return false
  }
}

/** The zone's offset from UTC at an instant, ms (local = UTC + offset). */
export function offsetAt(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {}
  for (const p of formatOf(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value)
  }
  const local = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  )
  return local - Math.floor(instant / 1000) * 1000
}

/**
 * The instant a wall-clock time of a local date names in the zone. A time the clocks skip
 * (spring forward) is read with the offset before the change, so it lands as far past the
 * change as it was written past it (02:30 on a day that skips 02:00-03:00 is 03:30); a time
 * the clocks pass twice (fall back) is the first of the two. Temporal's `compatible` does the
 * same.
 */
export function zonedInstant(date: string, minutes: number, timeZone: string): number {
  const local = localDay(date) + minutes * MINUTE
  const before = offsetAt(local - DAY, timeZone)
  const after = offsetAt(local + DAY, timeZone)
  const candidates = [local - before, local - after].filter(
    (t) => offsetAt(t, timeZone) === local - t,
  )
  if (candidates.length === 0) return local - before
  return Math.min(...candidates)
}

/** Epoch ms of a `YYYY-MM-DD` read as a UTC midnight: dates as numbers, free of any zone. */
export function localDay(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)))
}

/** The `YYYY-MM-DD` of {@link localDay}'s number. */
export function dateText(day: number): string {
  return new Date(day).toISOString().slice(0, 10)
}

/** The date `days` after a `YYYY-MM-DD`. */
export function addDays(date: string, days: number): string {
  return dateText(localDay(date) + days * DAY)
}

/** The local date in the zone at an instant. */
export function localDateAt(instant: number, timeZone: string): string {
  return dateText(Math.floor((instant + offsetAt(instant, timeZone)) / DAY) * DAY)
}

/** Day of the week of a `YYYY-MM-DD`, 0 = Sunday. */
export function weekdayOf(date: string): number {
  return new Date(localDay(date)).getUTCDay()
}
