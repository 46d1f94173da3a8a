import { Random } from './random.js'
import { round } from './round.js'
import { sensorSetpoints, type SensorSetpoints } from './sensors.js'

/** What shapes a plant; everything else is drawn from the seed. Times in simulated seconds. */
export type PlantSettings = {
  seed: number
  machines: number
  /** The fleet's mean share of parts scrapped, 0..1. */
  scrapShare: number
  /** When set, every part takes this long (an ideal cycle), instead of its own cycle time. */
  cycleSeconds?: number | undefined
  /** Mean running time between failures. */
  mtbfSeconds: number
  /** Mean time to repair. */
  mttrSeconds: number
}

export type PartSpec = {
  partId: number
  name: string
  defaultPrice: number
  /** The ideal cycle time: what `timeToProduce` says. */
  cycleSeconds: number
  materials: string[]
}

export type MaterialSpec = { materialId: string; name: string; price: number }

/** One virtual machine's fixed character. */
export type MachineConfig = {
  machineId: string
  line: string
  partId: number
  idealCycleSeconds: number
  /** Actual cycles take this many times the ideal one on average (performance ≈ 1 / slowdown). */
  slowdown: number
  /** Relative standard deviation of one cycle. */
  cycleJitter: number
  scrapShare: number
  mtbfSeconds: number
  mttrSeconds: number
  /** Mean running time between material shortages, and how long one lasts on average. */
  starvationEverySeconds: number
  starvationSeconds: number
  maintenanceEverySeconds: number
  maintenanceSeconds: number
  /** When the first planned maintenance is due: staggered so the fleet is not stopped at once. */
  firstMaintenanceAt: number
  /** Production orders: the first order number, and the mean parts per order. */
  firstOrder: number
  partsPerOrder: number
  sensors: SensorSetpoints
}

export type Plant = { parts: PartSpec[]; materials: MaterialSpec[]; machines: MachineConfig[] }

const PART_NAMES = [
  'bracket',
  'flange',
  'shaft',
  'housing',
  'gear',
  'bushing',
  'valve body',
  'cover plate',
] as const

// Typical prices per kg; each plant's differ a little.
const MATERIALS: readonly MaterialSpec[] = [
  { materialId: 'steel-s235', name: 'Steel S235', price: 1.1 },
  { materialId: 'stainless-1.4404', name: 'Stainless steel 1.4404', price: 4.2 },
  { materialId: 'aluminium-6061', name: 'Aluminium 6061', price: 3.4 },
  { materialId: 'brass-cw614n', name: 'Brass CW614N', price: 7.8 },
  { materialId: 'pom-c', name: 'POM-C', price: 5.5 },
  { materialId: 'titanium-gr5', name: 'Titanium grade 5', price: 32 },
]

const LINES = ['line-a', 'line-b', 'line-c'] as const

/** The plant a seed describes: the parts its machines make, their materials and the machines. */
export function buildPlant(settings: PlantSettings): Plant {
  const random = Random.derive(settings.seed, 'plant')
  const materials = MATERIALS.map((m) => ({ ...m, price: round(m.price * random.spread(0.1), 4) }))
  const catalog = PART_NAMES.map((name, i): PartSpec => {
    const chosen = random.sample(materials, random.int(1, 3))
    return {
      partId: i + 1,
      name,
      defaultPrice: round(random.uniform(5, 120), 2),
      // Log-uniform over 2..20 s: parts appear within seconds at speed 1.
      cycleSeconds: settings.cycleSeconds ?? round(2 * Math.pow(10, random.next()), 1),
      materials: chosen.map((m) => m.materialId),
    }
  })
  const machines = Array.from({ length: settings.machines }, (_, i) =>
    machineConfig(i + 1, catalog[i % catalog.length] as PartSpec, settings),
  )
  const used = new Set(machines.map((m) => m.partId))
  return { parts: catalog.filter((p) => used.has(p.partId)), materials, machines }
}

function machineConfig(n: number, part: PartSpec, settings: PlantSettings): MachineConfig {
  const random = Random.derive(settings.seed, `machine-config/${n}`)
  const maintenanceEverySeconds = 4 * 3600 * random.spread(0.2)
  return {
    machineId: String(n),
    line: LINES[(n - 1) % LINES.length] as string,
    partId: part.partId,
    idealCycleSeconds: part.cycleSeconds,
    slowdown: random.uniform(1.03, 1.2),
    cycleJitter: random.uniform(0.02, 0.06),
    scrapShare: Math.min(1, settings.scrapShare * random.spread(0.3)),
    mtbfSeconds: settings.mtbfSeconds * random.spread(0.25),
    mttrSeconds: settings.mttrSeconds * random.spread(0.25),
    starvationEverySeconds: 25 * 60 * random.spread(0.3),
    starvationSeconds: 90 * random.spread(0.3),
    maintenanceEverySeconds,
    maintenanceSeconds: 15 * 60 * random.spread(0.2),
    firstMaintenanceAt: random.uniform(0.1, 1) * maintenanceEverySeconds,
    firstOrder: 1000 * n,
    partsPerOrder: random.int(50, 200),
    sensors: sensorSetpoints(random),
  }
}
