import { autoBucketMs, bucketStart, parseDuration, resolveRange } from '../../../src/series/buckets'

const MIN = 60_000
const HOUR = 3_600_000
const DAY = 86_400_000

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['5m', 5 * MIN],
    ['2h', 2 * HOUR],
    ['400d', 400 * DAY],
  ])('reads %s', (text, ms) => expect(parseDuration(text)).toBe(ms))

  it.each(['', '0m', '5', '1.5h', '5 m', '1w', '1234567d'])('refuses %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  )
})

describe('bucketStart', () => {
  it('aligns to multiples of the bucket since the epoch; an edge starts its own bucket', () => {
    expect(bucketStart(5 * MIN, 5 * MIN)).toBe(5 * MIN)
    expect(bucketStart(5 * MIN - 1, 5 * MIN)).toBe(0)
    expect(bucketStart(Date.parse('2024-03-01T13:30:00Z'), DAY)).toBe(
      Date.parse('2024-03-01T00:00:00Z'),
    )
  })
})

describe('autoBucketMs', () => {
  it.each([
    [HOUR, MIN],
    [12 * HOUR, MIN],
    [13 * HOUR, 5 * MIN],
    [7 * DAY, 15 * MIN],
    [30 * DAY, HOUR],
    [180 * DAY, 6 * HOUR],
    [365 * DAY, DAY],
    [1000 * DAY, 2 * DAY],
  ])('over %d ms picks %d ms', (span, bucket) => expect(autoBucketMs(span)).toBe(bucket))
})

describe('resolveRange', () => {
  const now = Date.parse('2024-03-01T12:00:30Z')

  it('defaults to the hour before now, widened to whole buckets', () => {
    const r = resolveRange({}, now)
    expect(r).toEqual({
      ok: true,
      range: { from: now - 30_000 - HOUR, to: now + 30_000, bucketMs: MIN, source: 'minute' },
    })
  })

  it('reads whole hours from the hour rollup, whole minutes from the minute one, else raw', () => {
    const source = (bucketMs: number) => {
      const r = resolveRange({ from: 0, to: DAY, bucketMs }, now)
      return r.ok ? r.range.source : r.problem
    }
    expect(source(DAY)).toBe('hour')
    expect(source(2 * HOUR)).toBe('hour')
    expect(source(90 * MIN)).toBe('minute')
    expect(source(MIN)).toBe('minute')
    expect(source(90_000)).toBe('raw')
    expect(source(10_000)).toBe('raw')
  })

  it('refuses an empty range and more than 20,000 buckets', () => {
    expect(resolveRange({ from: now, to: now }, now)).toMatchObject({ ok: false })
    expect(resolveRange({ from: 0, to: 20_001 * MIN, bucketMs: MIN }, now)).toMatchObject({
      ok: false,
    })
    expect(resolveRange({ from: 0, to: 20_000 * MIN, bucketMs: MIN }, now)).toMatchObject({
      ok: true,
    })
  })
})
