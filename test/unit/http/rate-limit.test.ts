import { bearerDigest } from '../../../src/http/api-keys'
import { RateLimiter } from '../../../src/http/rate-limit'

describe('ingest rate limit buckets', () => {
  it('reads a bearer token as authentication does: scheme in any case, spaces trimmed', () => {
    const d = bearerDigest('Bearer k')
    expect(d).toBeDefined()
    for (const h of ['bearer k', 'Bearer  k', ' BEARER\tk ', 'Bearer k  '])
      expect(bearerDigest(h)?.equals(d as Buffer)).toBe(true)
    expect(bearerDigest('Basic k')).toBeUndefined()
    expect(bearerDigest('Bearer')).toBeUndefined()
  })

  it('counts `bearer k` and `Bearer  k` against one bucket', () => {
    const limiter = new RateLimiter(10, 10, () => 0)
    expect(limiter.take('Bearer k', 6)).toBe(0)
    expect(limiter.take('bearer  k', 6)).toBe(1)
    expect(limiter.size()).toBe(1)
  })

  it('refills at the rate and tells how long to wait', () => {
    let t = 0
    const limiter = new RateLimiter(10, 10, () => t)
    expect(limiter.take('Bearer k', 10)).toBe(0)
    expect(limiter.take('Bearer k', 5)).toBe(1)
    t = 500
    expect(limiter.take('Bearer k', 5)).toBe(0)
  })

  it('drops the buckets of keys idle long enough to have refilled', () => {
    let t = 0
    const limiter = new RateLimiter(10, 10, () => t)
    for (let i = 0; i < 50; i++) limiter.take(`Bearer key-${i}`, 1)
    expect(limiter.size()).toBe(50)
    t = 1000
    limiter.take('Bearer other', 1)
    expect(limiter.size()).toBe(1)
  })
})
