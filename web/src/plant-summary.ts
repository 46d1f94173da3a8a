import type { RunState } from './api-types.js'
import { RUN_STATES } from './api-types.js'
import { byId, el, setText } from './dom.js'
import type { FleetTotals } from './fleet.js'
import { compact, count, percent } from './format.js'

/**
 * The plant's figures at the top of the plant view: first GET /plant, then the same figures
 * derived from the machine views the tiles show, so the two always agree and move together
 * with every update. The last hour's output comes from the plant's production series.
 */
export class PlantSummaryPanel {
  private readonly bar = byId('plant-state-bar')
  private readonly segments = new Map<RunState, HTMLElement>()
  private readonly legend = new Map<RunState, HTMLElement>()

  constructor() {
    const legend = byId('plant-states')
    for (const state of RUN_STATES) {
      const segment = el('span', 'state-bar-part')
      segment.dataset.state = state
      this.segments.set(state, segment)
      this.bar.append(segment)
      const item = el('li')
      item.dataset.state = state
      this.legend.set(state, item)
      legend.append(item)
    }
  }

  showFleet(totals: FleetTotals): void {
    setText(byId('plant-oee'), percent(totals.oee.oee))
    setText(byId('plant-availability'), percent(totals.oee.availability))
    setText(byId('plant-performance'), percent(totals.oee.performance))
    setText(byId('plant-quality'), percent(totals.oee.quality))
    setText(byId('plant-machines'), `(${count(totals.machines)})`)
    for (const state of RUN_STATES) {
      const n = totals.byState[state]
      const share = totals.machines === 0 ? 0 : (n / totals.machines) * 100
      const segment = this.segments.get(state)
      if (segment) segment.style.width = `${share}%`
      const item = this.legend.get(state)
      if (item) setText(item, `${count(n)} ${state}`)
    }
    const alerts = totals.alerts.silent + totals.alerts.scrapRate
    setText(byId('plant-alerts'), count(alerts))
    byId('plant-alerts').dataset.alert = String(alerts > 0)
    setText(
      byId('plant-alert-detail'),
      `${count(totals.alerts.silent)} silent · ${count(totals.alerts.scrapRate)} scrap rate`,
    )
    setText(
      byId('plant-produced'),
      `${count(totals.produced)} made, ${count(totals.scrapped)} scrapped in all`,
    )
  }

  showLastHour({ produced, scrapped }: { produced: number; scrapped: number }): void {
    setText(byId('plant-rate'), compact(produced))
    setText(byId('plant-scrap'), produced === 0 ? '–' : percent(scrapped / produced))
    setText(byId('plant-scrapped'), `${count(scrapped)} parts scrapped`)
  }
}
