import { splitByBytes } from '../../../src/publish/byte-batches'

describe('splitting a batch by bytes', () => {
  const size = (n: number) => n

  it('keeps the order and puts as much in each run as fits under the limit', () => {
    expect(splitByBytes([400, 300, 300, 200, 900, 100], size, 1000)).toEqual([
      [400, 300, 300],
      [200],
      [900, 100],
    ])
  })

  it('gives an item over the limit a run of its own, for the broker to judge', () => {
    expect(splitByBytes([10, 5000, 10], size, 1000)).toEqual([[10], [5000], [10]])
  })

  it('makes no run of nothing', () => {
    expect(splitByBytes([], size, 1000)).toEqual([])
  })
})
