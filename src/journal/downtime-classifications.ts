import type { Pool } from 'pg'
import { EVENT_CATALOG, type EventType } from '../domain/event-catalog.js'
import { newEventId } from '../domain/event-id.js'
import { namedParams } from './named-params.js'
import { inBoundedTransaction } from './transaction.js'

/** A supervisor's reason for a stop. */
export type Classification = {
  recordId: string
  reasonCode: string
  classifiedBy: string
  at: number
}

/** Commits classifications of stops as events in the log; the downtime follower applies them. */
export interface DowntimeClassifier {
  /** Resolves false when there is no such record. */
  classify(c: Classification): Promise<boolean>
}

const CLASSIFIED = 'DowntimeClassified' satisfies EventType

const Q = namedParams('id', 'eventId', 'eventType', 'entityType', 'at', 'reason', 'by')
const p = Q.placeholders

/*
 * The classification is an event of the record's own stream (key: the record's id), numbered
 * after its earlier ones, written to the log like every event so the relay publishes it and
 * the downtime follower applies it in commit order. Nothing when the record does not exist.
 */
const RECORD = `
INSERT INTO event_log (event_id, entity_type, entity_id, sequence, type, occurred_at, recorded_at, payload)
SELECT ${p.eventId}::uuid, ${p.entityType}::text, d.id, n.seq, ${p.eventType}::text, ms_to_ts(${p.at}), now(),
       jsonb_build_object(
         'eventId', ${p.eventId}::uuid, 'type', ${p.eventType}::text, 'key', d.id, 'sequence', n.seq,
         'occurredAt', ${p.at}::float8, 'recordedAt', ts_to_ms(now()),
         'recordId', d.id, 'machineId', d.machine_id, 'lineId', d.line_id,
         'reasonCode', ${p.reason}::text, 'classifiedBy', ${p.by}::text)
  FROM downtime_records d
  CROSS JOIN LATERAL (
    SELECT coalesce(max(e.sequence), 0) + 1 AS seq FROM event_log e
     WHERE e.entity_type = ${p.entityType}::text AND e.entity_id = d.id) n
 WHERE d.id = ${p.id}::text`

/** Classifications as `DowntimeClassified` events, each in a transaction with a deadline. */
export class PgDowntimeClassifications implements DowntimeClassifier {
  constructor(
    private readonly pool: Pool,
    private readonly timeoutMs: number,
  ) {}

  async classify(c: Classification): Promise<boolean> {
    const inserted = await inBoundedTransaction(this.pool, this.timeoutMs, async (client) => {
      // Two classifications of one record at once would take the same sequence number.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`downtime:${c.recordId}`])
      return client.query(
        RECORD,
        Q.values({
          id: c.recordId,
          eventId: newEventId(),
          eventType: CLASSIFIED,
          entityType: EVENT_CATALOG[CLASSIFIED].entity,
          at: c.at,
          reason: c.reasonCode,
          by: c.classifiedBy,
        }),
      )
    })
    return (inserted.rowCount ?? 0) > 0
  }
}
