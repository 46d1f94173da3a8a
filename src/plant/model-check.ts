import { LOSS_CATEGORIES } from '../domain/loss-categories.js'
import {
  minutesOf,
  WEEKDAYS,
  type CalendarSpec,
  type PlantModelFile,
  type ShiftSpec,
  type Weekday,
} from './model-schema.js'
import { isTimeZone } from './zoned-time.js'

const WEEK_MINUTES = 7 * 1440

/**
 * Every problem of a plant model the schema cannot see, each as one sentence naming where it
 * is: references to calendars that do not exist, ids used twice, a machine placed twice,
 * breaks outside their shift, shifts that overlap, windows that end before they start.
 */
export function modelProblems(model: PlantModelFile): string[] {
  const problems: string[] = []
  const calendars = new Set(Object.keys(model.calendars))
  const seen = { site: new Set<string>(), area: new Set<string>(), line: new Set<string>() }
  const twice = (kind: keyof typeof seen, id: string) => {
    if (seen[kind].has(id)) problems.push(`${kind} ${id} is defined twice`)
    seen[kind].add(id)
  }
  const calendarKnown = (where: string, name: string | undefined) => {
    if (name !== undefined && !calendars.has(name))
      problems.push(`${where}: calendar ${name} is not defined`)
  }
  const placed = new Map<string, string>()
  const place = (key: string, what: string, lineId: string) => {
    const first = placed.get(key)
    if (first !== undefined) problems.push(`${what} is placed in line ${first} and line ${lineId}`)
    else placed.set(key, lineId)
  }
  for (const site of model.sites) {
    twice('site', site.id)
    calendarKnown(`site ${site.id}`, site.calendar)
    for (const area of site.areas) {
      twice('area', area.id)
      calendarKnown(`area ${area.id}`, area.calendar)
      for (const line of area.lines) {
        twice('line', line.id)
        calendarKnown(`line ${line.id}`, line.calendar)
        for (const m of line.machines) {
          if (typeof m === 'string') place(`id:${m}`, `machine ${m}`, line.id)
          else if ('pattern' in m) place(`pattern:${m.pattern}`, `pattern ${m.pattern}`, line.id)
          else
            place(
              `sparkplug:${m.sparkplug.group}/${m.sparkplug.edgeNode}`,
              `Sparkplug edge node ${m.sparkplug.group}/${m.sparkplug.edgeNode}`,
              line.id,
            )
        }
      }
    }
  }
  const codes = new Set<string>()
  for (const r of model.reasons) {
    if (codes.has(r.code)) problems.push(`reason ${r.code} is defined twice`)
    codes.add(r.code)
    const planned = LOSS_CATEGORIES[r.category].planned
    if (r.planned !== undefined && r.planned !== planned)
      problems.push(
        `reason ${r.code}: category ${r.category} is ${planned ? 'planned' : 'unplanned'}, planned says ${r.planned}`,
      )
  }
  for (const [name, cal] of Object.entries(model.calendars))
    problems.push(...calendarProblems(`calendar ${name}`, cal, seen.line))
  return problems
}

function calendarProblems(where: string, cal: CalendarSpec, lines: Set<string>): string[] {
  const problems: string[] = []
  if (!isTimeZone(cal.timeZone)) problems.push(`${where}: time zone ${cal.timeZone} is unknown`)
  problems.push(...shiftProblems(where, cal.shifts))
  const dates = new Set<string>()
  for (const e of cal.exceptions) {
    const at = `${where}, exception ${e.date}`
    if (dates.has(e.date)) problems.push(`${at} is given twice`)
    dates.add(e.date)
    if (e.off === undefined && e.shifts === undefined) problems.push(`${at}: say off or shifts`)
    if (e.off !== undefined && e.shifts !== undefined) problems.push(`${at}: off and shifts both`)
    if (e.shifts)
      problems.push(
        ...shiftProblems(
          at,
          e.shifts.map((s) => ({ ...s, days: ['sun' as const] })),
        ),
      )
  }
  cal.plannedDowntime.forEach((w, i) => {
    const at = `${where}, planned downtime ${i + 1}`
    const from = Date.parse(w.from)
    const to = Date.parse(w.to)
    if (!(from < to)) problems.push(`${at}: from is not before to`)
    if (from % 60_000 !== 0 || to % 60_000 !== 0)
      problems.push(`${at}: from and to are whole minutes`)
    for (const l of w.lines) if (!lines.has(l)) problems.push(`${at}: line ${l} is not defined`)
  })
  return problems
}

/** Names given twice, breaks outside their shift or overlapping, shifts overlapping in the week. */
function shiftProblems(where: string, shifts: readonly ShiftSpec[]): string[] {
  const problems: string[] = []
  const names = new Set<string>()
  const spans: { name: string; from: number; to: number }[] = []
  for (const s of shifts) {
    const at = `${where}, shift ${s.name}`
    if (names.has(s.name)) problems.push(`${at} is defined twice`)
    names.add(s.name)
    const start = minutesOf(s.start)
    const length = lengthOf(start, minutesOf(s.end))
    const breaks = s.breaks
      .map((b) => ({ from: (minutesOf(b.start) - start + 1440) % 1440, b }))
      .sort((x, y) => x.from - y.from)
    let previousEnd = 0
    for (const { from, b } of breaks) {
      const to = from + lengthOf(minutesOf(b.start), minutesOf(b.end))
      if (to > length) problems.push(`${at}: break ${b.start}-${b.end} is not within the shift`)
      else if (from < previousEnd)
        problems.push(`${at}: break ${b.start}-${b.end} overlaps another`)
      previousEnd = Math.max(previousEnd, to)
    }
    for (const day of new Set(s.days)) {
      const from = dayIndex(day) * 1440 + start
      spans.push({ name: s.name, from, to: from + length })
    }
  }
  spans.sort((a, b) => a.from - b.from)
  // The week wraps: Saturday night's shift may run into Sunday morning's.
  const wrapped = [
    ...spans,
    ...spans.map((s) => ({ ...s, from: s.from + WEEK_MINUTES, to: s.to + WEEK_MINUTES })),
  ]
  const reported = new Set<string>()
  for (let i = 1; i < wrapped.length; i++) {
    const a = wrapped[i - 1]
    const b = wrapped[i]
    if (a && b && b.from < a.to && b.from <= WEEK_MINUTES + (spans[0]?.from ?? 0)) {
      const pair = [a.name, b.name].sort().join(' and ')
      if (!reported.has(pair)) problems.push(`${where}: shifts ${pair} overlap`)
      reported.add(pair)
    }
  }
  return problems
}

/** A span's length in minutes: an end not after the start is on the next day. */
export function lengthOf(start: number, end: number): number {
  return end > start ? end - start : end + 1440 - start
}

function dayIndex(day: Weekday): number {
  return WEEKDAYS.indexOf(day)
}
