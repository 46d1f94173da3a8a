import type { BenchBudget } from '../lib/types'

/** Units a timed loop completed and the seconds they took. */
export type Tally = { units: number; steps: number; seconds: number }

/** How long a measurement runs before it counts: JIT, connections and caches warm up first. */
export function warmUpSeconds(budget: BenchBudget): number {
  return budget.smoke ? 0.3 : 1
}

/**
 * Runs `step` back to back on `workers` concurrent loops until `seconds` have passed; each step
 * returns how many units it completed. A step under way at the deadline finishes and counts,
 * and the clock runs until the last one did, so the rate is not inflated.
 */
export async function repeatFor(
  seconds: number,
  step: (worker: number) => Promise<number>,
  workers = 1,
): Promise<Tally> {
  const start = performance.now()
  const deadline = start + seconds * 1000
  const tally: Tally = { units: 0, steps: 0, seconds: 0 }
  let failed = false
  const loop = async (worker: number): Promise<void> => {
    try {
      while (!failed && performance.now() < deadline) {
        // Not `units += await step()`: that reads `units` before the await and loses the
        // other workers' updates.
        const units = await step(worker)
        tally.units += units
        tally.steps += 1
      }
    } catch (err) {
      failed = true
      throw err
    }
  }
  // allSettled: the caller closes connections only once no worker is still using them.
  const outcomes = await Promise.allSettled(Array.from({ length: workers }, (_, w) => loop(w)))
  const rejected = outcomes.find((o) => o.status === 'rejected')
  if (rejected) throw rejected.reason
  tally.seconds = (performance.now() - start) / 1000
  return tally
}

/** Warms up, then measures for the budget's `ceilingSeconds`. */
export async function warmThenMeasure(
  budget: BenchBudget,
  step: (worker: number) => Promise<number>,
  workers = 1,
): Promise<Tally> {
  await repeatFor(warmUpSeconds(budget), step, workers)
  return repeatFor(budget.ceilingSeconds, step, workers)
}

/** Units per second, rounded. */
export function rateOf(tally: Pick<Tally, 'units' | 'seconds'>): number {
  return tally.seconds > 0 ? Math.round(tally.units / tally.seconds) : 0
}

/** Seconds rounded to milliseconds, for a ceiling's detail. */
export function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1000) / 1000
}
