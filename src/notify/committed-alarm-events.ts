import type { Pool } from 'pg'
import type { AlarmEvent } from '../domain/events.js'
import { afterCursor, COMMITTED_BEFORE_ANY_RUNNING } from '../journal/commit-order.js'
import { namedParams } from '../journal/named-params.js'
import { inBoundedTransaction } from '../journal/transaction.js'
import type { OutboxCursor } from '../publish/outbox.js'
import { committedAfter } from '../series/committed-events.js'

/** The alarm event types a notification carries. */
export const ALARM_EVENT_TYPES = [
  'AlarmRaised',
  'AlarmCleared',
  'AlarmAcknowledged',
  'AlarmShelved',
  'AlarmUnshelved',
  'AlarmCommented',
] as const satisfies readonly AlarmEvent['type'][]

/** An alarm event as notified: its id (for idempotency), type, machine, rule and fields. */
export type AlarmNotice = {
  eventId: string
  type: AlarmEvent['type']
  machineId: string
  ruleId: string
  /** Epoch ms. */
  occurredAt: number
  /** The event's own fields as stored. */
  payload: Record<string, unknown>
}

/** An alarm event with its place in commit order. */
export type CommittedAlarmNotice = { cursor: OutboxCursor; notice: AlarmNotice }

/** The committed alarm events, as a notification follower reads them. */
export interface AlarmNoticeSource {
  next(after: OutboxCursor, limit: number): Promise<CommittedAlarmNotice[]>
  lag(after: OutboxCursor): Promise<number>
}

type Row = {
  txId: string
  position: number
  eventId: string
  type: AlarmEvent['type']
  machineId: string
  at: number
  payload: Record<string, unknown>
}

const NEXT = namedParams('afterTx', 'afterPosition', 'types', 'limit')

/**
 * The committed alarm events in commit order, read as the outbox relay reads the log: only
 * transactions older than every one still running, so a slow commit's events are never skipped.
 */
export class CommittedAlarmEvents implements AlarmNoticeSource {
  constructor(
    private readonly pool: Pool,
    private readonly timeoutMs: number,
  ) {}

  async next(after: OutboxCursor, limit: number): Promise<CommittedAlarmNotice[]> {
    const p = NEXT.placeholders
    const rows = await inBoundedTransaction(
      this.pool,
      this.timeoutMs,
      async (client) =>
        (
          await client.query<Row>(
            `SELECT tx_id::text AS "txId", position, event_id::text AS "eventId", type,
                    entity_id AS "machineId", ts_to_ms(occurred_at) AS at, payload
               FROM event_log
              WHERE ${afterCursor(p.afterTx, p.afterPosition)}
                AND ${COMMITTED_BEFORE_ANY_RUNNING}
                AND entity_type = 'machine' AND type = ANY(${p.types}::text[])
              ORDER BY tx_id, position
              LIMIT ${p.limit}`,
            NEXT.values({
              afterTx: after.txId,
              afterPosition: after.position,
              types: ALARM_EVENT_TYPES,
              limit,
            }),
          )
        ).rows,
      'read only',
    )
    return rows.map((r) => ({
      cursor: { txId: r.txId, position: r.position },
      notice: {
        eventId: r.eventId,
        type: r.type,
        machineId: r.machineId,
        ruleId: typeof r.payload['ruleId'] === 'string' ? r.payload['ruleId'] : '',
        occurredAt: r.at,
        payload: r.payload,
      },
    }))
  }

  lag(after: OutboxCursor): Promise<number> {
    return committedAfter(this.pool, this.timeoutMs, after, ALARM_EVENT_TYPES)
  }
}
