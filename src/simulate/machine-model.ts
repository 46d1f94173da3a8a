import type { MachineConfig } from './plant.js'
import type { Random } from './random.js'
import { round } from './round.js'
import { ScrapProcess } from './scrap.js'
import { Sensors, type Sample, type SimState } from './sensors.js'

/** A change of state, at a simulated time (seconds since the plant started). */
export type StatusEmission = { kind: 'status'; at: number; state: SimState; reason: string }

/** A part made. */
export type PartEmission = {
  kind: 'part'
  at: number
  partId: number
  order: number
  damaged: boolean
  /** How long this part took, simulated seconds. */
  cycleSeconds: number
  /** Measured deviation from the nominal size, µm: a scrapped part is out of tolerance. */
  deviationUm: number
}

/** A sample of the sensors, and which reading (if any) carries a spike. */
export type TelemetryEmission = { kind: 'telemetry'; at: number } & Sample

/** What a virtual machine says. */
export type MachineEmission = StatusEmission | PartEmission | TelemetryEmission

type Change = { at: number; to: SimState; reason: string }

const FAULTS = [
  'spindle fault',
  'tool breakage',
  'coolant pressure low',
  'servo alarm',
  'hydraulic leak',
  'door interlock open',
] as const

// Planned maintenance waits this long after a machine restarts, or after a shortage begins
// (it then uses the stop), so no state lasts no time.
const MIN_RUN_BEFORE_MAINTENANCE_S = 60
const MIN_STOP_S = 30
/** The next change of a machine held in maintenance: none until the operator ends it. */
const UNTIL_ENDED: Change = { at: Number.POSITIVE_INFINITY, to: 'running', reason: '' }

/**
 * One virtual machine over simulated time, without I/O or a clock: `advance(t)` returns what
 * it said up to `t`. Running, it fails (exponential with mean MTBF of running time), runs out
 * of material, or stops for planned maintenance; down, it is repaired (mean MTTR). It makes a
 * part per cycle only while running; a stop loses the part in progress.
 */
export class MachineModel {
  private current: SimState = 'running'
  private clock = 0
  private announced = false
  private nextPartAt = 0
  private nextTelemetryAt = 0
  private nextMaintenanceAt: number
  private next: Change
  private partStartedAt = 0
  private order: number
  private partsLeftInOrder: number
  /** Maintenance an operator asked for: it lasts until they end it. */
  private held = false
  /** The change a requested maintenance displaced, restored if it is called off before it began. */
  private displaced: Change | undefined
  private readonly sensors: Sensors
  private readonly scrap: ScrapProcess

  constructor(
    readonly config: MachineConfig,
    private readonly random: Random,
    /** Simulated seconds between telemetry samples. */
    private readonly telemetryEverySeconds: number,
  ) {
    this.sensors = new Sensors(config.sensors, random, 'running')
    this.scrap = new ScrapProcess(config.scrapShare, random)
    this.order = config.firstOrder
    this.partsLeftInOrder = this.orderSize()
    this.nextMaintenanceAt = config.firstMaintenanceAt
    this.startCycle(0)
    // Nothing stops a machine before its first part: every OEE factor has a basis at once.
    const first = this.fromRunning(0)
    this.next = { ...first, at: Math.max(first.at, this.nextPartAt) }
  }

  get state(): SimState {
    return this.current
  }

  /** Lets simulated time run to `to` (seconds); returns what the machine said, in order. */
  advance(to: number): MachineEmission[] {
    const out: MachineEmission[] = []
    if (!this.announced) {
      this.announced = true
      out.push({ kind: 'status', at: 0, state: this.current, reason: 'shift started' })
    }
    for (;;) {
      const partAt = this.current === 'running' ? this.nextPartAt : Number.POSITIVE_INFINITY
      const at = Math.min(partAt, this.next.at, this.nextTelemetryAt)
      if (at > to) break
      this.sensors.advance(at - this.clock, this.current)
      this.clock = at
      // On a tie the part is finished first, then the state changes, then a sample is taken.
      if (at === partAt) out.push(this.producePart(at))
      else if (at === this.next.at) out.push(this.change(this.next))
      else out.push(this.sample(at))
    }
    // The sensors stay at the last event: how far a caller steps must not change what they read.
    return out
  }

  /**
   * An operator's command at simulated second `at` (no earlier than what the machine last said):
   * maintenance from then until ended, or the end of the maintenance it is in (planned or not).
   */
  command(maintenance: boolean, at: number): void {
    const when = Math.max(at, this.clock)
    if (maintenance) {
      if (this.held) return
      this.held = true
      if (this.current === 'maintenance') this.next = UNTIL_ENDED
      else {
        this.displaced = this.next
        this.next = { at: when, to: 'maintenance', reason: 'maintenance requested' }
      }
      return
    }
    this.held = false
    if (this.current === 'maintenance') {
      this.next = { at: when, to: 'running', reason: 'maintenance ended' }
      this.nextMaintenanceAt =
        when + this.config.maintenanceEverySeconds * this.random.uniform(0.8, 1.2)
    } else if (this.displaced) {
      this.next = this.displaced
    }
    this.displaced = undefined
  }

  private change(c: Change): StatusEmission {
    this.current = c.to
    if (c.to === 'running') {
      this.startCycle(c.at)
      this.next = this.fromRunning(c.at)
    } else if (c.to === 'idle') {
      const end = c.at + this.random.exponential(this.config.starvationSeconds)
      this.next =
        this.nextMaintenanceAt <= end
          ? {
              at: Math.max(c.at + MIN_STOP_S, this.nextMaintenanceAt),
              to: 'maintenance',
              reason: 'planned maintenance',
            }
          : { at: end, to: 'running', reason: 'material arrived' }
    } else if (c.to === 'down') {
      const repaired = c.at + this.random.exponential(this.config.mttrSeconds)
      this.next = { at: repaired, to: 'running', reason: `repaired: ${c.reason}` }
    } else if (this.held) {
      this.displaced = undefined
      this.next = UNTIL_ENDED
    } else {
      const mean = this.config.maintenanceSeconds
      const done = c.at + Math.max(0.3 * mean, this.random.normal(mean, 0.15 * mean))
      this.nextMaintenanceAt =
        done + this.config.maintenanceEverySeconds * this.random.uniform(0.8, 1.2)
      this.next = { at: done, to: 'running', reason: 'maintenance done' }
    }
    return { kind: 'status', at: c.at, state: c.to, reason: c.reason }
  }

  /** The first of: a failure, a material shortage, planned maintenance (memoryless draws). */
  private fromRunning(now: number): Change {
    const failure = now + this.random.exponential(this.config.mtbfSeconds)
    const shortage = now + this.random.exponential(this.config.starvationEverySeconds)
    const maintenance = Math.max(now + MIN_RUN_BEFORE_MAINTENANCE_S, this.nextMaintenanceAt)
    if (maintenance <= failure && maintenance <= shortage)
      return { at: maintenance, to: 'maintenance', reason: 'planned maintenance' }
    if (failure <= shortage) return { at: failure, to: 'down', reason: this.random.pick(FAULTS) }
    return { at: shortage, to: 'idle', reason: 'no material' }
  }

  private producePart(at: number): PartEmission {
    const cycleSeconds = at - this.partStartedAt
    const { damaged, deviationUm } = this.scrap.inspect(at)
    if (this.partsLeftInOrder <= 0) {
      this.order += 1
      this.partsLeftInOrder = this.orderSize()
    }
    this.partsLeftInOrder -= 1
    this.startCycle(at)
    return {
      kind: 'part',
      at,
      partId: this.config.partId,
      order: this.order,
      damaged,
      cycleSeconds: round(cycleSeconds, 3),
      deviationUm,
    }
  }

  private sample(at: number): TelemetryEmission {
    this.nextTelemetryAt = at + this.telemetryEverySeconds * this.random.uniform(0.9, 1.1)
    return { kind: 'telemetry', at, ...this.sensors.sample() }
  }

  private startCycle(at: number): void {
    this.partStartedAt = at
    this.nextPartAt = at + this.cycle()
  }

  /** One cycle: never faster than the ideal, on average `slowdown` times it. */
  private cycle(): number {
    const c = this.config
    return (
      c.idealCycleSeconds * Math.max(1, c.slowdown * (1 + this.random.normal(0, c.cycleJitter)))
    )
  }

  private orderSize(): number {
    return Math.max(1, Math.round(this.config.partsPerOrder * this.random.uniform(0.5, 1.5)))
  }
}
