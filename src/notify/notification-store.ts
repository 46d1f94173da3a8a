import type { Pool } from 'pg'
import { MillstreamError } from '../errors.js'
import { namedParams } from '../journal/named-params.js'
import { inBoundedTransaction } from '../journal/transaction.js'
import type { OutboxCursor } from '../publish/outbox.js'
import { moveFollowerCursor, readFollowerCursor } from '../series/follower-cursor.js'
import type { AlarmNotice } from './committed-alarm-events.js'

/** An event a target could not take, and why. */
export type Undeliverable = { notice: AlarmNotice; attempts: number; reason: string }

/** Each target's place in the log and its record of what it could not deliver. */
export interface NotificationStore {
  cursor(target: string): Promise<OutboxCursor>
  /** Moves the target's cursor past one event, recording it undeliverable if it was. */
  settle(
    target: string,
    from: OutboxCursor,
    to: OutboxCursor,
    undeliverable?: Undeliverable,
  ): Promise<void>
}

/** The name of a target's cursor in `relay_offsets`. */
export function cursorName(target: string): string {
  return `alarm-notify:${target}`
}

const START = namedParams('name')

const RECORD = namedParams(
  'target',
  'eventId',
  'eventType',
  'machineId',
  'ruleId',
  'attempts',
  'reason',
)

/** The store in PostgreSQL: the cursor and the undeliverable record move in one transaction. */
export class PgNotificationStore implements NotificationStore {
  constructor(
    private readonly pool: Pool,
    private readonly timeoutMs: number,
  ) {}

  /**
   * The target's cursor. A target new to the database starts at the log's end (every
   * transaction older than the oldest running one): it is told of alarms from now on, not of
   * the plant's whole history. That start is kept at once, so a restart does not skip past.
   */
  async cursor(target: string): Promise<OutboxCursor> {
    const name = cursorName(target)
    await inBoundedTransaction(this.pool, this.timeoutMs, (client) =>
      client.query(
        `INSERT INTO relay_offsets (relay, tx_id, position)
         VALUES (${START.placeholders.name}, pg_snapshot_xmin(pg_current_snapshot()), 0)
         ON CONFLICT (relay) DO NOTHING`,
        START.values({ name }),
      ),
    )
    return readFollowerCursor(this.pool, name, this.timeoutMs)
  }

  async settle(
    target: string,
    from: OutboxCursor,
    to: OutboxCursor,
    undeliverable?: Undeliverable,
  ): Promise<void> {
    await inBoundedTransaction(this.pool, this.timeoutMs, async (client) => {
      if (!(await moveFollowerCursor(client, cursorName(target), from, to)))
        throw new MillstreamError(
          'CONFLICT',
          `the ${target} notification cursor moved under this instance`,
          { retriable: true },
        )
      if (!undeliverable) return
      const p = RECORD.placeholders
      await client.query(
        `INSERT INTO alarm_notifications_undeliverable
           (target, event_id, event_type, machine_id, rule_id, attempts, reason)
         VALUES (${p.target}, ${p.eventId}::uuid, ${p.eventType}, ${p.machineId}, ${p.ruleId},
                 ${p.attempts}, ${p.reason})
         ON CONFLICT (target, event_id) DO NOTHING`,
        RECORD.values({
          target,
          eventId: undeliverable.notice.eventId,
          eventType: undeliverable.notice.type,
          machineId: undeliverable.notice.machineId,
          ruleId: undeliverable.notice.ruleId,
          attempts: undeliverable.attempts,
          reason: undeliverable.reason,
        }),
      )
    })
  }
}
