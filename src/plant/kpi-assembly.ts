import { normalise, type Interval } from '../domain/intervals.js'
import {
  constraintOf,
  kpisOf,
  machineFigures,
  sumFigures,
  type Figures,
  type Kpis,
  type MachineRecords,
} from '../domain/plant-kpis.js'
import type { StopCategory } from '../domain/loss-categories.js'
import type { KpiRecords } from './kpi-records.js'
import type { PlantModel } from './plant-model.js'
import { plannedBusy, shiftsOf, type ShiftInstance } from './shift-calendar.js'

/** What the KPIs are asked of. */
export type KpiScope = 'machine' | 'line' | 'area' | 'site'

/** One bar of the Pareto with the catalogue's name of its reason. */
export type NamedBar = {
  code: string | null
  name: string | null
  category: StopCategory
  ms: number
  count: number
}

/** The KPI answer of a scope over a period. */
export type KpiAnswer = Omit<Kpis, 'downtimeByReason'> & {
  scope: KpiScope
  id: string
  from: string
  to: string
  downtimeByReason: NamedBar[]
  constraint: string | null
}

/** One machine's records on one line, with the spans it stood there. */
export type Membership = {
  machineId: string
  lineId: string
  spans: Interval[]
  records: KpiRecords
}

/**
 * The lines a scope covers in the model, or undefined when the model has no such machine-less
 * scope. A machine scope covers no line by name: its records say where it stood.
 */
export function linesOf(model: PlantModel, scope: KpiScope, id: string): string[] | undefined {
  if (scope === 'machine') return []
  const lines = model.lineIds().filter((l) => {
    const at = model.line(l)
    return (
      at !== undefined && (scope === 'line' ? l : scope === 'area' ? at.areaId : at.siteId) === id
    )
  })
  return lines.length > 0 || scopeExists(model, scope, id) ? lines : undefined
}

function scopeExists(model: PlantModel, scope: KpiScope, id: string): boolean {
  const sites = model.file.sites
  if (scope === 'site') return sites.some((s) => s.id === id)
  if (scope === 'area') return sites.some((s) => s.areas.some((a) => a.id === id))
  return model.line(id) !== undefined
}

/**
 * Where each machine stood over time, from the line stamped on its records: it stands on a
 * line from its first record there until its first record on another line; before its first
 * record and after its last it stands where those name. So a machine moved between lines
 * counts in each for its own time there, planned time included.
 */
export function memberships(records: KpiRecords): Membership[] {
  const out = new Map<string, Membership>()
  const entry = (machineId: string, lineId: string): Membership => {
    const key = `${machineId}\u0000${lineId}`
    const found = out.get(key)
    if (found) return found
    const made = {
      machineId,
      lineId,
      spans: [],
      records: { stops: [], minutes: [], truncated: false },
    }
    out.set(key, made)
    return made
  }
  const marks = new Map<string, { at: number; lineId: string }[]>()
  const note = (machineId: string, at: number, lineId: string) => {
    const list = marks.get(machineId) ?? []
    list.push({ at, lineId })
    marks.set(machineId, list)
  }
  for (const s of records.stops) {
    entry(s.machineId, s.lineId).records.stops.push(s)
    note(s.machineId, s.startedAt, s.lineId)
  }
  for (const m of records.minutes) {
    entry(m.machineId, m.lineId).records.minutes.push(m)
    note(m.machineId, m.minute, m.lineId)
  }
  for (const [machineId, list] of marks) {
    list.sort((x, y) => x.at - y.at)
    let lineId = list[0]?.lineId ?? ''
    let from = -Infinity
    for (const mark of list) {
      if (mark.lineId === lineId) continue
      entry(machineId, lineId).spans.push({ from, to: mark.at })
      from = mark.at
      lineId = mark.lineId
    }
    entry(machineId, lineId).spans.push({ from, to: Infinity })
  }
  return [...out.values()]
}

/**
 * One machine's figures on one line over `period`: its stops and minutes there, against the
 * line's planned busy time over the spans it stood there (reaching back to its earliest stop's
 * start, so a stop over the period's start counts where it began to cost).
 */
function membershipFigures(
  model: PlantModel,
  m: Membership,
  period: Interval,
  now: number,
): Figures {
  const calendar = calendarOfLine(model, m.lineId)
  const earliest = Math.min(period.from, ...m.records.stops.map((s) => s.startedAt))
  const planned = normalise(
    m.spans.flatMap((span) => {
      const from = Math.max(span.from, earliest)
      const to = Math.min(span.to, period.to)
      return from < to ? plannedBusy(calendar, m.lineId, m.machineId, { from, to }) : []
    }),
  )
  const records: MachineRecords = {
    machineId: m.machineId,
    planned,
    stops: m.records.stops.map((s) => ({ ...s, category: model.categoryOf(s.reasonCode) })),
    minutes: m.records.minutes,
  }
  return machineFigures(records, period, {
    microStopMs: model.microStopMs,
    startupMs: model.startupMs,
    now,
  })
}

/**
 * The KPIs of a scope over `period`, from the follower's records: each machine's figures on
 * each line it stood on, summed over the machines and lines the scope covers (never an
 * average of ratios). A line's constraint is named; other scopes have none.
 */
export function kpiAnswer(
  model: PlantModel,
  ask: KpiAsk,
  period: Interval,
  records: KpiRecords,
  now: number,
): KpiAnswer {
  return kpiAnswerOf(model, ask, period, memberships(records), now)
}

/** What a KPI answer is about: a scope, its id and the lines it covers. */
export type KpiAsk = { scope: KpiScope; id: string; lineIds: readonly string[] }

/** `kpiAnswer` from memberships already worked out, for several periods of the same records. */
export function kpiAnswerOf(
  model: PlantModel,
  ask: KpiAsk,
  period: Interval,
  members: readonly Membership[],
  now: number,
): KpiAnswer {
  const counted = members.filter((m) =>
    ask.scope === 'machine' ? m.machineId === ask.id : ask.lineIds.includes(m.lineId),
  )
  const figures = counted.map((m) => ({
    machineId: m.machineId,
    figures: membershipFigures(model, m, period, now),
  }))
  const kpis = kpisOf(sumFigures(figures.map((f) => f.figures)))
  const byMachine = new Map<string, Figures[]>()
  for (const f of figures)
    byMachine.set(f.machineId, [...(byMachine.get(f.machineId) ?? []), f.figures])
  return {
    scope: ask.scope,
    id: ask.id,
    from: new Date(period.from).toISOString(),
    to: new Date(period.to).toISOString(),
    ...kpis,
    downtimeByReason: kpis.downtimeByReason.map((b) => ({
      ...b,
      name: model.reason(b.code)?.name ?? null,
    })),
    constraint:
      ask.scope === 'line'
        ? constraintOf(
            [...byMachine].map(([machineId, all]) => ({ machineId, figures: sumFigures(all) })),
          )
        : null,
  }
}

const DAY = 86_400_000

/** The calendar a line's shifts follow; undefined runs around the clock. */
export function calendarOfLine(model: PlantModel, lineId: string) {
  const name = model.line(lineId)?.calendar
  return name === undefined ? undefined : model.calendar(name)
}

/**
 * The shift a shift id (`{lineId}:{YYYY-MM-DD}:{name}`) names, or undefined when its line has
 * no such shift that day.
 */
export function shiftById(model: PlantModel, shiftId: string): ShiftInstance | undefined {
  const parts = /^(.+?):(\d{4}-\d{2}-\d{2}):(.+)$/.exec(shiftId)
  const lineId = parts?.[1]
  const day = Date.parse(`${parts?.[2] ?? ''}T00:00:00Z`)
  if (lineId === undefined || model.line(lineId) === undefined || Number.isNaN(day))
    return undefined
  // Any time zone's local date lies within a day of the UTC one.
  return shiftsOf(calendarOfLine(model, lineId), lineId, {
    from: day - DAY,
    to: day + 2 * DAY,
  }).find((s) => s.shiftId === shiftId)
}
