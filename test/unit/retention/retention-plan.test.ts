import type { TimePartition } from '../../../src/journal/log-partitions'
import { keptFrom, partitionsPastRetention } from '../../../src/retention/retention-plan'

const MIN = 60_000
const now = Date.parse('2026-12-02T12:00:00Z')
const part = (
  table: TimePartition['table'],
  fromMin: number | null,
  toMin: number,
): TimePartition => ({
  table,
  name: `${table}_${toMin}`,
  from: fromMin === null ? null : now + fromMin * MIN,
  to: now + toMin * MIN,
  bytes: 0,
})

describe('partitionsPastRetention', () => {
  const windows = { events: 30 * MIN, dedupWindow: 10 * MIN }

  it('takes the event log’s partitions that end at or before the cutoff, oldest first', () => {
    const partitions = [
      part('event_log', -30, -20),
      part('event_log', null, -40),
      part('event_log', -40, -30),
      part('event_log', -20, 0),
    ]
    expect(partitionsPastRetention(partitions, windows, now).map((p) => p.name)).toEqual([
      'event_log_-40',
      'event_log_-30',
    ])
  })

  it('keeps every event while retention is off, and still lets keys go past their window', () => {
    const partitions = [
      part('event_log', null, -600),
      part('processed_inputs', -20, -10),
      part('processed_inputs', -10, 0),
    ]
    const off = { events: undefined, dedupWindow: 10 * MIN }
    expect(partitionsPastRetention(partitions, off, now).map((p) => p.name)).toEqual([
      'processed_inputs_-10',
    ])
    expect(keptFrom('event_log', off, now)).toBeUndefined()
    expect(keptFrom('processed_inputs', off, now)).toBe(now - 10 * MIN)
  })
})
