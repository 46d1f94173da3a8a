import { PLANNED_RUN_STATES, type RunState } from '../domain/oee.js'
import { bucketStart, GRAINS, type GrainName } from './buckets.js'

/** What the follower reads of one committed event: only the machine events it rolls up. */
export type SeriesEvent =
  | {
      type: 'MachineMetricsRecorded'
      machineId: string
      at: number
      metrics: Record<string, number>
    }
  | {
      type: 'PartProduced'
      machineId: string
      at: number
      damaged: boolean
      idealMs: number | null
    }
  | {
      type: 'MachineStateChanged'
      machineId: string
      at: number
      state: RunState
      /** The reason code given with the state, when one was (the plant's downtime reads it). */
      reason?: string | null
    }
  | {
      /** A supervisor's reason for a stop (the plant's downtime reads it; no series does). */
      type: 'DowntimeClassified'
      machineId: string
      at: number
      recordId: string
      reasonCode: string
      classifiedBy: string
    }

/** A machine's run state, and the time up to which its durations are counted. */
export type MachineClock = { state: RunState; since: number }

/** One raw telemetry reading. */
export type Reading = { machineId: string; metric: string; at: number; value: number }

/** Readings of one metric in one bucket. */
export type MetricCell = {
  machineId: string
  metric: string
  bucket: number
  count: number
  sum: number
  min: number
  max: number
  last: number
  lastAt: number
}

/** OEE inputs in one bucket: of one machine, or (machineId null) of the plant. */
export type OeeCell = {
  machineId: string | null
  bucket: number
  produced: number
  scrapped: number
  plannedMs: number
  runningMs: number
  idealMs: number
}

/** Everything one batch of events adds: one entry per rollup row it touches. */
export type SeriesPlan = {
  readings: Reading[]
  metricNames: { machineId: string; metric: string }[]
  metrics: Record<GrainName, MetricCell[]>
  machines: Record<GrainName, OeeCell[]>
  plant: Record<GrainName, OeeCell[]>
  /** The clock of every machine the batch touched, as it stands after the batch. */
  clocks: Map<string, MachineClock>
}

/**
 * How far back a single state's duration is split into buckets, per grain: time older than
 * the grain's retention would be deleted at the next sweep, and a clock that jumps years ahead
 * would otherwise write a row for every minute in between.
 */
export type PlanLimits = Record<GrainName, number>

/**
 * Aggregates a batch in memory, in the order given (commit order). A state lasts from the time
 * its machine's clock stands at to the machine's next event, and its time is split across the
 * bucket edges it crosses; an event earlier than the clock counts no time (the clock never runs
 * back). `clockOf` gives a machine's clock before the batch, undefined for a machine never seen.
 */
export function planBatch(
  events: readonly SeriesEvent[],
  clockOf: (machineId: string) => MachineClock | undefined,
  limits: PlanLimits,
): SeriesPlan {
  const acc = new Accumulator()
  const clocks = new Map<string, MachineClock>()
  for (const e of events) {
    // Not a machine event: the series never read it.
    if (e.type === 'DowntimeClassified') continue
    const before = clocks.get(e.machineId) ?? clockOf(e.machineId)
    const clock: MachineClock = before
      ? { ...before }
      : { state: e.type === 'MachineStateChanged' ? e.state : 'unknown', since: e.at }
    if (e.at > clock.since) {
      acc.addState(e.machineId, clock.state, clock.since, e.at, limits)
      clock.since = e.at
    }
    if (e.type === 'MachineStateChanged') clock.state = e.state
    else if (e.type === 'PartProduced') acc.addPart(e.machineId, e.at, e.damaged, e.idealMs)
    else acc.addReadings(e.machineId, e.at, e.metrics)
    clocks.set(e.machineId, clock)
  }
  return acc.plan(clocks)
}

/** One machine's metric in a batch: its name, and its cell of each bucket by grain. */
type MetricSeries = {
  machineId: string
  metric: string
  cells: Record<GrainName, Map<number, MetricCell>>
}

class Accumulator {
  private readonly readings: Reading[] = []
  /** By machine and metric: one string key per reading (a key per grain and bucket cost more). */
  private readonly series = new Map<string, MetricSeries>()
  /** Every metric cell, in the order it was first touched. */
  private readonly metricCells: Record<GrainName, MetricCell[]> = { minute: [], hour: [] }
  private readonly machineCells = grainMaps<OeeCell>()
  private readonly plantCells = grainMaps<OeeCell>()

  addReadings(machineId: string, at: number, metrics: Record<string, number>): void {
    for (const metric in metrics) {
      const value = metrics[metric] as number
      this.readings.push({ machineId, metric, at, value })
      const key = `${machineId}\u0000${metric}`
      let series = this.series.get(key)
      if (!series) {
        series = { machineId, metric, cells: { minute: new Map(), hour: new Map() } }
        this.series.set(key, series)
      }
      for (const grain of GRAINS) {
        const bucket = bucketStart(at, grain.ms)
        const cells = series.cells[grain.name]
        const cell = cells.get(bucket)
        if (!cell) {
          const fresh: MetricCell = {
            machineId,
            metric,
            bucket,
            count: 1,
            sum: value,
            min: value,
            max: value,
            last: value,
            lastAt: at,
          }
          cells.set(bucket, fresh)
          this.metricCells[grain.name].push(fresh)
          continue
        }
        cell.count += 1
        cell.sum += value
        cell.min = Math.min(cell.min, value)
        cell.max = Math.max(cell.max, value)
        // A later reading at the same instant wins: it was committed later.
        if (at >= cell.lastAt) {
          cell.last = value
          cell.lastAt = at
        }
      }
    }
  }

  addPart(machineId: string, at: number, damaged: boolean, idealMs: number | null): void {
    for (const grain of GRAINS) {
      this.addOee(grain.name, machineId, bucketStart(at, grain.ms), (c) => {
        c.produced += 1
        if (damaged) c.scrapped += 1
        if (idealMs !== null) c.idealMs += idealMs
      })
    }
  }

  /** Counts `[from, to)` spent in `state`, split at each bucket edge. */
  addState(machineId: string, state: RunState, from: number, to: number, limits: PlanLimits) {
    // Planned time as the live OEE counts it: offline like down, nothing in maintenance.
    if (!PLANNED_RUN_STATES.has(state)) return
    const running = state === 'running'
    for (const grain of GRAINS) {
      let at = Math.max(from, to - limits[grain.name])
      while (at < to) {
        const bucket = bucketStart(at, grain.ms)
        const end = Math.min(to, bucket + grain.ms)
        const ms = end - at
        this.addOee(grain.name, machineId, bucket, (c) => {
          c.plannedMs += ms
          if (running) c.runningMs += ms
        })
        at = end
      }
    }
  }

  plan(clocks: Map<string, MachineClock>): SeriesPlan {
    return {
      readings: this.readings,
      metricNames: [...this.series.values()].map(({ machineId, metric }) => ({
        machineId,
        metric,
      })),
      metrics: this.metricCells,
      machines: valuesOf(this.machineCells),
      plant: valuesOf(this.plantCells),
      clocks,
    }
  }

  /** Applies `change` to the machine's cell and to the plant's cell of the same bucket. */
  private addOee(
    grain: GrainName,
    machineId: string,
    bucket: number,
    change: (c: OeeCell) => void,
  ) {
    change(cellOf(this.machineCells[grain], `${machineId}\u0000${bucket}`, machineId, bucket))
    change(cellOf(this.plantCells[grain], String(bucket), null, bucket))
  }
}

function cellOf(
  cells: Map<string, OeeCell>,
  key: string,
  machineId: string | null,
  bucket: number,
): OeeCell {
  let cell = cells.get(key)
  if (!cell) {
    cell = { machineId, bucket, produced: 0, scrapped: 0, plannedMs: 0, runningMs: 0, idealMs: 0 }
    cells.set(key, cell)
  }
  return cell
}

function grainMaps<T>(): Record<GrainName, Map<string, T>> {
  return { minute: new Map(), hour: new Map() }
}

function valuesOf<T>(maps: Record<GrainName, Map<string, T>>): Record<GrainName, T[]> {
  return { minute: [...maps.minute.values()], hour: [...maps.hour.values()] }
}
