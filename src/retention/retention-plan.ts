import type { TimePartition, TimePartitionedTable } from '../journal/log-partitions.js'

/** How long each time-partitioned table keeps its rows, in ms (undefined: for ever). */
export type RetentionWindows = { events: number | undefined; dedupWindow: number }

/** Where a table's rows start being kept: a partition wholly before it may go. */
export function keptFrom(
  table: TimePartitionedTable,
  windows: RetentionWindows,
  now: number,
): number | undefined {
  const keep = table === 'event_log' ? windows.events : windows.dedupWindow
  return keep === undefined ? undefined : now - keep
}

/**
 * The partitions past their table's window, oldest first: each ends at or before the cutoff,
 * so every row in it is older than the window. The event log's are only these while retention
 * is on; idempotency keys go once past the idempotency window whatever it is.
 */
export function partitionsPastRetention(
  partitions: readonly TimePartition[],
  windows: RetentionWindows,
  now: number,
): TimePartition[] {
  return partitions
    .filter((p) => {
      const from = keptFrom(p.table, windows, now)
      return from !== undefined && p.to <= from
    })
    .sort((a, b) => a.to - b.to)
}
