import { missingRanges, partitionName } from '../../../src/journal/log-partitions'

const MIN = 60_000
const DAY = 86_400_000
const at = (iso: string) => Date.parse(iso)

describe('partitionName', () => {
  it('names a partition by its table and start in UTC, as short as its start allows', () => {
    expect(partitionName('event_log', at('2026-12-02T00:00:00Z'))).toBe('event_log_p20261202')
    expect(partitionName('event_log', at('2026-12-02T04:05:00Z'))).toBe('event_log_p20261202t0405')
    expect(partitionName('processed_inputs', at('2026-12-02T04:05:06Z'))).toBe(
      'processed_inputs_p20261202t040506',
    )
  })
})

describe('missingRanges', () => {
  const now = at('2026-12-02T04:39:30Z')

  it('covers from a span before the clock to past `ahead` spans after it, in aligned slots', () => {
    expect(missingRanges([], now, DAY, 2)).toEqual([
      { from: at('2026-12-01T00:00:00Z'), to: at('2026-12-02T00:00:00Z') },
      { from: at('2026-12-02T00:00:00Z'), to: at('2026-12-03T00:00:00Z') },
      { from: at('2026-12-03T00:00:00Z'), to: at('2026-12-04T00:00:00Z') },
      { from: at('2026-12-04T00:00:00Z'), to: at('2026-12-05T00:00:00Z') },
    ])
  })

  it('starts where the partition of the rows from before partitioning ends', () => {
    const legacy = { from: null, to: at('2026-12-02T04:40:00Z') }
    expect(missingRanges([legacy], now, DAY, 0)).toEqual([
      { from: at('2026-12-02T04:40:00Z'), to: at('2026-12-03T00:00:00Z') },
    ])
  })

  it('fills only the gaps between partitions that exist, and nothing once all is covered', () => {
    const existing = [
      { from: at('2026-12-02T04:38:00Z'), to: at('2026-12-02T04:39:00Z') },
      { from: at('2026-12-02T04:40:00Z'), to: at('2026-12-02T04:41:00Z') },
    ]
    expect(missingRanges(existing, now, MIN, 2)).toEqual([
      { from: at('2026-12-02T04:39:00Z'), to: at('2026-12-02T04:40:00Z') },
      { from: at('2026-12-02T04:41:00Z'), to: at('2026-12-02T04:42:00Z') },
    ])
    const all = [...existing, ...missingRanges(existing, now, MIN, 2)]
    expect(missingRanges(all, now, MIN, 2)).toEqual([])
  })

  it('cuts a slot around a partition inside it', () => {
    const inside = { from: at('2026-12-02T10:00:00Z'), to: at('2026-12-02T11:00:00Z') }
    expect(missingRanges([inside], at('2026-12-02T12:00:00Z'), DAY, 0)).toEqual([
      { from: at('2026-12-01T00:00:00Z'), to: at('2026-12-02T00:00:00Z') },
      { from: at('2026-12-02T00:00:00Z'), to: at('2026-12-02T10:00:00Z') },
      { from: at('2026-12-02T11:00:00Z'), to: at('2026-12-03T00:00:00Z') },
    ])
  })
})
