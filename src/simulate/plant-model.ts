import { SIM_CALENDAR, type CalendarSpec } from './plant-calendar.js'
import { AREAS, type Plant } from './plant.js'
import { SIM_REASONS, type ReasonSpec } from './reasons.js'

/** A line of the plant model file. */
export type PlantModelLine = {
  id: string
  name: string
  calendar?: string
  targetPerShift: number
  machines: string[]
}

/** The plant model file (`PLANT_MODEL_FILE`) of a simulated plant. */
export type PlantModelFile = {
  microStopSeconds: number
  reasons: (ReasonSpec & { code: string })[]
  calendars: Record<string, CalendarSpec>
  sites: {
    id: string
    name: string
    calendar?: string
    areas: { id: string; name: string; lines: PlantModelLine[] }[]
  }[]
}

const CALENDAR = 'three-shifts'
const MICRO_STOP_SECONDS = 120
/** What a shift's target asks of a machine: its ideal output over the planned time, at 85% OEE. */
const TARGET_OEE = 0.85
const PLANNED_SECONDS_PER_SHIFT = 7.5 * 3600

/**
 * The plant model that describes a simulated plant: its site, areas and lines holding the
 * machine ids it simulates, its shift calendar, and a reason catalogue with every code its
 * machines send.
 */
export function plantModelOf(plant: Plant, calendar = true): PlantModelFile {
  const areas = AREAS.map((area) => ({
    id: area.id,
    name: area.name,
    lines: plant.lines
      .filter((l) => l.area === area.id)
      .map((l) => {
        const machines = plant.machines.filter((m) => m.line === l.id)
        const ideal = machines.reduce(
          (sum, m) => sum + PLANNED_SECONDS_PER_SHIFT / m.idealCycleSeconds,
          0,
        )
        return {
          id: l.id,
          name: l.name,
          ...(calendar ? { calendar: CALENDAR } : {}),
          targetPerShift: Math.round((ideal * TARGET_OEE) / 10) * 10,
          machines: machines.map((m) => m.machineId),
        }
      }),
  })).filter((a) => a.lines.length > 0)
  return {
    microStopSeconds: MICRO_STOP_SECONDS,
    reasons: Object.entries(SIM_REASONS).map(([code, r]) => ({ code, ...r })),
    calendars: calendar ? { [CALENDAR]: SIM_CALENDAR } : {},
    // Without a calendar the lines run 24/7, as the machines do.
    sites: [{ id: 'plant-1', name: 'Plant 1', ...(calendar ? { calendar: CALENDAR } : {}), areas }],
  }
}

/** The plant model as its file holds it. */
export function plantModelJson(plant: Plant, calendar = true): string {
  return `${JSON.stringify(plantModelOf(plant, calendar), null, 2)}\n`
}
