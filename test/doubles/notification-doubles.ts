import type { OutboxCursor } from '../../src/publish/outbox'
import type {
  AlarmNoticeSource,
  CommittedAlarmNotice,
} from '../../src/notify/committed-alarm-events'
import type { NotificationStore, Undeliverable } from '../../src/notify/notification-store'
import { compareCursors, LOG_START } from './series-doubles'

/** The committed alarm events in commit order, as an array. */
export class AlarmLogDouble implements AlarmNoticeSource {
  readonly events: CommittedAlarmNotice[] = []

  /** Appends an `AlarmRaised` of `ruleId` on `machineId` in a transaction of its own. */
  raise(machineId: string, ruleId: string): string {
    const n = this.events.length + 1
    const eventId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
    this.events.push({
      cursor: { txId: String(100 + n), position: n },
      notice: {
        eventId,
        type: 'AlarmRaised',
        machineId,
        ruleId,
        occurredAt: 1_700_000_000_000 + n,
        payload: { ruleId, severity: 'major' },
      },
    })
    return eventId
  }

  next(after: OutboxCursor, limit: number): Promise<CommittedAlarmNotice[]> {
    return Promise.resolve(
      this.events.filter((e) => compareCursors(e.cursor, after) > 0).slice(0, limit),
    )
  }

  lag(after: OutboxCursor): Promise<number> {
    return Promise.resolve(this.events.filter((e) => compareCursors(e.cursor, after) > 0).length)
  }
}

/** Each target's cursor and undeliverable record in memory; a settle from a stale cursor throws. */
export class NotificationStoreDouble implements NotificationStore {
  readonly cursors = new Map<string, OutboxCursor>()
  readonly undeliverable: (Undeliverable & { target: string })[] = []

  cursor(target: string): Promise<OutboxCursor> {
    return Promise.resolve(this.cursors.get(target) ?? LOG_START)
  }

  settle(
    target: string,
    from: OutboxCursor,
    to: OutboxCursor,
    undeliverable?: Undeliverable,
  ): Promise<void> {
    const at = this.cursors.get(target) ?? LOG_START
    if (compareCursors(at, from) !== 0) return Promise.reject(new Error('cursor moved'))
    this.cursors.set(target, to)
    if (undeliverable) this.undeliverable.push({ target, ...undeliverable })
    return Promise.resolve()
  }
}
