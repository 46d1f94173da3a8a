import type { Random } from './random.js'
import { round } from './round.js'

// The scrap share wanders around the machine's own over hours: tools wear and are replaced.
const DRIFT_SECONDS = 2 * 3600
const DRIFT_SHARE = 0.3
// Parts within ±25 µm of nominal are good; a scrapped part is measured outside it.
const TOLERANCE_UM = 25

/** Whether a part is scrapped, and its measured deviation from nominal (µm). */
export type Inspection = { damaged: boolean; deviationUm: number }

/**
 * A machine's quality over simulated time: a scrap share that drifts as a mean-reverting
 * random walk around the machine's own share, and a measurement for each part.
 */
export class ScrapProcess {
  private share: number
  private lastAt = 0

  constructor(
    private readonly baseShare: number,
    private readonly random: Random,
  ) {
    this.share = baseShare
  }

  /** Inspects the part finished at simulated second `at`. */
  inspect(at: number): Inspection {
    this.drift(at - this.lastAt)
    this.lastAt = at
    const damaged = this.random.chance(this.share)
    const deviationUm = damaged
      ? (this.random.chance(0.5) ? 1 : -1) *
        (TOLERANCE_UM + 5 + Math.abs(this.random.normal(0, 15)))
      : Math.max(-TOLERANCE_UM, Math.min(TOLERANCE_UM, this.random.normal(0, 8)))
    return { damaged, deviationUm: round(deviationUm, 1) }
  }

  private drift(dt: number): void {
    const keep = Math.exp(-dt / DRIFT_SECONDS)
    const sd = DRIFT_SHARE * this.baseShare * Math.sqrt(1 - keep * keep)
    const next = this.baseShare + (this.share - this.baseShare) * keep + sd * this.random.normal()
    this.share = Math.min(1, Math.max(0, next))
  }
}
