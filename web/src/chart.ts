import uPlot from './uPlot.esm.js'
import { el } from './dom.js'

/** One line of a chart. */
export type Line = { label: string; colour: string; width?: number; fill?: string; dash?: number[] }

export type ChartSpec = {
  /** Names the chart in the page (`data-chart`), for tests and styles. */
  name: string
  title: string
  lines: Line[]
  /** A shaded band between two lines (indexes into `lines`): upper, then lower. */
  band?: [number, number]
  /** A fixed value range, e.g. 0..1 for a share. */
  range?: [number, number]
  /** How an axis tick and a legend value read. */
  format: (value: number) => string
}

const AXIS = { stroke: '#9aa9b8', grid: { stroke: 'rgba(154,169,184,0.12)', width: 1 } }
const HEIGHT = 190

/**
 * A time-series chart (uPlot on a canvas) in its own figure, sized to its container's width.
 * Times are epoch ms; each line's values may hold nulls (gaps). After each `show`, the figure's
 * `data-points` holds how many values the first line has, so a test can see what it drew.
 */
export class Chart {
  readonly root: HTMLElement
  private readonly plot: uPlot
  private readonly resize: ResizeObserver
  /** The time range asked for, in seconds: the x axis spans it even where data is missing. */
  private span: uPlot.Range.MinMax | undefined

  constructor(spec: ChartSpec) {
    const area = el('div', 'chart-plot')
    this.root = el('figure', 'chart', undefined, [el('figcaption', '', spec.title), area])
    this.root.dataset.chart = spec.name
    this.root.dataset.points = '0'
    const value = (_: uPlot, v: number | null) => (v === null ? '–' : spec.format(v))
    const options: uPlot.Options = {
      width: 600,
      height: HEIGHT,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: (_, min, max) => this.span ?? [min, max] },
        y: spec.range ? { range: spec.range } : { auto: true },
      },
      axes: [
        { ...AXIS, space: 90 },
        { ...AXIS, size: 76, values: (_, ticks) => ticks.map((t) => spec.format(t)) },
      ],
      series: [
        {},
        ...spec.lines.map((line) => ({
          label: line.label,
          stroke: line.colour,
          width: line.width ?? 2,
          fill: line.fill,
          dash: line.dash,
          value,
          spanGaps: false,
        })),
      ],
      bands: spec.band
        ? [{ series: [spec.band[0] + 1, spec.band[1] + 1], fill: 'rgba(92,158,214,0.18)' }]
        : [],
    }
    this.plot = new uPlot(options, [[], ...spec.lines.map(() => [])], area)
    this.resize = new ResizeObserver(() => {
      const width = area.clientWidth
      if (width > 0 && width !== this.plot.width) this.plot.setSize({ width, height: HEIGHT })
    })
    this.resize.observe(area)
  }

  /** Draws `t` (epoch ms) against each line's values, over `range` (epoch ms). */
  show(
    t: readonly number[],
    lines: readonly (readonly (number | null)[])[],
    range: { from: number; to: number },
  ): void {
    this.span = [range.from / 1000, range.to / 1000]
    this.plot.setData([t.map((ms) => ms / 1000), ...lines.map((l) => [...l])] as uPlot.AlignedData)
    const first = this.plot.data[1] ?? []
    this.root.dataset.points = String(first.filter((v) => v !== null && v !== undefined).length)
  }

  destroy(): void {
    this.resize.disconnect()
    this.plot.destroy()
  }
}
