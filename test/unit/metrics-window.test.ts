import { Histogram, Registry } from 'prom-client'
import { quantilesOf, RecentQuantiles } from '../../src/metrics-window'

describe('quantilesOf', () => {
  const buckets = (entries: [number, number][]) => new Map(entries)

  it('interpolates inside the bucket a quantile falls in', () => {
    // 10 observations ≤ 1, 10 more in (1, 2]: the median is the top of the first bucket.
    const b = buckets([
      [1, 10],
      [2, 20],
      [Infinity, 20],
    ])
    expect(quantilesOf(b, [0.5, 0.75, 0.25])).toEqual([1, 1.5, 0.5])
  })

  it('answers the lower bound for a quantile in the open top bucket', () => {
    const b = buckets([
      [1, 5],
      [Infinity, 10],
    ])
    expect(quantilesOf(b, [0.99])).toEqual([1])
  })

  it('answers null when nothing was observed', () => {
    expect(quantilesOf(buckets([[1, 0]]), [0.5])).toBeNull()
  })
})

describe('RecentQuantiles', () => {
  function histogram() {
    const registry = new Registry()
    const h = new Histogram({
      name: 'h_seconds',
      help: 'test',
      labelNames: ['store'] as const,
      buckets: [0.01, 0.1, 1],
      registers: [registry],
    })
    return { registry, h }
  }

  it('sums every label and answers from what was observed within about the last minute', async () => {
    const { registry, h } = histogram()
    const recent = new RecentQuantiles(registry, 'h_seconds', 60_000, 5_000, 0)
    for (let i = 0; i < 100; i++) h.observe({ store: i % 2 ? 'a' : 'b' }, 0.5)
    const [slow] = (await recent.read([0.5], 5_000)) ?? []
    expect(slow).toBeGreaterThan(0.1)
    for (let i = 0; i < 100; i++) h.observe({ store: 'a' }, 0.005)
    // A minute on, the base is the read at 5 s: the slow ones are behind it.
    const [p50, p99] = (await recent.read([0.5, 0.99], 65_000)) ?? []
    expect(p50).toBeLessThanOrEqual(0.01)
    expect(p99).toBeLessThanOrEqual(0.01)
    // Later still the base is the read at 65 s, and nothing was observed after it.
    expect(await recent.read([0.5], 130_000)).toBeNull()
  })

  it('answers null for a histogram that is not registered', async () => {
    const recent = new RecentQuantiles(new Registry(), 'missing')
    expect(await recent.read([0.5])).toBeNull()
  })
})
