import { Random } from '../../../src/simulate/random'

const draws = (r: Random, n: number, f: (r: Random) => number) =>
  Array.from({ length: n }, () => f(r))
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

describe('the seeded random source', () => {
  it('repeats itself for a seed, and differs for another', () => {
    expect(draws(new Random(9), 5, (r) => r.next())).toEqual(
      draws(new Random(9), 5, (r) => r.next()),
    )
    expect(draws(new Random(9), 5, (r) => r.next())).not.toEqual(
      draws(new Random(10), 5, (r) => r.next()),
    )
  })

  it('draws exponential and normal values with the asked mean and spread', () => {
    const r = new Random(1)
    expect(mean(draws(r, 20_000, (x) => x.exponential(300)))).toBeGreaterThan(290)
    expect(mean(draws(r, 20_000, (x) => x.exponential(300)))).toBeLessThan(310)
    const normal = draws(r, 20_000, (x) => x.normal(5, 2))
    expect(mean(normal)).toBeCloseTo(5, 1)
    expect(Math.sqrt(mean(normal.map((v) => (v - 5) ** 2)))).toBeCloseTo(2, 1)
  })

  it('samples distinct elements', () => {
    const picked = new Random(3).sample([1, 2, 3, 4, 5, 6], 4)
    expect(picked).toHaveLength(4)
    expect(new Set(picked).size).toBe(4)
  })
})
