import type { Pool, QueryConfig, QueryResult, QueryResultRow } from 'pg'
import { withTimeout } from '../deadline.js'
import type { EventType } from '../domain/event-catalog.js'
import type { EntityType } from '../domain/events.js'
import { afterCursor, COMMITTED_BEFORE_ANY_RUNNING } from '../journal/commit-order.js'
import { namedParams } from '../journal/named-params.js'
import { LOG_START, type LogCursor } from './log-cursor.js'
import type { ChangeLog, LogChange } from './log-tail.js'

type Row = {
  entity_type: EntityType
  entity_id: string
  type: EventType
  tx_id: string
  position: number
  sequence: number
}

const AFTER = namedParams('afterTx', 'afterPosition', 'limit', 'upToTx', 'upToPosition')
const a = AFTER.placeholders
const AFTER_SQL = `SELECT entity_type, entity_id, type, tx_id::text AS tx_id, position, sequence
    FROM event_log
   WHERE ${afterCursor(a.afterTx, a.afterPosition)}
     AND ${COMMITTED_BEFORE_ANY_RUNNING}
     AND (${a.upToTx}::xid8 IS NULL OR (tx_id, position) <= (${a.upToTx}::xid8, ${a.upToPosition}::bigint))
   ORDER BY tx_id, position
   LIMIT ${a.limit}`

const HEAD_SQL = `SELECT tx_id::text AS tx_id, position FROM event_log
   WHERE ${COMMITTED_BEFORE_ANY_RUNNING}
   ORDER BY tx_id DESC, position DESC LIMIT 1`

const HOLDS = namedParams('txId', 'position')
const HOLDS_SQL = `SELECT 1 FROM event_log
   WHERE tx_id = ${HOLDS.placeholders.txId}::xid8 AND position = ${HOLDS.placeholders.position}`

/** The event log in commit order, for the live stream: only the columns it needs. */
export class PgChangeLog implements ChangeLog {
  /** `deadlineMs` bounds each statement: a late read fails, and the tail reads again next poll. */
  constructor(
    private readonly pool: Pool,
    private readonly deadlineMs: number,
  ) {}

  /** A statement with the deadline; one that is late keeps running, but no reader waits for it. */
  private query<R extends QueryResultRow>(config: QueryConfig): Promise<QueryResult<R>> {
    return withTimeout(this.pool.query<R>(config), this.deadlineMs)
  }

  async head(): Promise<LogCursor> {
    const r = await this.query<{ tx_id: string; position: number }>({
      text: HEAD_SQL,
    })
    const row = r.rows[0]
    return row ? { txId: BigInt(row.tx_id), position: row.position } : LOG_START
  }

  async after(after: LogCursor, limit: number, upTo?: LogCursor): Promise<LogChange[]> {
    const r = await this.query<Row>({
      text: AFTER_SQL,
      values: AFTER.values({
        afterTx: String(after.txId),
        afterPosition: after.position,
        limit,
        upToTx: upTo ? String(upTo.txId) : null,
        upToPosition: upTo?.position ?? null,
      }),
    })
    return r.rows.map((row) => ({
      cursor: { txId: BigInt(row.tx_id), position: row.position },
      kind: row.entity_type,
      entityId: row.entity_id,
      type: row.type,
      sequence: row.sequence,
    }))
  }

  async holds(cursor: LogCursor): Promise<boolean> {
    const r = await this.query({
      text: HOLDS_SQL,
      values: HOLDS.values({ txId: String(cursor.txId), position: cursor.position }),
    })
    return r.rows.length > 0
  }
}
