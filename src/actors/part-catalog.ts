import type { PartCatalog } from './ports.js'

/** In-memory part catalog, filled from the store at start and kept current by part actors. */
export class InMemoryPartCatalog implements PartCatalog {
  private readonly seconds = new Map<number, number>()

  constructor(initial: Iterable<[number, number]> = []) {
    for (const [partId, s] of initial) this.seconds.set(partId, s)
  }

  idealCycleSeconds(partId: number): number | null {
    return this.seconds.get(partId) ?? null
  }

  set(partId: number, seconds: number): void {
    this.seconds.set(partId, seconds)
  }
}
