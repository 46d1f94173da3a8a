import { decimalRangePattern } from '../../../src/domain/decimal-range'

/** Deterministic pseudo-random integers below `limit` (a fixed LCG keeps failures reproducible). */
function* samples(count: number, limit: number): Generator<number> {
  let x = 12345
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31
    yield Math.floor((x / 2 ** 31) * limit)
  }
}

describe('decimalRangePattern', () => {
  it.each([
    [0, 0],
    [0, 9],
    [1, 60],
    [99, 100],
    [1000, 3_600_000],
    [17, 17],
    [0, 253_402_300_799_999],
  ])('matches exactly the integers %d..%d', (lo, hi) => {
    const re = new RegExp(`^${decimalRangePattern(lo, hi)}$`)
    const probes = new Set([lo, hi, lo - 1, hi + 1, 0, 9, 10, 99, 100, 1000, 10 ** 15])
    for (const n of samples(3000, hi * 2 + 10)) probes.add(n)
    for (const n of samples(1000, hi - lo + 1)) probes.add(lo + n)
    for (const n of probes) {
      if (n >= 0)
        expect({ n, matches: re.test(String(n)) }).toEqual({ n, matches: n >= lo && n <= hi })
    }
  })

  it('writes no leading zeros, signs, fractions or exponents', () => {
    const re = new RegExp(`^${decimalRangePattern(0, 1000)}$`)
    for (const text of ['', '01', '00', '-1', '+1', '1.0', '1e2', ' 1', '١']) {
      expect({ text, matches: re.test(text) }).toEqual({ text, matches: false })
    }
  })

  it('merges lengths taken whole into one run', () => {
    expect(decimalRangePattern(0, 99_999)).toBe('(?:[0-9]|[1-9][0-9]{1,4})')
  })
})
