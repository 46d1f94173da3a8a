import type { MachineConfig } from './plant.js'
import type { Random } from './random.js'
import { FAULT_CODES, type PlannedStopCode, type SimReasonCode } from './reasons.js'
import { round } from './round.js'
import { ScrapProcess } from './scrap.js'
import { Sensors, type Sample, type SimState } from './sensors.js'

/**
 * A change of state, at a simulated time (seconds since the plant started), with the reason
 * code the machine gives (none when it does not say, or when it runs again).
 */
export type StatusEmission = {
  kind: 'status'
  at: number
  state: SimState
  reason: SimReasonCode | undefined
}

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

/**
 * The shift calendar as a machine sees it, in simulated seconds: at `at`, whether it should be
 * producing, and until when.
 */
export type Plan = (
  at: number,
) =>
  { producing: true; until: number } | { producing: false; reason: PlannedStopCode; until: number }

/** A plant without a calendar: always producing. */
export const ALWAYS_PRODUCING: Plan = () => ({ producing: true, until: Number.POSITIVE_INFINITY })

/** Why a machine changes state: it decides how long the new state lasts. */
type Cause =
  | 'run'
  | 'failure'
  | 'shortage'
  | 'micro-stop'
  | 'changeover'
  | 'maintenance'
  | 'requested'
  | 'plan'

type Change = { at: number; to: SimState; cause: Cause; reason: SimReasonCode | undefined }

// Planned maintenance waits this long after a machine restarts, or after a shortage begins
// (it then uses the stop), so no state lasts no time.
const MIN_RUN_BEFORE_MAINTENANCE_S = 60
const MIN_STOP_S = 30
// A micro-stop lasts this long: under the usual two-minute threshold of a small stop.
const MICRO_STOP_S = [15, 100] as const
/** The next change of a machine held in maintenance or stopped by the plan: none of its own. */
const UNTIL_ENDED: Change = {
  at: Number.POSITIVE_INFINITY,
  to: 'running',
  cause: 'run',
  reason: undefined,
}

/**
 * One virtual machine over simulated time, without I/O or a clock: `advance(t)` returns what
 * it said up to `t`. Running, it fails (exponential with mean MTBF of running time), runs out
 * of material, jams for a moment, or stops for planned maintenance; down, it is repaired (mean
 * MTTR); between two orders it is changed over. Breaks and the time between shifts (`plan`)
 * stop it whatever it is doing, but for maintenance an operator holds. It makes a part per
 * cycle only while running; a stop loses the part in progress. Reason codes: planned stops and
 * changeovers always say theirs, unplanned stops only on a machine that `sendsReasons`.
 */
export class MachineModel {
  private current: SimState
  private clock = 0
  private announced = false
  private nextPartAt = 0
  private nextTelemetryAt = 0
  private nextMaintenanceAt: number
  private next: Change
  private planned: ReturnType<Plan>
  private firstReason: SimReasonCode | undefined
  /** The planned stop the machine is idle for, if the plan stopped it. */
  private planStop: SimReasonCode | undefined
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
    private readonly plan: Plan = ALWAYS_PRODUCING,
  ) {
    this.planned = plan(0)
    this.current = this.planned.producing ? 'running' : 'idle'
    this.firstReason = this.planned.producing ? undefined : this.planned.reason
    this.planStop = this.firstReason
    this.sensors = new Sensors(config.sensors, random, this.current)
    this.scrap = new ScrapProcess(config.scrapShare, random)
    this.order = config.firstOrder
    this.partsLeftInOrder = this.orderSize()
    this.nextMaintenanceAt = config.firstMaintenanceAt
    this.startCycle(0)
    // Nothing stops a machine before its first part: every OEE factor has a basis at once.
    const first = this.planned.producing ? this.fromRunning(0) : UNTIL_ENDED
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
      out.push({ kind: 'status', at: 0, state: this.current, reason: this.firstReason })
    }
    for (;;) {
      const partAt = this.current === 'running' ? this.nextPartAt : Number.POSITIVE_INFINITY
      const at = Math.min(partAt, this.next.at, this.planned.until, this.nextTelemetryAt)
      if (at > to) break
      this.sensors.advance(at - this.clock, this.current)
      this.clock = at
      // On a tie the part is finished first, then the state changes, then the plan, then a
      // sample is taken.
      if (at === partAt) out.push(this.producePart(at))
      else if (at === this.next.at) out.push(this.change(this.next))
      else if (at === this.planned.until) out.push(...this.replan(at))
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
        this.next = { at: when, to: 'maintenance', cause: 'requested', reason: 'MAINT-REQUEST' }
      }
      return
    }
    this.held = false
    if (this.current === 'maintenance') {
      this.next = this.resume(when)
      this.nextMaintenanceAt =
        when + this.config.maintenanceEverySeconds * this.random.uniform(0.8, 1.2)
    } else if (this.displaced) {
      this.next = this.displaced
    }
    this.displaced = undefined
  }

  /** The calendar's plan changes: a break or the shift's end stops the machine, a start resumes it. */
  private replan(at: number): StatusEmission[] {
    this.planned = this.plan(at)
    if (this.planned.producing) return this.planStop ? [this.change(this.resume(at))] : []
    // Maintenance an operator asked for goes on until they end it.
    if (this.held || this.planStop === this.planned.reason) return []
    return [this.change({ at, to: 'idle', cause: 'plan', reason: this.planned.reason })]
  }

  /** Running again, or (off shift) idle for the plan's reason. */
  private resume(at: number): Change {
    return this.planned.producing
      ? { at, to: 'running', cause: 'run', reason: undefined }
      : { at, to: 'idle', cause: 'plan', reason: this.planned.reason }
  }

  private change(c: Change): StatusEmission {
    this.current = c.to
    this.planStop = c.cause === 'plan' ? c.reason : undefined
    switch (c.cause) {
      case 'run':
        this.startCycle(c.at)
        this.next = this.fromRunning(c.at)
        break
      case 'plan':
        this.displaced = undefined
        this.next = UNTIL_ENDED
        break
      case 'shortage': {
        const end = c.at + this.random.exponential(this.config.starvationSeconds)
        this.next =
          this.nextMaintenanceAt <= end
            ? {
                at: Math.max(c.at + MIN_STOP_S, this.nextMaintenanceAt),
                to: 'maintenance',
                cause: 'maintenance',
                reason: 'PLANNED-MAINT',
              }
            : this.resume(end)
        break
      }
      case 'micro-stop':
        this.next = this.resume(c.at + this.random.uniform(...MICRO_STOP_S))
        break
      case 'changeover': {
        const mean = this.config.changeoverSeconds
        this.next = this.resume(c.at + Math.max(0.3 * mean, this.random.normal(mean, 0.2 * mean)))
        break
      }
      case 'failure':
        this.next = this.resume(c.at + this.random.exponential(this.config.mttrSeconds))
        break
      case 'maintenance':
      case 'requested':
        this.enterMaintenance(c.at)
    }
    return { kind: 'status', at: c.at, state: c.to, reason: c.reason }
  }

  private enterMaintenance(at: number): void {
    if (this.held) {
      this.displaced = undefined
      this.next = UNTIL_ENDED
      return
    }
    const mean = this.config.maintenanceSeconds
    const done = at + Math.max(0.3 * mean, this.random.normal(mean, 0.15 * mean))
    this.nextMaintenanceAt =
      done + this.config.maintenanceEverySeconds * this.random.uniform(0.8, 1.2)
    this.next = this.resume(done)
  }

  /**
   * The first of: a failure, a material shortage, a micro-stop, planned maintenance
   * (memoryless draws).
   */
  private fromRunning(now: number): Change {
    const failure = now + this.random.exponential(this.config.mtbfSeconds)
    const shortage = now + this.random.exponential(this.config.starvationEverySeconds)
    const micro = now + this.random.exponential(this.config.microStopEverySeconds)
    const maintenance = Math.max(now + MIN_RUN_BEFORE_MAINTENANCE_S, this.nextMaintenanceAt)
    const first = Math.min(failure, shortage, micro, maintenance)
    const says = (code: SimReasonCode) => (this.config.sendsReasons ? code : undefined)
    if (maintenance === first)
      return { at: maintenance, to: 'maintenance', cause: 'maintenance', reason: 'PLANNED-MAINT' }
    if (failure === first)
      return {
        at: failure,
        to: 'down',
        cause: 'failure',
        reason: says(this.random.pick(FAULT_CODES)),
      }
    if (shortage === first)
      return { at: shortage, to: 'idle', cause: 'shortage', reason: says('NO-MATERIAL') }
    return { at: micro, to: 'idle', cause: 'micro-stop', reason: says('JAM') }
  }

  /** A part; the last of an order is followed at once by a changeover to the next order. */
  private producePart(at: number): PartEmission {
    const cycleSeconds = at - this.partStartedAt
    const { damaged, deviationUm } = this.scrap.inspect(at)
    const order = this.order
    this.partsLeftInOrder -= 1
    if (this.partsLeftInOrder <= 0) {
      this.order += 1
      this.partsLeftInOrder = this.orderSize()
      // Maintenance an operator asked for comes first; the changeover is done during it.
      if (!this.held) this.next = { at, to: 'idle', cause: 'changeover', reason: 'SETUP' }
    }
    this.startCycle(at)
    return {
      kind: 'part',
      at,
      partId: this.config.partId,
      order,
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
