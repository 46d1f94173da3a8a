import type { OeeSeries } from './api-types.js'
import { Chart } from './chart.js'
import { count } from './format.js'

const HOUR_MS = 3_600_000

/** Parts per hour in each bucket of a series, made and scrapped. */
export function partsPerHour(series: OeeSeries): { made: number[]; scrapped: number[] } {
  const perHour = HOUR_MS / series.bucketMs
  return {
    made: series.produced.map((n) => n * perHour),
    scrapped: series.scrapped.map((n) => n * perHour),
  }
}

/** Parts made and scrapped in the series' last hour (its buckets that start within it). */
export function lastHourOf(series: OeeSeries, to: number): { produced: number; scrapped: number } {
  let produced = 0
  let scrapped = 0
  series.t.forEach((t, i) => {
    if (t < to - HOUR_MS) return
    produced += series.produced[i] ?? 0
    scrapped += series.scrapped[i] ?? 0
  })
  return { produced, scrapped }
}

/** A chart of parts made and scrapped per hour, from `partsPerHour`. */
export function productionChart(name: string): Chart {
  return new Chart({
    name,
    title: 'Parts per hour',
    lines: [
      { label: 'made', colour: '#5c9ed6', fill: 'rgba(92,158,214,0.15)' },
      { label: 'scrapped', colour: '#e0875a' },
    ],
    format: count,
  })
}
