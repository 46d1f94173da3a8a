import { recordBytes, requestBudget, splitByBytes } from '../../../src/publish/byte-batches'

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

describe('a record’s size estimate', () => {
  it('counts the key and headers in UTF-8 bytes, the value, and a per-record overhead', () => {
    const value = Buffer.alloc(100)
    const bare = recordBytes('m1', value)
    expect(bare).toBeGreaterThan(102)
    expect(recordBytes('m€', value) - recordBytes('m1', value)).toBe(2)
    expect(recordBytes('m1', value, { 'event-id': 'abc' }) - bare).toBe(11)
  })

  it('leaves room under the broker’s limit for the batch header', () => {
    expect(requestBudget(1_000_000)).toBeLessThan(1_000_000 - 61)
    expect(requestBudget(4096)).toBeGreaterThan(2048)
  })
})
