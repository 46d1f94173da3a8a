import { intersect, normalise, subtract, totalMs, type Interval } from './intervals.js'
import { isPlanned, LOSS_CATEGORIES, type SixLoss, type StopCategory } from './loss-categories.js'

/** A stop of a machine: any time it was not running, with the reason it was given. */
export type Stop = {
  startedAt: number
  /** Null while the machine is still stopped. */
  endedAt: number | null
  reasonCode: string | null
  /** The reason's category from the catalogue; `unqualified` without a known reason. */
  category: StopCategory
}

/** What the KPI rules need besides the records. */
export type StopRules = {
  /** An unqualified stop shorter than this is a small stop. */
  microStopMs: number
  /** Where an open stop ends for now. */
  now: number
}

/** One bar of the loss Pareto. */
export type DowntimeBar = { code: string | null; category: StopCategory; ms: number; count: number }

/** A stop with its end settled and its category as the KPIs count it. */
type Settled = Interval & { code: string | null; category: StopCategory }

/**
 * The category a stop counts in: its reason's; an unqualified stop that ended shorter than the
 * micro-stop threshold is a small stop (exactly at the threshold it is not).
 */
export function countedCategory(stop: Stop, rules: StopRules): StopCategory {
  if (stop.category !== 'unqualified' || stop.endedAt === null) return stop.category
  return stop.endedAt - stop.startedAt < rules.microStopMs ? 'small-stop' : 'unqualified'
}

/** What stops did to one machine's planned time within a period. */
export type StopFigures = {
  /** Planned time less planned stops, within the period. */
  plannedBusy: Interval[]
  downtimeMs: number
  losses: Record<SixLoss, number>
  pareto: DowntimeBar[]
  failures: number
  repairMs: number
  /** Where stops ended: scrap soon after is a start-up reject. */
  stopEnds: number[]
}

/**
 * Splits a machine's planned time by its stops. `planned` may reach back before `period` (to
 * the earliest stop's start): a stop counts (in `failures` and the Pareto's counts) in the
 * period holding its first planned instant, so a stop over a shift change counts once, in
 * the shift it began to cost, and its time in each shift it costs. A planned stop (its reason
 * is planned) leaves planned busy time; an unplanned one is downtime.
 */
export function stopFigures(
  planned: readonly Interval[],
  stops: readonly Stop[],
  period: Interval,
  rules: StopRules,
): StopFigures {
  const settled: Settled[] = stops.map((s) => ({
    from: s.startedAt,
    to: s.endedAt ?? Math.max(s.startedAt, rules.now),
    code: s.reasonCode,
    category: countedCategory(s, rules),
  }))
  const plannedStops = settled.filter((s) => isPlanned(s.category))
  const busyAll = subtract(planned, plannedStops)
  const plannedBusy = intersect(busyAll, [period])
  const losses = noLosses()
  const bars = new Map<string, DowntimeBar>()
  let failures = 0
  let repairMs = 0
  for (const s of settled) {
    if (isPlanned(s.category)) continue
    const ms = totalMs(intersect([s], plannedBusy))
    const first = intersect([s], busyAll)[0]
    const counts = first !== undefined && first.from >= period.from && first.from < period.to
    if (ms === 0 && !counts) continue
    const loss = s.category === 'unqualified' ? null : LOSS_CATEGORIES[s.category].loss
    if (loss) losses[loss] += ms
    if (s.category === 'breakdown') {
      repairMs += ms
      if (counts) failures += 1
    }
    const key = `${s.code ?? ''}\u0000${s.category}`
    const bar = bars.get(key) ?? { code: s.code, category: s.category, ms: 0, count: 0 }
    bar.ms += ms
    if (counts) bar.count += 1
    bars.set(key, bar)
  }
  return {
    plannedBusy,
    downtimeMs: totalMs(
      intersect(normalise(settled.filter((s) => !isPlanned(s.category))), plannedBusy),
    ),
    losses,
    pareto: [...bars.values()],
    failures,
    repairMs,
    stopEnds: settled.map((s) => s.to),
  }
}

/** The six losses, each 0 ms. */
export function noLosses(): Record<SixLoss, number> {
  return {
    breakdown: 0,
    setupAdjustment: 0,
    smallStop: 0,
    reducedSpeed: 0,
    startupReject: 0,
    productionReject: 0,
  }
}
