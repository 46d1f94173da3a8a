import type { Pool } from 'pg'
import type { RunState } from '../domain/oee.js'
import { afterCursor, COMMITTED_BEFORE_ANY_RUNNING } from '../journal/commit-order.js'
import { namedParams } from '../journal/named-params.js'
import type { OutboxCursor } from '../publish/outbox.js'
import { inBoundedTransaction } from '../journal/transaction.js'
import type { SeriesEvent } from './plan.js'

/** A rolled-up event with its place in commit order. */
export type CommittedSeriesEvent = { cursor: OutboxCursor; event: SeriesEvent }

/** The event types the series roll up; a counter reset changes no series. */
export const SERIES_EVENT_TYPES = [
  'MachineMetricsRecorded',
  'PartProduced',
  'MachineStateChanged',
] as const satisfies readonly SeriesEvent['type'][]

/** The fields of a payload the series read; the rest is ignored. */
type SeriesPayload = {
  metrics?: Record<string, number>
  state?: RunState
  reason?: string | null
  damaged?: boolean
  idealCycleSeconds?: number | null
  machineId?: string
  recordId?: string
  reasonCode?: string
  classifiedBy?: string
}

type Row = {
  txId: string
  position: number
  type: SeriesEvent['type']
  machineId: string
  at: number
  payload: SeriesPayload
}

const NEXT = namedParams('afterTx', 'afterPosition', 'types', 'limit')
const LAG = namedParams('afterTx', 'afterPosition', 'types')

/**
 * The committed event log in commit order, read as the outbox relay reads it: only
 * transactions older than every one still running (`pg_snapshot_xmin`), so a slow commit's
 * events are never skipped. Only the fields the series need leave the server.
 */
export class CommittedSeriesEvents {
  constructor(
    private readonly pool: Pool,
    private readonly timeoutMs: number,
    /** The types read (the plant's downtime needs no telemetry). */
    private readonly types: readonly SeriesEvent['type'][] = SERIES_EVENT_TYPES,
  ) {}

  /** Up to `limit` machine events committed after `after`. */
  async next(after: OutboxCursor, limit: number): Promise<CommittedSeriesEvent[]> {
    const p = NEXT.placeholders
    const rows = await inBoundedTransaction(
      this.pool,
      this.timeoutMs,
      async (client) =>
        (
          await client.query<Row>(
            // The payload goes out as the JSON text it is stored as: field by field, the server
            // would parse the text once per field, and JSON.parse here is several times cheaper.
            `SELECT tx_id::text AS "txId", position, type, entity_id AS "machineId",
                    ts_to_ms(occurred_at) AS at, payload
               FROM event_log
              WHERE ${afterCursor(p.afterTx, p.afterPosition)}
                AND ${COMMITTED_BEFORE_ANY_RUNNING}
                AND entity_type IN ('machine', 'downtime') AND type = ANY(${p.types}::text[])
              ORDER BY tx_id, position
              LIMIT ${p.limit}`,
            NEXT.values({
              afterTx: after.txId,
              afterPosition: after.position,
              types: this.types,
              limit,
            }),
          )
        ).rows,
      'read only',
    )
    return rows.map((r) => ({ cursor: { txId: r.txId, position: r.position }, event: toEvent(r) }))
  }

  /** Machine events committed after `after` and not yet rolled up. */
  lag(after: OutboxCursor): Promise<number> {
    return committedAfter(this.pool, this.timeoutMs, after, this.types)
  }
}

/** How many machine (and downtime) events of `types` were committed after `after`: a follower's lag. */
export async function committedAfter(
  pool: Pool,
  timeoutMs: number,
  after: OutboxCursor,
  types: readonly string[],
): Promise<number> {
  const p = LAG.placeholders
  const r = await inBoundedTransaction(
    pool,
    timeoutMs,
    (client) =>
      client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM event_log
          WHERE ${afterCursor(p.afterTx, p.afterPosition)}
            AND entity_type IN ('machine', 'downtime') AND type = ANY(${p.types}::text[])`,
        LAG.values({ afterTx: after.txId, afterPosition: after.position, types }),
      ),
    'read only',
  )
  return r.rows[0]?.n ?? 0
}

function toEvent(r: Row): SeriesEvent {
  const base = { machineId: r.machineId, at: r.at }
  const p = r.payload
  switch (r.type) {
    case 'MachineMetricsRecorded':
      return { type: r.type, ...base, metrics: p.metrics ?? {} }
    case 'PartProduced':
      return {
        type: r.type,
        ...base,
        damaged: p.damaged === true,
        idealMs: typeof p.idealCycleSeconds === 'number' ? p.idealCycleSeconds * 1000 : null,
      }
    case 'MachineStateChanged':
      return { type: r.type, ...base, state: p.state ?? 'unknown', reason: p.reason ?? null }
    case 'DowntimeClassified':
      // The stream's key is the record's id; the machine is in the payload.
      return {
        type: r.type,
        machineId: p.machineId ?? '',
        at: r.at,
        recordId: p.recordId ?? r.machineId,
        reasonCode: p.reasonCode ?? '',
        classifiedBy: p.classifiedBy ?? '',
      }
  }
}
