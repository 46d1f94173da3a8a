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
  /** Mean length of a changeover between two orders. */
  changeoverSeconds: number
  /** Mean running time between micro-stops (a jam cleared within a minute or two). */
  microStopEverySeconds: number
  /** Whether the machine says why it stopped (a reason code); others leave it to a supervisor. */
  sendsReasons: boolean
  sensors: SensorSetpoints
}

/** A production line of the plant, in an area. */
export type LineSpec = { id: string; name: string; area: string }

export type Plant = {
  parts: PartSpec[]
  materials: MaterialSpec[]
  machines: MachineConfig[]
  /** The lines that hold a machine, in order. */
  lines: LineSpec[]
}

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

/** The plant's areas, each with two lines; machines fill the lines in blocks, in this order. */
export const AREAS = [
  {
    id: 'machining',
    name: 'Machining',
    lines: [
      { id: 'turning', name: 'Turning line' },
      { id: 'milling', name: 'Milling line' },
    ],
  },
  {
    id: 'forming',
    name: 'Forming',
    lines: [
      { id: 'press-line', name: 'Press line' },
      { id: 'assembly', name: 'Assembly line' },
    ],
  },
] as const

const LINES: readonly LineSpec[] = AREAS.flatMap((a) =>
  a.lines.map((l) => ({ id: l.id, name: l.name, area: a.id })),
)
const ORDER_SECONDS = 90 * 60
// Share of machines that send reason codes on their stops.
const REASON_SENDERS = 0.6

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
  const lines = LINES.filter((l) => machines.some((m) => m.line === l.id))
  return { parts: catalog.filter((p) => used.has(p.partId)), materials, machines, lines }
}

/** The line of machine `n` of `count`: consecutive machines share a line. */
function lineOf(n: number, count: number): string {
  const lines = Math.min(LINES.length, count)
  return (LINES[Math.floor(((n - 1) * lines) / count)] as LineSpec).id
}

function machineConfig(n: number, part: PartSpec, settings: PlantSettings): MachineConfig {
  const random = Random.derive(settings.seed, `machine-config/${n}`)
  const maintenanceEverySeconds = 4 * 3600 * random.spread(0.2)
  return {
    machineId: String(n),
    line: lineOf(n, settings.machines),
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
    // Orders last about 90 min of ideal cycles, whatever the cycle: a changeover costs a share
    // of the time, not of the parts (at --rate 5 an order has thousands).
    partsPerOrder: Math.max(
      1,
      Math.round((ORDER_SECONDS * random.uniform(0.5, 1.5)) / part.cycleSeconds),
    ),
    sensors: sensorSetpoints(random),
    // Drawn last, from streams of their own: the draws above stay what they were.
    ...stopHabits(Random.derive(settings.seed, `machine-stops/${n}`)),
  }
}

function stopHabits(random: Random) {
  return {
    changeoverSeconds: 10 * 60 * random.spread(0.3),
    microStopEverySeconds: 15 * 60 * random.spread(0.3),
    sendsReasons: random.chance(REASON_SENDERS),
  }
}
