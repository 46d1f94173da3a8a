import { bearerDigest } from './api-keys.js'

type Bucket = { tokens: number; at: number }

/**
 * Token buckets per API key: `ratePerSecond` tokens refill continuously up to `burst`. A bucket
 * is keyed by the SHA-256 digest of the bearer token, read as authentication reads it (scheme in
 * any case, spaces trimmed), so `bearer k` and `Bearer  k` share one; callers take tokens only
 * after authentication, so every key is a configured one and the map holds at most one bucket
 * per configured key. A bucket that has refilled is the same as none and is dropped, so idle
 * keys cost nothing either.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private sweptAt: number

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sweptAt = now()
  }

  /**
   * Takes `cost` tokens for the key of an `Authorization` header; returns 0 if allowed, else
   * the seconds to wait before retrying.
   */
  take(authorization: string, cost: number): number {
    const id = bearerDigest(authorization)?.toString('base64url') ?? ''
    const t = this.now()
    this.sweep(t)
    const b = this.buckets.get(id) ?? { tokens: this.burst, at: t }
    b.tokens = this.refilled(b, t)
    b.at = t
    this.buckets.set(id, b)
    if (cost <= b.tokens) {
      b.tokens -= cost
      return 0
    }
    return Math.max(1, Math.ceil((cost - b.tokens) / this.ratePerSecond))
  }

  /** Buckets held now (for tests and the bound's check). */
  size(): number {
    return this.buckets.size
  }

  private refilled(b: Bucket, t: number): number {
    return Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.ratePerSecond)
  }

  /** Drops full buckets, at most once per refill time, so a take costs O(1) on average. */
  private sweep(t: number): void {
    if (t - this.sweptAt < (this.burst / this.ratePerSecond) * 1000) return
    this.sweptAt = t
    for (const [id, b] of this.buckets)
      if (this.refilled(b, t) >= this.burst) this.buckets.delete(id)
  }
}
