import { covers, intersect, normalise, subtract, totalMs } from '../../../src/domain/intervals'

const s = (from: number, to: number) => ({ from, to })

describe('spans of time', () => {
  it('merges touching and overlapping spans and drops empty ones', () => {
    expect(normalise([s(5, 7), s(0, 2), s(2, 3), s(6, 9), s(4, 4)])).toEqual([s(0, 3), s(5, 9)])
  })

  it('keeps the parts inside, across several spans on each side', () => {
    expect(intersect([s(0, 10), s(20, 30)], [s(5, 25), s(28, 40)])).toEqual([
      s(5, 10),
      s(20, 25),
      s(28, 30),
    ])
    expect(intersect([s(0, 10)], [])).toEqual([])
  })

  it('cuts holes, including one that covers a span whole', () => {
    expect(subtract([s(0, 10), s(20, 30)], [s(2, 4), s(8, 22), s(25, 40)])).toEqual([
      s(0, 2),
      s(4, 8),
      s(22, 25),
    ])
  })

  it('counts overlapping time once, and an end as outside', () => {
    expect(totalMs([s(0, 10), s(5, 15)])).toBe(15)
    expect([covers([s(0, 10)], 0), covers([s(0, 10)], 10)]).toEqual([true, false])
  })
})
