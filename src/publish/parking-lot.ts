import type { Pool } from 'pg'
import type { DomainEvent } from '../domain/events.js'
import { namedParams } from '../journal/named-params.js'
import type { Refusal } from './refusal.js'

/** A parked record whose republish was asked for. */
export type RequestedRecord = { id: number; event: DomainEvent; parkedAt: number }

/** How many of a relay's records wait parked, and the newest of them. */
export type ParkedSummary = {
  waiting: number
  newest?: { eventId: string; type: string; key: string; code: string; reason: string }
}

/** Where a relay keeps the records Kafka refused for good (PostgreSQL in production). */
export interface ParkingLot {
  park(event: DomainEvent, refusal: Refusal): Promise<void>
  summary(): Promise<ParkedSummary>
  /** Parked records an operator asked to republish, oldest first. */
  requested(limit: number): Promise<RequestedRecord[]>
  republished(id: number): Promise<void>
  /** Refused again: keeps it parked with the new reason, and drops the request. */
  refusedAgain(id: number, refusal: Refusal): Promise<void>
}

const PARK = namedParams('relay', 'eventId', 'type', 'key', 'payload', 'bytes', 'code', 'reason')
const ONE = namedParams('relay', 'id')
const AGAIN = namedParams('relay', 'id', 'code', 'reason')
const REQUESTED = namedParams('relay', 'limit')

/** The `parked_records` of one relay. */
export class PgParkingLot implements ParkingLot {
  constructor(
    private readonly pool: Pool,
    private readonly relay: string,
  ) {}

  async park(event: DomainEvent, refusal: Refusal): Promise<void> {
    const p = PARK.placeholders
    const json = JSON.stringify(event)
    // Parked again after a crash before the cursor moved: the first row stands.
    await this.pool.query(
      `INSERT INTO parked_records (relay, event_id, event_type, event_key, payload, json_bytes, error_code, reason)
       VALUES (${p.relay}, ${p.eventId}, ${p.type}, ${p.key}, ${p.payload}::jsonb, ${p.bytes}, ${p.code}, ${p.reason})
       ON CONFLICT (relay, event_id) DO NOTHING`,
      PARK.values({
        relay: this.relay,
        eventId: event.eventId,
        type: event.type,
        key: event.key,
        payload: json,
        bytes: Buffer.byteLength(json),
        code: refusal.code,
        reason: refusal.reason,
      }),
    )
  }

  async summary(): Promise<ParkedSummary> {
    const p = REQUESTED.placeholders
    const r = await this.pool.query<{
      waiting: number
      eventId: string | null
      type: string
      key: string
      code: string
      reason: string
    }>(
      `SELECT (SELECT count(*)::int FROM parked_records
                WHERE relay = ${p.relay} AND republished_at IS NULL) AS waiting,
              n.event_id AS "eventId", n.event_type AS type, n.event_key AS key,
              n.error_code AS code, n.reason
         FROM (SELECT 1) one LEFT JOIN LATERAL (
           SELECT * FROM parked_records WHERE relay = ${p.relay} AND republished_at IS NULL
            ORDER BY id DESC LIMIT ${p.limit}) n ON true`,
      REQUESTED.values({ relay: this.relay, limit: 1 }),
    )
    const row = r.rows[0]
    if (!row?.eventId) return { waiting: row?.waiting ?? 0 }
    const { waiting, eventId, type, key, code, reason } = row
    return { waiting, newest: { eventId, type, key, code, reason } }
  }

  async requested(limit: number): Promise<RequestedRecord[]> {
    const p = REQUESTED.placeholders
    const r = await this.pool.query<{ id: number; payload: DomainEvent; parkedAt: number }>(
      `SELECT id, payload, ts_to_ms(parked_at)::float8 AS "parkedAt" FROM parked_records
        WHERE relay = ${p.relay} AND republished_at IS NULL AND republish_requested_at IS NOT NULL
        ORDER BY id LIMIT ${p.limit}`,
      REQUESTED.values({ relay: this.relay, limit }),
    )
    return r.rows.map((row) => ({ id: row.id, event: row.payload, parkedAt: row.parkedAt }))
  }

  async republished(id: number): Promise<void> {
    const p = ONE.placeholders
    await this.pool.query(
      `UPDATE parked_records SET republished_at = now()
        WHERE relay = ${p.relay} AND id = ${p.id}`,
      ONE.values({ relay: this.relay, id }),
    )
  }

  async refusedAgain(id: number, refusal: Refusal): Promise<void> {
    const p = AGAIN.placeholders
    await this.pool.query(
      `UPDATE parked_records
          SET error_code = ${p.code}, reason = ${p.reason}, republish_requested_at = NULL
        WHERE relay = ${p.relay} AND id = ${p.id}`,
      AGAIN.values({ relay: this.relay, id, code: refusal.code, reason: refusal.reason }),
    )
  }
}
