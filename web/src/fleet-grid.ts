import type { MachineView } from './api-types.js'
import { Tile } from './tile.js'

/** Machine ids in the order people read them: M-2 before M-10, 2 before 10. */
export const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' }).compare

export type GridFilter = { text: string; state: string }

/**
 * Performance marks of the first load, which the dashboard bench reads: the stream open (or
 * given up on), the fleet's list read, the grid showing every machine.
 */
export const MARKS = {
  streamOpen: 'dashboard:stream-open',
  fleetRead: 'dashboard:fleet-read',
  gridReady: 'dashboard:grid-ready',
} as const

/**
 * The fleet grid: one tile per machine, built once, in natural order. Later changes update
 * only the tiles of the machines that changed; a machine seen for the first time gets its
 * tile inserted in place. Filtering hides tiles rather than rebuilding the grid.
 */
export class FleetGrid {
  private readonly tiles = new Map<string, Tile>()
  /** Ids in natural order, parallel to the tiles in the container. */
  private order: string[] = []
  private filter: GridFilter = { text: '', state: '' }

  constructor(
    private readonly container: HTMLElement,
    private readonly onCount: (shown: number, total: number) => void,
  ) {}

  /** Replaces every tile with one per machine of `views` (the first load and after a reset). */
  load(views: Iterable<MachineView>, now: number): void {
    this.tiles.clear()
    const sorted = [...views].sort((a, b) => naturalOrder(a.machineId, b.machineId))
    const fragment = document.createDocumentFragment()
    for (const view of sorted) {
      const tile = new Tile(view.machineId)
      tile.show(view, now)
      this.applyFilter(tile)
      this.tiles.set(view.machineId, tile)
      fragment.append(tile.root)
    }
    this.order = sorted.map((v) => v.machineId)
    this.container.replaceChildren(fragment)
    this.counted()
  }

  /** Shows the latest views of the machines that changed. */
  update(views: readonly MachineView[], now: number): void {
    let added = false
    for (const view of views) {
      let tile = this.tiles.get(view.machineId)
      if (!tile) {
        tile = this.insert(view.machineId)
        added = true
      }
      tile.show(view, now)
      this.applyFilter(tile)
    }
    if (added || this.filter.state) this.counted()
  }

  /** Moves every tile's "last seen" on. */
  tick(now: number): void {
    for (const tile of this.tiles.values()) tile.tick(now)
  }

  setFilter(filter: GridFilter): void {
    this.filter = { text: filter.text.trim().toLowerCase(), state: filter.state }
    for (const tile of this.tiles.values()) this.applyFilter(tile)
    this.counted()
  }

  private insert(machineId: string): Tile {
    const tile = new Tile(machineId)
    const at = this.positionOf(machineId)
    const before = this.order[at]
    this.container.insertBefore(tile.root, before ? (this.tiles.get(before)?.root ?? null) : null)
    this.order.splice(at, 0, machineId)
    this.tiles.set(machineId, tile)
    return tile
  }

  /** Where `machineId` goes in the natural order (binary search). */
  private positionOf(machineId: string): number {
    let low = 0
    let high = this.order.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (naturalOrder(this.order[middle] ?? '', machineId) < 0) low = middle + 1
      else high = middle
    }
    return low
  }

  private applyFilter(tile: Tile): void {
    const { text, state } = this.filter
    const hidden =
      (text !== '' && !tile.machineId.toLowerCase().includes(text)) ||
      (state !== '' && tile.shownState !== state)
    if (tile.root.hidden !== hidden) tile.root.hidden = hidden
  }

  private counted(): void {
    let shown = 0
    for (const tile of this.tiles.values()) if (!tile.root.hidden) shown += 1
    this.onCount(shown, this.tiles.size)
  }
}
