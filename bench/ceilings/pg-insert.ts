import pg from 'pg'
import type { BenchBudget, Ceiling } from '../lib/types'
import {
  createScratchEventLog,
  dropScratchEventLog,
  EVENT_COLUMNS,
  PartProducedBatches,
} from './pg-scratch'
import { rateOf, roundSeconds, warmThenMeasure } from './timed-loop'

const BATCH = 1000

/**
 * PostgreSQL's multi-row insert alone: batches of `BATCH` event-log rows, one parameterised
 * `unnest` statement (its own transaction) each, from `connections` inserters at once.
 */
export async function measurePgInsert(
  databaseUrl: string,
  budget: BenchBudget,
  connections = 1,
): Promise<Ceiling> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: connections })
  // An idle connection's error surfaces on the next query; this keeps it from crashing the bench.
  pool.on('error', () => undefined)
  let table: string | undefined
  try {
    table = await createScratchEventLog(pool)
    const insert = insertStatement(table)
    const rows = new PartProducedBatches(BATCH)
    // The same in every batch: serialised once (pg would escape 1,000 payloads per batch).
    const entityTypes = arrayLiteral(rows.entityIds.map(() => rows.entityType))
    const entityIds = arrayLiteral(rows.entityIds)
    const types = arrayLiteral(rows.entityIds.map(() => rows.type))
    const payloads = arrayLiteral(rows.payloads)
    const tally = await warmThenMeasure(
      budget,
      async () => {
        const batch = rows.next()
        await pool.query(insert, [
          batch.eventIds,
          entityTypes,
          entityIds,
          rows.entityIds.map(() => batch.sequence),
          types,
          batch.occurredAt,
          batch.recordedAt,
          payloads,
        ])
        return BATCH
      },
      connections,
    )
    return {
      name: `PostgreSQL multi-row insert, ${connections} connection${connections > 1 ? 's' : ''}`,
      unit: 'rows/s',
      perSecond: rateOf(tally),
      detail: {
        statement: 'INSERT … SELECT FROM unnest($1::uuid[], …, $8::jsonb[])',
        rowsPerTransaction: BATCH,
        connections,
        payloadBytes: rows.payloads[0]?.length ?? 0,
        rows: tally.units,
        seconds: roundSeconds(tally.seconds),
      },
    }
  } finally {
    if (table) await dropScratchEventLog(pool, table).catch(() => undefined)
    await pool.end()
  }
}

function insertStatement(table: string): string {
  return `INSERT INTO ${table} (${EVENT_COLUMNS})
    SELECT e, k, i, s, t, to_timestamp(o / 1000), to_timestamp(r / 1000), p
      FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int8[], $5::text[], $6::float8[],
                  $7::float8[], $8::jsonb[]) AS u(e, k, i, s, t, o, r, p)`
}

/** A PostgreSQL array literal of strings, as pg would write it. */
function arrayLiteral(values: string[]): string {
  const quoted = values.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)
  return `{${quoted.join(',')}}`
}
