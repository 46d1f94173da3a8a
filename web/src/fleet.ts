import type { MachineView, PlantSummary, RunState } from './api-types.js'
import { RUN_STATES } from './api-types.js'

/** The plant's figures as GET /plant has them, derived here from the fleet the page holds. */
export type FleetTotals = Omit<PlantSummary, 'at'>

const FACTORS = ['availability', 'performance', 'quality', 'oee'] as const
type Factor = (typeof FACTORS)[number]

/** The state a view's `state` text stands for (a state this page does not know reads as unknown). */
export const runState = (state: string): RunState =>
  (RUN_STATES as readonly string[]).includes(state) ? (state as RunState) : 'unknown'

/**
 * The latest view of every machine. A view older than the one held (a list read while the
 * stream had already delivered a newer one) is ignored, by the machine's event sequence.
 */
export class Fleet {
  private readonly views = new Map<string, MachineView>()

  /** Keeps `view` if it is newer; true when it was. */
  upsert(view: MachineView): boolean {
    const held = this.views.get(view.machineId)
    if (held && held.sequence > view.sequence) return false
    this.views.set(view.machineId, view)
    return true
  }

  clear(): void {
    this.views.clear()
  }

  get(machineId: string): MachineView | undefined {
    return this.views.get(machineId)
  }

  all(): IterableIterator<MachineView> {
    return this.views.values()
  }

  /** The plant's figures as GET /plant defines them: OEE factors are means over machines with a value. */
  totals(): FleetTotals {
    const byState = Object.fromEntries(RUN_STATES.map((s) => [s, 0])) as Record<RunState, number>
    const sums = Object.fromEntries(FACTORS.map((f) => [f, { sum: 0, n: 0 }])) as Record<
      Factor,
      { sum: number; n: number }
    >
    let produced = 0
    let scrapped = 0
    let silent = 0
    let scrapRate = 0
    for (const m of this.views.values()) {
      byState[runState(m.state)] += 1
      produced += m.produced
      scrapped += m.scrapped
      if (m.alerts.silent) silent += 1
      if (m.alerts.scrapRate) scrapRate += 1
      for (const f of FACTORS) {
        const value = m.oee[f]
        if (value !== null) {
          sums[f].sum += value
          sums[f].n += 1
        }
      }
    }
    const mean = (f: Factor) => (sums[f].n === 0 ? null : sums[f].sum / sums[f].n)
    return {
      machines: this.views.size,
      byState,
      oee: {
        availability: mean('availability'),
        performance: mean('performance'),
        quality: mean('quality'),
        oee: mean('oee'),
      },
      produced,
      scrapped,
      alerts: { silent, scrapRate },
    }
  }
}
