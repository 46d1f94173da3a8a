import { createHash } from 'node:crypto'

/**
 * Token buckets per API key: `ratePerSecond` tokens refill continuously up to `burst`. A caller
 * is identified by a hash of its key, so no key is kept in clear here either.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes `cost` tokens; returns 0 if allowed, else the seconds to wait before retrying. */
  take(key: string, cost: number): number {
    const id = createHash('sha256').update(key).digest('base64url')
    const t = this.now()
    const b = this.buckets.get(id) ?? { tokens: this.burst, at: t }
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.ratePerSecond)
    b.at = t
    this.buckets.set(id, b)
    if (cost <= b.tokens) {
      b.tokens -= cost
      return 0
    }
    return Math.max(1, Math.ceil((cost - b.tokens) / this.ratePerSecond))
  }
}
