import { covers, type Interval } from './intervals.js'
import { SIX_LOSSES, type SixLoss } from './loss-categories.js'
import {
  noLosses,
  stopFigures,
  type DowntimeBar,
  type Stop,
  type StopRules,
} from './stop-figures.js'

/**
 * A machine's parts in one minute. Shift and window boundaries are whole minutes, so a
 * minute's parts fall wholly inside or outside planned time.
 */
export type MinuteCount = {
  /** Start of the minute, epoch ms. */
  minute: number
  produced: number
  good: number
  /** Σ ideal cycle time of the parts produced, ms. */
  idealMs: number
  /** Σ ideal cycle time of the scrapped ones, ms. */
  scrapIdealMs: number
}

/** One machine's records for a period, all of them stamped with the line asked about. */
export type MachineRecords = {
  machineId: string
  /** Its line's planned time while it stood there, from the earliest stop's start on. */
  planned: Interval[]
  stops: Stop[]
  minutes: MinuteCount[]
}

export type KpiRules = StopRules & {
  /** Scrap made this soon after a stop ended is a start-up reject. */
  startupMs: number
}

/** Times and counts, which add up over machines (ratios never do). */
export type Figures = {
  plannedBusyMs: number
  runMs: number
  downtimeMs: number
  produced: number
  good: number
  idealMs: number
  scrapIdealMs: number
  losses: Record<SixLoss, number>
  pareto: DowntimeBar[]
  failures: number
  repairMs: number
}

/**
 * One machine's figures over a period (ISO 22400-2): planned busy time (PBT) = planned time
 * less planned stops; actual production time (APT, `runMs`) = PBT − downtime; parts count
 * when their minute is in PBT. Reduced speed = APT − net run time (Σ ideal cycle time of the
 * parts made), never below 0; start-up and production rejects are the ideal time of the
 * scrap made within, and after, `startupMs` of a stop's end.
 */
export function machineFigures(
  records: MachineRecords,
  period: Interval,
  rules: KpiRules,
): Figures {
  const stops = stopFigures(records.planned, records.stops, period, rules)
  const pbt = stops.plannedBusy.reduce((sum, s) => sum + s.to - s.from, 0)
  const runMs = pbt - stops.downtimeMs
  let produced = 0
  let good = 0
  let idealMs = 0
  let scrapIdealMs = 0
  let startupIdealMs = 0
  for (const m of records.minutes) {
    if (!covers(stops.plannedBusy, m.minute)) continue
    produced += m.produced
    good += m.good
    idealMs += m.idealMs
    scrapIdealMs += m.scrapIdealMs
    if (stops.stopEnds.some((end) => m.minute + 60_000 > end && m.minute < end + rules.startupMs))
      startupIdealMs += m.scrapIdealMs
  }
  return {
    plannedBusyMs: pbt,
    runMs,
    downtimeMs: stops.downtimeMs,
    produced,
    good,
    idealMs,
    scrapIdealMs,
    losses: {
      ...stops.losses,
      reducedSpeed: Math.max(0, runMs - idealMs),
      startupReject: startupIdealMs,
      productionReject: scrapIdealMs - startupIdealMs,
    },
    pareto: stops.pareto,
    failures: stops.failures,
    repairMs: stops.repairMs,
  }
}

/** Figures of several machines as one: sums of times and counts. */
export function sumFigures(all: readonly Figures[]): Figures {
  const bars = new Map<string, DowntimeBar>()
  for (const b of all.flatMap((f) => f.pareto)) {
    const key = `${b.code ?? ''}\u0000${b.category}`
    const bar = bars.get(key) ?? { ...b, ms: 0, count: 0 }
    bar.ms += b.ms
    bar.count += b.count
    bars.set(key, bar)
  }
  const sum = (pick: (f: Figures) => number) => all.reduce((s, f) => s + pick(f), 0)
  const losses = noLosses()
  for (const l of SIX_LOSSES) losses[l] = sum((f) => f.losses[l])
  return {
    plannedBusyMs: sum((f) => f.plannedBusyMs),
    runMs: sum((f) => f.runMs),
    downtimeMs: sum((f) => f.downtimeMs),
    produced: sum((f) => f.produced),
    good: sum((f) => f.good),
    idealMs: sum((f) => f.idealMs),
    scrapIdealMs: sum((f) => f.scrapIdealMs),
    losses,
    pareto: [...bars.values()],
    failures: sum((f) => f.failures),
    repairMs: sum((f) => f.repairMs),
  }
}

/** The KPIs of some figures, as ISO 22400-2 names them; a ratio with nothing to divide by is null. */
export type Kpis = {
  plannedBusyMs: number
  runMs: number
  downtimeMs: number
  availability: number | null
  performance: number | null
  quality: number | null
  oee: number | null
  good: number
  scrap: number
  produced: number
  firstPassYield: number | null
  mtbfMs: number | null
  mttrMs: number | null
  failures: number
  losses: Record<SixLoss, number>
  /** Unplanned downtime by reason and category, largest first; it sums to `downtimeMs`. */
  downtimeByReason: DowntimeBar[]
}

/**
 * Availability = APT / PBT; performance = net run time / APT; quality = good / produced;
 * OEE = A × P × Q (0 when the machine never ran or made nothing in planned time); first-pass
 * yield = good / produced (rework is not reported, so every good part passed first time);
 * MTBF = APT / failures, MTTR = repair time / failures (a failure: an unplanned stop of the
 * breakdown category).
 */
export function kpisOf(f: Figures): Kpis {
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null)
  const availability = ratio(f.runMs, f.plannedBusyMs)
  const performance = ratio(f.idealMs, f.runMs)
  const quality = ratio(f.good, f.produced)
  const oee =
    availability === null
      ? null
      : availability === 0 || performance === 0 || f.produced === 0
        ? 0
        : availability * (performance ?? 0) * (quality ?? 0)
  return {
    plannedBusyMs: f.plannedBusyMs,
    runMs: f.runMs,
    downtimeMs: f.downtimeMs,
    availability,
    performance,
    quality,
    oee,
    good: f.good,
    scrap: f.produced - f.good,
    produced: f.produced,
    firstPassYield: quality,
    mtbfMs: ratio(f.runMs, f.failures),
    mttrMs: ratio(f.repairMs, f.failures),
    failures: f.failures,
    losses: f.losses,
    downtimeByReason: f.pareto
      .filter((b) => b.ms > 0 || b.count > 0)
      .sort((a, b) => b.ms - a.ms || b.count - a.count),
  }
}

/**
 * A line's constraint: the machine whose losses cost the line the most output, its lost time
 * (PBT − ideal time of its good parts) in parts at its own mean ideal cycle. A machine that
 * made nothing has no cycle to measure by and is not named.
 */
export function constraintOf(
  machines: readonly { machineId: string; figures: Figures }[],
): string | null {
  let best: { machineId: string; lost: number } | null = null
  for (const { machineId, figures: f } of machines) {
    if (f.produced === 0 || f.idealMs === 0) continue
    const cycle = f.idealMs / f.produced
    const lost = (f.plannedBusyMs - (f.idealMs - f.scrapIdealMs)) / cycle
    if (best === null || lost > best.lost) best = { machineId, lost }
  }
  return best?.machineId ?? null
}
