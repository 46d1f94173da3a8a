import type { PartTally } from '../src/actors/ports'

/** Part totals summed from machines' tallies, as part_state keeps them (for in-memory journals). */
export class PartTotals {
  private readonly totals = new Map<number, { produced: number; scrapped: number }>()

  add(tallies: PartTally[]): void {
    for (const t of tallies) {
      const sum = this.get(t.partId)
      this.totals.set(t.partId, {
        produced: sum.produced + t.produced,
        scrapped: sum.scrapped + t.scrapped,
      })
    }
  }

  get(partId: number): { produced: number; scrapped: number } {
    return this.totals.get(partId) ?? { produced: 0, scrapped: 0 }
  }

  clear(): void {
    this.totals.clear()
  }
}
