import type { Pool } from 'pg'
import type { PartProduced } from '../../src/domain/events'
import { afterCursor, COMMITTED_BEFORE_ANY_RUNNING } from '../../src/journal/commit-order'
import type { OutboxSource } from '../../src/publish/outbox-relay'
import type { OutboxCursor, OutboxEntry } from '../../src/publish/outbox'

/** The limit pipeline's table: one row per message, its idempotency key unique. */
export const LIMIT_TABLE = 'limit_messages'

/** What the limit pipeline commits of one message. */
export type LimitRow = { key: string; machineId: string; payload: string }

/**
 * The table and the relay's cursor, in a fresh database. `tx_id` orders rows by commit, as in
 * millstream's event_log (db/migrations/0001), so the relay below reads them like its outbox.
 * The payload is json as received (millstream keeps json, not jsonb, for the same reason).
 */
export async function createLimitTables(pool: Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE ${LIMIT_TABLE} (
      position    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      tx_id       xid8 NOT NULL DEFAULT pg_current_xact_id(),
      key         text NOT NULL UNIQUE,
      machine_id  text NOT NULL,
      payload     json NOT NULL
    );
    CREATE INDEX ${LIMIT_TABLE}_by_commit ON ${LIMIT_TABLE} (tx_id, position);
    CREATE TABLE limit_relay_offset (tx_id xid8 NOT NULL, position bigint NOT NULL);
    INSERT INTO limit_relay_offset VALUES ('0', 0);`)
}

/** One group commit: the rows whose key is new are added, the others are already there. */
export async function commitRows(pool: Pool, rows: LimitRow[]): Promise<undefined[]> {
  await pool.query(
    `INSERT INTO ${LIMIT_TABLE} (key, machine_id, payload)
       SELECT * FROM unnest($1::text[], $2::text[], $3::json[])
       ON CONFLICT (key) DO NOTHING`,
    [rows.map((r) => r.key), rows.map((r) => r.machineId), rows.map((r) => r.payload)],
  )
  return rows.map(() => undefined)
}

type Committed = { txId: string; position: number; machine_id: string; payload: unknown }

/**
 * The limit table as millstream's relay (src/publish/outbox-relay.ts) sees its event log: rows
 * in commit order, only of transactions older than any still running, the cursor saved after
 * each batch Kafka acknowledged. One limit process per table, so no leadership to take.
 */
export class LimitOutbox implements OutboxSource {
  constructor(private readonly pool: Pool) {}

  acquire(): Promise<boolean> {
    return Promise.resolve(true)
  }

  release(): Promise<void> {
    return Promise.resolve()
  }

  async cursor(): Promise<OutboxCursor> {
    const r = await this.pool.query<OutboxCursor>(
      'SELECT tx_id::text AS "txId", position FROM limit_relay_offset',
    )
    return r.rows[0] ?? { txId: '0', position: 0 }
  }

  async next(after: OutboxCursor, limit: number): Promise<OutboxEntry[]> {
    const r = await this.pool.query<Committed>(
      `SELECT tx_id::text AS "txId", position, machine_id, payload FROM ${LIMIT_TABLE}
        WHERE ${afterCursor('$1', '$2')} AND ${COMMITTED_BEFORE_ANY_RUNNING}
        ORDER BY tx_id, position
        LIMIT $3`,
      [after.txId, after.position, limit],
    )
    const recordedAt = Date.now()
    return r.rows.map((row) => ({
      txId: row.txId,
      position: row.position,
      event: partProduced(row, recordedAt),
    }))
  }

  async save(cursor: OutboxCursor): Promise<void> {
    await this.pool.query('UPDATE limit_relay_offset SET tx_id = $1::xid8, position = $2', [
      cursor.txId,
      cursor.position,
    ])
  }

  async lag(after: OutboxCursor): Promise<number> {
    const r = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${LIMIT_TABLE} WHERE ${afterCursor('$1', '$2')}`,
      [after.txId, after.position],
    )
    return r.rows[0]?.n ?? 0
  }
}

/**
 * The PartProduced record millstream publishes, filled from the message's fields as they are
 * (a telemetry message has none of a part's, so it gets zeros and nulls): no domain work. The
 * row's position stands in for the event id and the per-machine sequence, so a re-sent row
 * carries the same id, as millstream's duplicates do.
 */
function partProduced(row: Committed, recordedAt: number): PartProduced {
  const p = (typeof row.payload === 'object' && row.payload !== null ? row.payload : {}) as Record<
    string,
    unknown
  >
  const int = (v: unknown) => (Number.isSafeInteger(v) ? (v as number) : 0)
  const num = (v: unknown) => (typeof v === 'number' ? v : null)
  const str = (v: unknown) => (typeof v === 'string' ? v : null)
  return {
    eventId: `00000000-0000-4000-8000-${String(row.position).padStart(12, '0')}`,
    type: 'PartProduced',
    key: row.machine_id,
    sequence: row.position,
    occurredAt: int(p.timeOfProduction ?? p.at) || recordedAt,
    recordedAt,
    machineId: row.machine_id,
    partId: int(p.partId),
    order: int(p.order),
    damaged: p.var5 === true,
    var1: num(p.var1),
    var2: str(p.var2),
    var3: str(p.var3),
    var4: num(p.var4),
    messageId: str(p.messageId),
    idealCycleSeconds: null,
  }
}
