import * as api from './api.js'
import type { MachineView, StateChange } from './api-types.js'
import { Chart } from './chart.js'
import { byId, el, setData, setText } from './dom.js'
import { eventDetail } from './event-detail.js'
import { runState } from './fleet.js'
import { ago, count, decimal, percent, when } from './format.js'
import { poll, type Poll } from './poll.js'
import { partsPerHour, productionChart } from './production.js'
import { drawTimeline, segmentsOf } from './state-timeline.js'

const RECENT_EVENTS_MS = 5 * 60_000
const RECENT_EVENTS_SHOWN = 30
/** Enough for a week of state changes at the simulator's failure rates, many times over. */
const STATE_CHANGES_LIMIT = 20_000
const REFRESH_MS = 30_000

const share = (v: number) => percent(v)

/**
 * One machine: its live header, its state over the chosen range, production and OEE trend,
 * a chart per telemetry metric (average, with a min/max band) and its recent events.
 */
export class MachinePage {
  private machineId: string | undefined
  private rangeMs = 3_600_000
  private refresh: Poll | undefined
  private readonly production = productionChart('production')
  private readonly oee = new Chart({
    name: 'oee',
    title: 'OEE trend',
    lines: [
      { label: 'OEE', colour: '#e8eef3', width: 3 },
      { label: 'availability', colour: '#6cbf84', width: 1.5 },
      { label: 'performance', colour: '#5c9ed6', width: 1.5 },
      { label: 'quality', colour: '#c9a04e', width: 1.5 },
    ],
    range: [0, 1],
    format: share,
  })
  private readonly telemetry = new Map<string, Chart>()

  constructor(private readonly failed: (what: string, err: unknown) => void) {
    byId('machine-charts').append(this.production.root, this.oee.root)
    const ranges = byId('ranges')
    ranges.addEventListener('click', (e) => {
      const button = (e.target as HTMLElement).closest('button')
      if (!button?.dataset.range) return
      this.rangeMs = Number(button.dataset.range)
      for (const b of ranges.querySelectorAll('button'))
        b.setAttribute('aria-pressed', String(b === button))
      this.refresh?.now()
    })
  }

  /** Shows `machineId`, loading everything for the chosen range, and refreshes it until left. */
  open(machineId: string): void {
    this.close()
    this.machineId = machineId
    setText(byId('machine-id'), machineId)
    for (const chart of this.telemetry.values()) chart.destroy()
    this.telemetry.clear()
    byId('machine-telemetry').replaceChildren()
    this.refresh = poll(
      REFRESH_MS,
      (signal) => this.load(machineId, signal),
      (err) => this.failed(`machine ${machineId}`, err),
    )
  }

  close(): void {
    this.refresh?.stop()
    this.refresh = undefined
    this.machineId = undefined
  }

  /** A live update: shown when it is the machine on screen. */
  apply(views: readonly MachineView[]): void {
    const view = views.find((v) => v.machineId === this.machineId)
    if (view) this.showHeader(view, Date.now())
  }

  tick(now: number): void {
    const seen = byId('machine-seen')
    if (this.machineId && seen.dataset.at) setText(seen, ago(seen.dataset.at, now))
  }

  private async load(machineId: string, signal: AbortSignal): Promise<void> {
    const to = Date.now()
    const range = { from: to - this.rangeMs, to }
    const view = await api.machine(machineId, signal)
    this.showHeader(view, to)
    await Promise.all([
      this.loadTimeline(view, range, signal),
      this.loadOee(machineId, range, signal),
      this.loadTelemetry(machineId, range, signal),
      this.loadEvents(machineId, to, signal),
    ])
  }

  private showHeader(view: MachineView, now: number): void {
    const state = runState(view.state)
    const pill = byId('machine-state')
    setData(pill, 'state', state)
    setText(pill, state)
    setText(
      byId('machine-since'),
      view.stateSince ? `since ${when(Date.parse(view.stateSince), now)}` : '',
    )
    setText(byId('machine-oee'), percent(view.oee.oee))
    setText(byId('machine-availability'), percent(view.oee.availability))
    setText(byId('machine-performance'), percent(view.oee.performance))
    setText(byId('machine-quality'), percent(view.oee.quality))
    setText(byId('machine-produced'), count(view.produced))
    setText(byId('machine-scrapped'), count(view.scrapped))
    const seen = byId('machine-seen')
    if (view.lastSeenAt) seen.dataset.at = view.lastSeenAt
    setText(seen, ago(view.lastSeenAt, now))
    const alerts = [view.alerts.silent && 'silent', view.alerts.scrapRate && 'scrap rate alert']
    setText(byId('machine-alerts'), alerts.filter(Boolean).join(' · '))
  }

  private async loadTimeline(view: MachineView, range: api.Range, signal: AbortSignal) {
    const changes = (await api.events(
      {
        key: view.machineId,
        type: 'MachineStateChanged',
        from: range.from,
        to: range.to,
        limit: STATE_CHANGES_LIMIT,
      },
      signal,
    )) as StateChange[]
    drawTimeline(
      byId('machine-timeline'),
      segmentsOf(changes, range, runState(view.state)),
      range.to,
    )
    setText(byId('timeline-range'), `${when(range.from, range.to)} – now`)
  }

  private async loadOee(machineId: string, range: api.Range, signal: AbortSignal) {
    const series = await api.oeeSeries(machineId, range, signal)
    const { made, scrapped } = partsPerHour(series)
    this.production.show(series.t, [made, scrapped], range)
    this.oee.show(
      series.t,
      [series.oee, series.availability, series.performance, series.quality],
      range,
    )
  }

  private async loadTelemetry(machineId: string, range: api.Range, signal: AbortSignal) {
    const { series } = await api.telemetry(machineId, range, signal)
    const container = byId('machine-telemetry')
    for (const metric of Object.keys(series).sort()) {
      let chart = this.telemetry.get(metric)
      if (!chart) {
        chart = new Chart({
          name: `telemetry-${metric}`,
          title: metric,
          lines: [
            { label: 'average', colour: '#5c9ed6' },
            { label: 'max', colour: 'rgba(92,158,214,0.45)', width: 1 },
            { label: 'min', colour: 'rgba(92,158,214,0.45)', width: 1 },
          ],
          band: [1, 2],
          format: decimal,
        })
        this.telemetry.set(metric, chart)
        container.append(chart.root)
      }
      const s = series[metric]
      if (s) chart.show(s.t, [s.avg, s.max, s.min], range)
    }
  }

  private async loadEvents(machineId: string, to: number, signal: AbortSignal) {
    const events = await api.events(
      { key: machineId, from: to - RECENT_EVENTS_MS, to, limit: 10_000 },
      signal,
    )
    const rows = events
      .slice(-RECENT_EVENTS_SHOWN)
      .reverse()
      .map((e) => {
        const row = el('tr', '', undefined, [
          el('td', 'ev-time', when(e.occurredAt, to)),
          el('td', 'ev-type', e.type),
          el('td', 'ev-detail', eventDetail(e)),
        ])
        row.dataset.type = e.type
        return row
      })
    byId('machine-events').replaceChildren(...rows)
  }
}
