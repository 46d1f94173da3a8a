import type { MachineView } from './api-types.js'
import { el, setData, setText } from './dom.js'
import { runState } from './fleet.js'
import { ago, count, percent } from './format.js'

/** One machine's tile in the fleet grid; it keeps its own nodes so an update touches only them. */
export class Tile {
  readonly root: HTMLAnchorElement
  private readonly state = el('span', 'tile-state')
  private readonly oee = el('span', 'tile-oee')
  private readonly produced = el('b', 'tile-produced')
  private readonly scrapped = el('b', 'tile-scrapped')
  private readonly silent = el('span', 'badge badge-silent', 'silent')
  private readonly scrapRate = el('span', 'badge badge-scrap', 'scrap rate')
  private readonly alarms = el('span', 'badge badge-alarms')
  private readonly seen = el('span', 'tile-seen')
  private lastSeenAt: string | null = null

  constructor(readonly machineId: string) {
    this.root = el('a', 'tile', undefined, [
      el('span', 'tile-id', machineId),
      this.state,
      el('span', 'tile-oee-box', undefined, [this.oee, el('span', 'tile-unit', 'OEE')]),
      el('span', 'tile-counts', undefined, [
        this.produced,
        document.createTextNode(' made · '),
        this.scrapped,
        document.createTextNode(' scrap'),
      ]),
      el('span', 'tile-badges', undefined, [this.alarms, this.silent, this.scrapRate]),
      this.seen,
    ])
    this.root.href = `#/machines/${encodeURIComponent(machineId)}`
    this.root.dataset.id = machineId
  }

  /** The run state the tile shows, for the state filter. */
  get shownState(): string {
    return this.root.dataset.state ?? 'unknown'
  }

  show(view: MachineView, now: number): void {
    const state = runState(view.state)
    setData(this.root, 'state', state)
    setText(this.state, state)
    setText(this.oee, percent(view.oee.oee))
    setText(this.produced, count(view.produced))
    setText(this.scrapped, count(view.scrapped))
    if (this.silent.hidden === view.alerts.silent) this.silent.hidden = !view.alerts.silent
    if (this.scrapRate.hidden === view.alerts.scrapRate)
      this.scrapRate.hidden = !view.alerts.scrapRate
    // Alarms an operator still has to see to: not normal (a shelved one may be).
    const open = (view.alarms ?? []).filter((a) => a.state !== 'normal').length
    setText(this.alarms, open === 1 ? '1 alarm' : `${open} alarms`)
    if (this.alarms.hidden === open > 0) this.alarms.hidden = open === 0
    this.lastSeenAt = view.lastSeenAt
    this.tick(now)
  }

  /** Moves "last seen" on as time passes. */
  tick(now: number): void {
    setText(this.seen, ago(this.lastSeenAt, now))
  }
}
