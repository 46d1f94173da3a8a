import { LOSS_CATEGORIES, type StopCategory } from '../domain/loss-categories.js'
import type { CalendarSpec, LineSpec, PlantModelFile, ReasonSpec } from './model-schema.js'

/** Where a machine stands in the hierarchy. */
export type Placement = { siteId: string; areaId: string; lineId: string }

/** A machine as the plant sees it: its id and, for a Sparkplug machine, its edge node. */
export type MachineSource = { machineId: string; sparkplug?: { group: string; edgeNode: string } }

/** A reason of the catalogue, with its planned flag settled. */
export type Reason = { code: string; name: string; category: StopCategory; planned: boolean }

/** The hierarchy with the machines placed in it, as `GET /plant` serves it. */
export type PlantTree = {
  sites: {
    id: string
    name: string
    areas: {
      id: string
      name: string
      lines: { id: string; name: string; machines: string[] }[]
    }[]
  }[]
  /** Machines no line claims. */
  unplaced: string[]
}

type LineEntry = Placement & { spec: LineSpec; calendar: string | undefined }
type PatternRule = { test: RegExp; literal: number; order: number; line: LineEntry }

/**
 * A checked plant model: places machines into lines and answers what the KPIs need of it
 * (reasons, calendars, thresholds). A machine goes to the line that names its id; else to the
 * one naming its Sparkplug edge node; else to the pattern with the most fixed characters (the
 * first in the file on a tie), so a catch-all `*` never takes a machine a narrower rule names.
 */
export class PlantModel {
  private readonly byId = new Map<string, LineEntry>()
  private readonly byEdge = new Map<string, LineEntry>()
  private readonly patterns: PatternRule[] = []
  private readonly lineEntries = new Map<string, LineEntry>()
  private readonly reasons = new Map<string, Reason>()

  constructor(readonly file: PlantModelFile) {
    for (const site of file.sites)
      for (const area of site.areas)
        for (const line of area.lines) {
          const entry: LineEntry = {
            siteId: site.id,
            areaId: area.id,
            lineId: line.id,
            spec: line,
            calendar: line.calendar ?? area.calendar ?? site.calendar,
          }
          this.lineEntries.set(line.id, entry)
          for (const m of line.machines) {
            if (typeof m === 'string') this.byId.set(m, entry)
            else if ('pattern' in m)
              this.patterns.push({
                test: patternRegExp(m.pattern),
                literal: m.pattern.replaceAll('*', '').length,
                order: this.patterns.length,
                line: entry,
              })
            else this.byEdge.set(edgeKey(m.sparkplug), entry)
          }
        }
    this.patterns.sort((a, b) => b.literal - a.literal || a.order - b.order)
    for (const r of file.reasons) this.reasons.set(r.code, settle(r))
  }

  /** The line a machine is placed in, or undefined when no rule places it. */
  placementOf(machine: MachineSource): Placement | undefined {
    const entry =
      this.byId.get(machine.machineId) ??
      (machine.sparkplug && this.byEdge.get(edgeKey(machine.sparkplug))) ??
      this.patterns.find((p) => p.test.test(machine.machineId))?.line
    return entry && { siteId: entry.siteId, areaId: entry.areaId, lineId: entry.lineId }
  }

  /** The hierarchy with these machines placed in it, each line's machines in id order. */
  tree(machines: readonly MachineSource[]): PlantTree {
    const members = new Map<string, string[]>()
    const unplaced: string[] = []
    for (const m of machines) {
      const at = this.placementOf(m)
      if (!at) unplaced.push(m.machineId)
      else members.set(at.lineId, [...(members.get(at.lineId) ?? []), m.machineId])
    }
    const sorted = (ids: string[] | undefined) => [...(ids ?? [])].sort(naturalOrder)
    return {
      sites: this.file.sites.map((s) => ({
        id: s.id,
        name: s.name,
        areas: s.areas.map((a) => ({
          id: a.id,
          name: a.name,
          lines: a.lines.map((l) => ({
            id: l.id,
            name: l.name,
            machines: sorted(members.get(l.id)),
          })),
        })),
      })),
      unplaced: unplaced.sort(naturalOrder),
    }
  }

  /** A line with its place and calendar name (none: the line runs around the clock). */
  line(lineId: string): (Placement & { name: string; calendar: string | undefined }) | undefined {
    const e = this.lineEntries.get(lineId)
    return (
      e && { siteId: e.siteId, areaId: e.areaId, lineId, name: e.spec.name, calendar: e.calendar }
    )
  }

  /** Every line's id, in the file's order. */
  lineIds(): string[] {
    return [...this.lineEntries.keys()]
  }

  /** A calendar by name. */
  calendar(name: string): CalendarSpec | undefined {
    return this.file.calendars[name]
  }

  /**
   * The reason a code names. A code the catalogue does not know is kept as given, unqualified;
   * no code at all is unqualified too.
   */
  reason(code: string | null): Reason | undefined {
    return code === null ? undefined : this.reasons.get(code)
  }

  /** A stop's category from its reason code. */
  categoryOf(code: string | null): StopCategory {
    return this.reason(code)?.category ?? 'unqualified'
  }

  get microStopMs(): number {
    return this.file.microStopSeconds * 1000
  }

  get startupMs(): number {
    return this.file.startupMinutes * 60_000
  }

  /**
   * The model without a file: one site, one area and one line, `unassigned`, holding every
   * machine, around the clock, no reasons, micro-stops under 120 s.
   */
  static readonly DEFAULT = new PlantModel({
    microStopSeconds: 120,
    startupMinutes: 10,
    reasons: [],
    calendars: {},
    sites: [
      {
        id: 'plant',
        name: 'Plant',
        areas: [
          {
            id: 'plant',
            name: 'Plant',
            lines: [{ id: 'unassigned', name: 'Unassigned', machines: [{ pattern: '*' }] }],
          },
        ],
      },
    ],
  })
}

function settle(r: ReasonSpec): Reason {
  return { ...r, planned: r.planned ?? LOSS_CATEGORIES[r.category].planned }
}

function edgeKey(e: { group: string; edgeNode: string }): string {
  return `${e.group}\u0000${e.edgeNode}`
}

function patternRegExp(pattern: string): RegExp {
  const parts = pattern.split('*').map((p) => p.replace(/[.]/g, '\\.'))
  return new RegExp(`^${parts.join('.*')}$`)
}

const collator = new Intl.Collator('en', { numeric: true })
const naturalOrder = (a: string, b: string) => collator.compare(a, b)
