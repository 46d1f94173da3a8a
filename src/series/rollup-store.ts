import type { Pool, PoolClient } from 'pg'
import type { RunState } from '../domain/oee.js'
import { numberArray, textArray } from '../journal/pg-arrays.js'
import { moveFollowerCursor, readFollowerCursor } from './follower-cursor.js'
import { namedParams } from '../journal/named-params.js'
import type { OutboxCursor } from '../publish/outbox.js'
import { inBoundedTransaction } from '../journal/transaction.js'
import type { GrainName } from './buckets.js'
import type { MachineClock, MetricCell, OeeCell, SeriesPlan } from './plan.js'

/** The cursor moved under this follower: another instance applied the batch first. */
export class SeriesFencedError extends Error {
  constructor() {
    super('the series cursor moved: another instance is rolling up this log')
    this.name = 'SeriesFencedError'
  }
}

const TABLES = {
  metrics: { minute: 'series_metric_minutes', hour: 'series_metric_hours' },
  machines: { minute: 'series_machine_minutes', hour: 'series_machine_hours' },
  plant: { minute: 'series_plant_minutes', hour: 'series_plant_hours' },
} as const satisfies Record<string, Record<GrainName, string>>

const READINGS = namedParams('machineIds', 'metrics', 'ats', 'values')
const NAMES = namedParams('machineIds', 'metrics')
const METRIC_CELLS = namedParams(
  'machineIds',
  'metrics',
  'buckets',
  'counts',
  'sums',
  'mins',
  'maxes',
  'lasts',
  'lastAts',
)
const OEE_CELLS = namedParams(
  'machineIds',
  'buckets',
  'produced',
  'scrapped',
  'plannedMs',
  'runningMs',
  'idealMs',
)
const CLOCKS = namedParams('machineIds', 'states', 'sinces')

/**
 * The rollup tables and the follower's cursor. A batch's rows and the cursor past it are
 * written in one transaction, and the cursor only moves from where this follower last left it,
 * so a batch is applied exactly once even if two instances ever believed they led.
 */
export class RollupStore {
  constructor(
    private readonly pool: Pool,
    private readonly cursorName: string,
    private readonly timeoutMs: number,
  ) {}

  cursor(): Promise<OutboxCursor> {
    return readFollowerCursor(this.pool, this.cursorName, this.timeoutMs)
  }

  /** The stored clocks of these machines; a machine never seen has none. */
  async clocks(machineIds: readonly string[]): Promise<Map<string, MachineClock>> {
    const r = await inBoundedTransaction(
      this.pool,
      this.timeoutMs,
      (client) =>
        client.query<{ machine_id: string; state: RunState; since: number }>(
          `SELECT machine_id, state, ts_to_ms(since) AS since
             FROM series_machine_clock WHERE machine_id = ANY($1::text[])`,
          [machineIds],
        ),
      'read only',
    )
    return new Map(r.rows.map((row) => [row.machine_id, { state: row.state, since: row.since }]))
  }

  /** Writes `plan` and moves the cursor from `from` to `to`, in one transaction. */
  async apply(plan: SeriesPlan, from: OutboxCursor, to: OutboxCursor): Promise<void> {
    await inBoundedTransaction(this.pool, this.timeoutMs, async (client) => {
      // First, so the cursor's row lock queues any other writer before it touches a rollup.
      await this.moveCursor(client, from, to)
      await insertReadings(client, plan)
      for (const grain of ['minute', 'hour'] as const) {
        await upsertMetricCells(client, TABLES.metrics[grain], plan.metrics[grain])
        await upsertOeeCells(client, TABLES.machines[grain], plan.machines[grain], true)
        await upsertOeeCells(client, TABLES.plant[grain], plan.plant[grain], false)
      }
      await saveClocks(client, plan.clocks)
    })
  }

  private async moveCursor(client: PoolClient, from: OutboxCursor, to: OutboxCursor) {
    if (!(await moveFollowerCursor(client, this.cursorName, from, to)))
      throw new SeriesFencedError()
  }
}

async function insertReadings(client: PoolClient, plan: SeriesPlan): Promise<void> {
  const p = READINGS.placeholders
  if (plan.readings.length > 0)
    await client.query(
      `INSERT INTO series_readings (machine_id, metric, at, value)
       SELECT m, k, ms_to_ts(a), v
         FROM unnest(${p.machineIds}::text[], ${p.metrics}::text[], ${p.ats}::float8[], ${p.values}::float8[])
           AS u(m, k, a, v)`,
      READINGS.values({
        machineIds: textArray(plan.readings.map((r) => r.machineId)),
        metrics: textArray(plan.readings.map((r) => r.metric)),
        ats: numberArray(plan.readings.map((r) => r.at)),
        values: numberArray(plan.readings.map((r) => r.value)),
      }),
    )
  const n = NAMES.placeholders
  if (plan.metricNames.length > 0)
    await client.query(
      `INSERT INTO series_metric_names (machine_id, metric)
       SELECT * FROM unnest(${n.machineIds}::text[], ${n.metrics}::text[])
       ON CONFLICT DO NOTHING`,
      NAMES.values({
        machineIds: textArray(plan.metricNames.map((r) => r.machineId)),
        metrics: textArray(plan.metricNames.map((r) => r.metric)),
      }),
    )
}

async function upsertMetricCells(client: PoolClient, table: string, cells: MetricCell[]) {
  if (cells.length === 0) return
  const p = METRIC_CELLS.placeholders
  await client.query(
    `INSERT INTO ${table} AS r (machine_id, metric, bucket, count, sum, min, max, last, last_at)
     SELECT m, k, ms_to_ts(b), n, s, lo, hi, l, ms_to_ts(la)
       FROM unnest(${p.machineIds}::text[], ${p.metrics}::text[], ${p.buckets}::float8[],
                   ${p.counts}::bigint[], ${p.sums}::float8[], ${p.mins}::float8[],
                   ${p.maxes}::float8[], ${p.lasts}::float8[], ${p.lastAts}::float8[])
         AS u(m, k, b, n, s, lo, hi, l, la)
     ON CONFLICT (machine_id, metric, bucket) DO UPDATE SET
       count = r.count + EXCLUDED.count,
       sum = r.sum + EXCLUDED.sum,
       min = least(r.min, EXCLUDED.min),
       max = greatest(r.max, EXCLUDED.max),
       last = CASE WHEN EXCLUDED.last_at >= r.last_at THEN EXCLUDED.last ELSE r.last END,
       last_at = greatest(r.last_at, EXCLUDED.last_at)`,
    METRIC_CELLS.values({
      machineIds: textArray(cells.map((c) => c.machineId)),
      metrics: textArray(cells.map((c) => c.metric)),
      buckets: numberArray(cells.map((c) => c.bucket)),
      counts: numberArray(cells.map((c) => c.count)),
      sums: numberArray(cells.map((c) => c.sum)),
      mins: numberArray(cells.map((c) => c.min)),
      maxes: numberArray(cells.map((c) => c.max)),
      lasts: numberArray(cells.map((c) => c.last)),
      lastAts: numberArray(cells.map((c) => c.lastAt)),
    }),
  )
}

/** Adds OEE inputs to a machine table (keyed by machine and bucket) or the plant's (by bucket). */
async function upsertOeeCells(
  client: PoolClient,
  table: string,
  cells: OeeCell[],
  perMachine: boolean,
) {
  if (cells.length === 0) return
  const p = OEE_CELLS.placeholders
  const key = perMachine ? 'machine_id, bucket' : 'bucket'
  await client.query(
    `INSERT INTO ${table} AS r (${key}, produced, scrapped, planned_ms, running_ms, ideal_ms)
     SELECT ${perMachine ? 'm, ' : ''}ms_to_ts(b), n, x, pl, ru, id
       FROM unnest(${p.machineIds}::text[], ${p.buckets}::float8[], ${p.produced}::bigint[],
                   ${p.scrapped}::bigint[], ${p.plannedMs}::bigint[], ${p.runningMs}::bigint[],
                   ${p.idealMs}::float8[])
         AS u(m, b, n, x, pl, ru, id)
     ON CONFLICT (${key}) DO UPDATE SET
       produced = r.produced + EXCLUDED.produced,
       scrapped = r.scrapped + EXCLUDED.scrapped,
       planned_ms = r.planned_ms + EXCLUDED.planned_ms,
       running_ms = r.running_ms + EXCLUDED.running_ms,
       ideal_ms = r.ideal_ms + EXCLUDED.ideal_ms`,
    OEE_CELLS.values({
      machineIds: textArray(cells.map((c) => c.machineId ?? '')),
      buckets: numberArray(cells.map((c) => c.bucket)),
      produced: numberArray(cells.map((c) => c.produced)),
      scrapped: numberArray(cells.map((c) => c.scrapped)),
      plannedMs: numberArray(cells.map((c) => c.plannedMs)),
      runningMs: numberArray(cells.map((c) => c.runningMs)),
      idealMs: numberArray(cells.map((c) => c.idealMs)),
    }),
  )
}

async function saveClocks(client: PoolClient, clocks: Map<string, MachineClock>) {
  if (clocks.size === 0) return
  const p = CLOCKS.placeholders
  const entries = [...clocks]
  await client.query(
    `INSERT INTO series_machine_clock AS c (machine_id, state, since)
     SELECT m, s, ms_to_ts(t)
       FROM unnest(${p.machineIds}::text[], ${p.states}::text[], ${p.sinces}::float8[]) AS u(m, s, t)
     ON CONFLICT (machine_id) DO UPDATE SET state = EXCLUDED.state, since = EXCLUDED.since`,
    CLOCKS.values({
      machineIds: textArray(entries.map(([id]) => id)),
      states: textArray(entries.map(([, c]) => c.state)),
      sinces: numberArray(entries.map(([, c]) => c.since)),
    }),
  )
}
