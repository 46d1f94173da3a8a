import { randomBytes, randomUUID } from 'node:crypto'
import type pg from 'pg'
import { pino } from 'pino'
import { ensurePartitions } from '../../src/journal/log-partitions'
import { migrate } from '../../src/journal/migrate'
import { createPool } from '../../src/journal/pool'
import { createTestDatabase } from '../../harness/services'
import { samplePartProduced } from './sample-event'

/** The columns a bench insert fills, in order. */
export const EVENT_COLUMNS =
  'event_id, entity_type, entity_id, sequence, type, occurred_at, recorded_at, payload'

/** A fresh database with the service's schema (db/migrations), for the PostgreSQL ceilings. */
export async function migratedScratchDatabase(): Promise<string> {
  const url = await createTestDatabase()
  const pool = createPool(url, pino({ level: 'silent' }), 1)
  try {
    await migrate(pool, pino({ level: 'silent' }))
    await ensurePartitions(pool, 86_400_000, Date.now())
  } finally {
    await pool.end()
  }
  return url
}

/**
 * Creates a throwaway copy of event_log (columns, keys and indexes, from the migrated schema),
 * logged like it, so inserts pay what the service's do. Returns its name.
 */
export async function createScratchEventLog(db: pg.Pool | pg.ClientBase): Promise<string> {
  const table = `bench_event_log_${randomBytes(4).toString('hex')}`
  await db.query(`CREATE TABLE ${table} (LIKE event_log INCLUDING ALL)`)
  return table
}

/** Drops a table made by `createScratchEventLog`. */
export async function dropScratchEventLog(
  db: pg.Pool | pg.ClientBase,
  table: string,
): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${table}`)
}

/** What changes from one batch of event-log rows to the next; the rest is in `PartProducedBatches`. */
export type EventBatch = {
  eventIds: string[]
  /** Every machine's sequence number in this batch (one event per machine per batch). */
  sequence: number
  occurredAt: number[]
  recordedAt: number[]
}

/**
 * Event-log rows of PartProduced events, one per machine per batch, each machine's sequence
 * counting up. Payloads are built once per machine: the client's time goes into sending rows,
 * so the figure is PostgreSQL's, not the bench's JSON serialisation.
 */
export class PartProducedBatches {
  readonly entityType = 'machine'
  readonly type = 'PartProduced'
  /** Row i of every batch belongs to machine `entityIds[i]`. */
  readonly entityIds: string[]
  /** Row i's payload: a PartProduced event as JSON. */
  readonly payloads: string[]
  private batches = 0

  constructor(readonly size = 1000) {
    this.entityIds = Array.from({ length: size }, (_, i) => String(i + 1))
    this.payloads = this.entityIds.map((machineId, i) =>
      JSON.stringify({ ...samplePartProduced(i, machineId), eventId: randomUUID() }),
    )
  }

  next(): EventBatch {
    this.batches += 1
    const start = 1_702_166_400_000 + this.batches * 1000
    const occurredAt = this.entityIds.map((_, i) => start + i)
    return {
      eventIds: this.entityIds.map(() => randomUUID()),
      sequence: this.batches,
      occurredAt,
      recordedAt: occurredAt.map((t) => t + 40),
    }
  }
}
