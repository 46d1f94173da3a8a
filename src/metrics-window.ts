import type { Registry } from 'prom-client'

/** Cumulative counts per upper bound (`le`), as a Prometheus histogram keeps them. */
type Buckets = Map<number, number>

/**
 * Quantiles of a histogram over the last minute or so, not since the process started: a
 * dashboard wants "how long do commits take now". Each read keeps a snapshot (one per
 * `everyMs` at most) and answers from the difference with the newest snapshot that still
 * leaves `windowMs` behind it.
 */
export class RecentQuantiles {
  /** Starts with nothing observed, so the first minute answers from the start. */
  private readonly snapshots: { at: number; buckets: Buckets }[]

  constructor(
    private readonly registry: Registry,
    private readonly name: string,
    private readonly windowMs = 60_000,
    private readonly everyMs = 5_000,
    startedAt = Date.now(),
  ) {
    this.snapshots = [{ at: startedAt, buckets: new Map() }]
  }

  /** The quantiles asked for (0..1), in the histogram's unit; null when nothing was observed. */
  async read(quantiles: number[], now = Date.now()): Promise<number[] | null> {
    const current = await this.buckets()
    if (!current) return null
    const last = this.snapshots[this.snapshots.length - 1]
    if (!last || now - last.at >= this.everyMs) this.snapshots.push({ at: now, buckets: current })
    while (this.snapshots.length > 1 && now - (this.snapshots[1]?.at ?? now) >= this.windowMs)
      this.snapshots.shift()
    const base = this.snapshots[0]?.buckets ?? new Map<number, number>()
    const delta = new Map([...current].map(([le, n]) => [le, n - (base.get(le) ?? 0)]))
    return quantilesOf(delta, quantiles)
  }

  private async buckets(): Promise<Buckets | undefined> {
    const metric = this.registry.getSingleMetric(this.name)
    if (!metric) return undefined
    const { values } = await metric.get()
    const buckets: Buckets = new Map()
    for (const v of values) {
      if (!('metricName' in v) || !String(v.metricName).endsWith('_bucket')) continue
      const le = v.labels.le === '+Inf' ? Infinity : Number(v.labels.le)
      buckets.set(le, (buckets.get(le) ?? 0) + v.value)
    }
    return buckets
  }
}

/**
 * Quantiles from cumulative bucket counts, linear within a bucket (as Prometheus'
 * `histogram_quantile`); a quantile in the open top bucket answers its lower bound.
 */
export function quantilesOf(buckets: Buckets, quantiles: number[]): number[] | null {
  const bounds = [...buckets.keys()].sort((a, b) => a - b)
  const total = buckets.get(Infinity) ?? Math.max(0, ...buckets.values())
  if (total <= 0) return null
  return quantiles.map((q) => {
    const rank = q * total
    let lower = 0
    let below = 0
    for (const le of bounds) {
      const count = buckets.get(le) ?? 0
      if (count >= rank) {
        if (le === Infinity) return lower
        const inBucket = count - below
        return inBucket > 0 ? lower + ((le - lower) * (rank - below)) / inBucket : le
      }
      lower = le
      below = count
    }
    return lower
  })
}

/** The value of a gauge or counter summed over its labels; undefined when not registered. */
export async function currentValue(registry: Registry, name: string): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name)
  if (!metric) return undefined
  const { values } = await metric.get()
  return values.reduce((sum, v) => sum + v.value, 0)
}

/** A counter's value for one label value. */
export async function labelledValue(
  registry: Registry,
  name: string,
  label: string,
  value: string,
): Promise<number> {
  const metric = registry.getSingleMetric(name)
  if (!metric) return 0
  const { values } = await metric.get()
  return values.filter((v) => v.labels[label] === value).reduce((sum, v) => sum + v.value, 0)
}
