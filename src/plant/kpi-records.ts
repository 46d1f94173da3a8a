import type { DowntimeRow, PartCell } from './downtime-plan.js'

/** A downtime record as the follower keeps it (its category is the catalogue's, at read time). */
export type StopRow = DowntimeRow

/** Parts of one machine in one minute, stamped with its line then. */
export type PartMinuteRow = PartCell

/**
 * The records a KPI answer is computed from: every stop overlapping the range and every minute
 * of parts in it, of each machine with any record on the lines asked about (its records on
 * other lines too, which say when it moved). `truncated` when there were more than the cap.
 */
export type KpiRecords = {
  stops: StopRow[]
  minutes: PartMinuteRow[]
  truncated: boolean
}
