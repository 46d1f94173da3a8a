// How every reader of the event log follows it in commit order: the outbox relay, the series
// follower, the live stream. Positions are handed out before commit, so a position alone can
// be committed out of order; (tx_id, position) with the horizon below never is.

/**
 * Rows after the cursor (`tx` and `position` are the statement's placeholders). The plain
 * bound on tx_id is what lets the planner see how few rows follow the cursor: on the row
 * comparison alone it guessed a third of the table and scanned all of it.
 */
export const afterCursor = (tx: string, position: string): string =>
  `tx_id >= ${tx}::xid8 AND (tx_id, position) > (${tx}::xid8, ${position}::bigint)`

/**
 * Only transactions older than every one still running: a slow transaction's rows are never
 * passed over, they are read once it has committed.
 */
export const COMMITTED_BEFORE_ANY_RUNNING = 'tx_id < pg_snapshot_xmin(pg_current_snapshot())'
