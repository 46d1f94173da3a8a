import * as api from './api.js'
import type { DeadLetter, MachineView } from './api-types.js'
import { DeadLetterPanel, SHOWN_DEAD_LETTERS } from './dead-letter-panel.js'
import { byId, setText } from './dom.js'
import { Fleet } from './fleet.js'
import { FleetGrid, MARKS } from './fleet-grid.js'
import { count } from './format.js'
import { newestDeadLetters } from './newest-dead-letters.js'
import { PipelinePanel } from './pipeline-panel.js'
import { PlantSummaryPanel } from './plant-summary.js'
import { poll, type Poll } from './poll.js'
import { lastHourOf, partsPerHour, productionChart } from './production.js'

const PLANT_CHART_MS = 8 * 3_600_000

/**
 * The plant view: summary, production chart, pipeline health, fleet grid and dead letters.
 * The fleet is loaded once (and again after a reset); from then on the stream's updates change
 * only the tiles of the machines they name.
 */
export class PlantView {
  readonly fleet = new Fleet()
  private readonly grid = new FleetGrid(byId('fleet-grid'), (shown, total) =>
    setText(
      byId('fleet-count'),
      shown === total ? `${count(total)} machines` : `${count(shown)} of ${count(total)} machines`,
    ),
  )
  private readonly summary = new PlantSummaryPanel()
  private readonly pipeline = new PipelinePanel()
  private readonly deadLetters = new DeadLetterPanel()
  private readonly chart = productionChart('plant-production')
  private polls: Poll[] = []
  private marked = false

  constructor(private readonly failed: (what: string, err: unknown) => void) {
    byId('plant-chart').append(this.chart.root)
    this.wireFilters()
  }

  /** Loads the fleet and the dead letters (after the stream's `hello`), then starts polling. */
  async load(): Promise<void> {
    // The plant's figures in one small read, shown while the fleet's list loads.
    let fleetShown = false
    void api.plant().then(
      (summary) => {
        if (!fleetShown) this.summary.showFleet(summary)
      },
      (err: unknown) => this.failed('plant summary', err),
    )
    const [machines, letters] = await Promise.all([
      api.allMachines(),
      newestDeadLetters(SHOWN_DEAD_LETTERS).catch((err: unknown) => {
        this.failed('dead letters', err)
        return []
      }),
    ])
    if (!this.marked) performance.mark(MARKS.fleetRead)
    const now = Date.now()
    this.fleet.clear()
    for (const m of machines) this.fleet.upsert(m)
    this.grid.load(this.fleet.all(), now)
    this.summary.showFleet(this.fleet.totals())
    fleetShown = true
    this.deadLetters.load(letters, now)
    if (!this.marked) {
      this.marked = true
      // After the frame that paints the grid: what a supervisor waits for.
      requestAnimationFrame(() =>
        setTimeout(() => performance.mark(MARKS.gridReady, { detail: { tiles: machines.length } })),
      )
    }
    if (this.polls.length === 0) this.startPolls()
  }

  /** The stream's latest views of the machines that changed. */
  apply(views: readonly MachineView[]): void {
    const changed = views.filter((v) => this.fleet.upsert(v))
    if (changed.length === 0) return
    this.grid.update(changed, Date.now())
    this.summary.showFleet(this.fleet.totals())
  }

  addDeadLetter(letter: DeadLetter): void {
    this.deadLetters.add(letter, Date.now())
  }

  tick(now: number): void {
    this.grid.tick(now)
  }

  private startPolls(): void {
    this.polls = [
      poll(
        5_000,
        async (signal) => this.pipeline.show(await api.pipeline(signal), Date.now()),
        (err) => {
          this.pipeline.stale()
          this.failed('pipeline', err)
        },
      ),
      poll(
        30_000,
        async (signal) => {
          const to = Date.now()
          const range = { from: to - PLANT_CHART_MS, to }
          const series = await api.plantSeries(range, signal)
          const { made, scrapped } = partsPerHour(series)
          this.chart.show(series.t, [made, scrapped], range)
          this.summary.showLastHour(lastHourOf(series, to))
        },
        (err) => this.failed('plant production', err),
      ),
    ]
  }

  private wireFilters(): void {
    const search = byId<HTMLInputElement>('fleet-search')
    const chips = byId('state-filter')
    let state = ''
    const apply = () => this.grid.setFilter({ text: search.value, state })
    search.addEventListener('input', apply)
    chips.addEventListener('click', (e) => {
      const button = (e.target as HTMLElement).closest('button')
      if (!button) return
      state = button.dataset.state ?? ''
      for (const b of chips.querySelectorAll('button'))
        b.setAttribute('aria-pressed', String(b === button))
      apply()
    })
  }
}
