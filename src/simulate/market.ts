import type { MaterialSpec } from './plant.js'
import type { Random } from './random.js'
import { round } from './round.js'

/** A material's price as quoted at a simulated time (seconds since the plant started). */
export type PriceQuote = { at: number; materialId: string; name: string; price: number }

/** Mean simulated time between two quotes of one material. */
const QUOTE_EVERY_SECONDS = 20 * 60
/** Relative standard deviation of one price move: prices wander, they do not jump. */
const MOVE = 0.015

/** Material prices over simulated time: one quote each at the start, then small moves. */
export class MaterialMarket {
  private readonly prices: Map<string, { spec: MaterialSpec; price: number; nextAt: number }>

  constructor(
    materials: readonly MaterialSpec[],
    private readonly random: Random,
  ) {
    this.prices = new Map(
      materials.map((m) => [
        m.materialId,
        { spec: m, price: m.price, nextAt: random.exponential(QUOTE_EVERY_SECONDS) },
      ]),
    )
  }

  /** Every material's price now: what the plant publishes before it starts. */
  opening(): PriceQuote[] {
    return [...this.prices.values()].map((p) => this.quote(0, p.spec, p.price))
  }

  /** The quotes up to simulated time `to`, in time order. */
  advance(to: number): PriceQuote[] {
    const out: PriceQuote[] = []
    for (const p of this.prices.values()) {
      while (p.nextAt <= to) {
        p.price = round(p.price * Math.exp(this.random.normal(0, MOVE)), 4)
        out.push(this.quote(p.nextAt, p.spec, p.price))
        p.nextAt += this.random.exponential(QUOTE_EVERY_SECONDS)
      }
    }
    return out.sort((a, b) => a.at - b.at)
  }

  private quote(at: number, spec: MaterialSpec, price: number): PriceQuote {
    return { at, materialId: spec.materialId, name: spec.name, price }
  }
}
