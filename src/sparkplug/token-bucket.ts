/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`; each take costs one.
 * An infinite rate never refuses.
 */
export class TokenBucket {
  private tokens: number
  private at: number | undefined

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst
  }

  /** Takes a token at `now` (ms); false when none is left. */
  take(now: number): boolean {
    if (this.ratePerSecond === Infinity) return true
    if (this.at !== undefined)
      this.tokens = Math.min(
        this.burst,
        this.tokens + ((now - this.at) / 1000) * this.ratePerSecond,
      )
    this.at = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
