import type { Pool } from 'pg'
import { namedParams } from '../journal/named-params.js'
import { inBoundedTransaction } from '../journal/transaction.js'
import type { JsonText, MetricSeries, OeeSeries, SeriesRange, SeriesReads } from './ports.js'

const METRIC_TABLES = { minute: 'series_metric_minutes', hour: 'series_metric_hours' } as const
const MACHINE_TABLES = { minute: 'series_machine_minutes', hour: 'series_machine_hours' } as const
const PLANT_TABLES = { minute: 'series_plant_minutes', hour: 'series_plant_hours' } as const

type OeeInputs = {
  produced: number
  scrapped: number
  planned: number
  running: number
  ideal: number
}

const TELEMETRY = namedParams('machineId', 'metrics', 'from', 'to', 'bucketMs')
const MACHINE_OEE = namedParams('machineId', 'from', 'to', 'bucketMs')
const PLANT_OEE = namedParams('from', 'to', 'bucketMs')

/** The metrics asked for, or every one the machine has reported. */
const metricsOf = (p: Readonly<Record<'metrics' | 'machineId', string>>) =>
  `coalesce(${p.metrics}::text[],
     ARRAY(SELECT metric FROM series_metric_names WHERE machine_id = ${p.machineId}))`

/** A timestamp as epoch ms; date_part is float8 (extract's numeric costs several times more). */
const epochMs = (column: string) => `round(date_part('epoch', ${column}) * 1000)`

const GRAIN_MS = { minute: 60_000, hour: 3_600_000 } as const

/** The start of the asked bucket that holds `column`, epoch ms (at a rollup's grain, its own). */
const bucketOf = (column: string, bucketMs: string) =>
  `floor(${epochMs(column)} / ${bucketMs}::float8) * ${bucketMs}::float8`

/**
 * The rollups re-aggregated into the asked bucket: avg = Σsum / Σcount, min of min, max of max,
 * last by time; a bucket of the rollup's own grain reads its rows as they are. Under a minute,
 * the raw readings themselves.
 */
function telemetrySql(range: SeriesRange): string {
  const p = TELEMETRY.placeholders
  const metricIn = `metric = ANY(${metricsOf(p)})`
  if (range.source === 'raw')
    return `SELECT metric, ${bucketOf('at', p.bucketMs)} AS t, count(*)::float8 AS count,
                   avg(value) AS avg, min(value) AS min, max(value) AS max,
                   (array_agg(value ORDER BY at DESC))[1] AS last
              FROM series_readings
             WHERE machine_id = ${p.machineId} AND ${metricIn}
               AND at >= ms_to_ts(${p.from}) AND at < ms_to_ts(${p.to})
             GROUP BY metric, t ORDER BY metric, t`
  const from = `FROM ${METRIC_TABLES[range.source]}
           WHERE machine_id = ${p.machineId} AND ${metricIn}
             AND bucket >= ms_to_ts(${p.from}) AND bucket < ms_to_ts(${p.to})`
  if (range.bucketMs === GRAIN_MS[range.source])
    return `SELECT metric, ${bucketOf('bucket', p.bucketMs)} AS t, count::float8 AS count,
                   sum / count AS avg, min, max, last
              ${from} ORDER BY metric, bucket`
  return `SELECT metric, ${bucketOf('bucket', p.bucketMs)} AS t, sum(count)::float8 AS count,
                 sum(sum) / sum(count) AS avg, min(min) AS min, max(max) AS max,
                 (array_agg(last ORDER BY last_at DESC))[1] AS last
            ${from}
           GROUP BY metric, t ORDER BY metric, t`
}

/** OEE inputs summed into the asked bucket, from a machine's rows (`machine` given) or the plant's. */
function oeeSql(
  table: string,
  range: SeriesRange,
  p: Readonly<Record<'from' | 'to' | 'bucketMs', string>>,
  machine?: string,
): string {
  const from = `FROM ${table}
           WHERE ${machine ? `machine_id = ${machine} AND` : ''}
                 bucket >= ms_to_ts(${p.from}) AND bucket < ms_to_ts(${p.to})`
  if (range.source !== 'raw' && range.bucketMs === GRAIN_MS[range.source])
    return `SELECT ${bucketOf('bucket', p.bucketMs)} AS t, produced::float8 AS produced,
                   scrapped::float8 AS scrapped, planned_ms::float8 AS planned,
                   running_ms::float8 AS running, ideal_ms AS ideal
              ${from} ORDER BY bucket`
  return `SELECT ${bucketOf('bucket', p.bucketMs)} AS t,
                 sum(produced)::float8 AS produced, sum(scrapped)::float8 AS scrapped,
                 sum(planned_ms)::float8 AS planned, sum(running_ms)::float8 AS running,
                 sum(ideal_ms) AS ideal
            ${from}
           GROUP BY t ORDER BY t`
}

/**
 * Columns of `rows` as JSON arrays in bucket order, built by the server: one JSON text per
 * series parses several times faster in Node than ten thousand rows of numbers. The rows come
 * sorted from their subquery and aggregates take their input in that order; an `ORDER BY`
 * inside each aggregate would sort the same rows again once per column (PostgreSQL 15), which
 * cost a week at 1m nearly half its time.
 */
const columnsOf = (columns: readonly string[]) =>
  `json_build_object(${columns.map((c) => `'${c}', json_agg(${c})`).join(', ')})`

const METRIC_COLUMNS = ['t', 'avg', 'min', 'max', 'last', 'count'] as const
const EMPTY_METRIC = JSON.stringify(Object.fromEntries(METRIC_COLUMNS.map((c) => [c, []])))
const OEE_COLUMNS = ['t', 'produced', 'scrapped', 'planned', 'running', 'ideal'] as const
type OeeColumns = Record<(typeof OEE_COLUMNS)[number], number[]>

/** Whether the machine exists, beside the statement's JSON, in one round trip. */
const withMachine = (machineId: string, json: string) =>
  `SELECT EXISTS (SELECT 1 FROM machine_state WHERE machine_id = ${machineId}) AS known,
          (${json}) AS series`

/** Read side of the series tables. Every read has a deadline of `timeoutMs`. */
export class SeriesQueries implements SeriesReads {
  constructor(
    private readonly pool: Pool,
    private readonly timeoutMs = 5000,
  ) {}

  async telemetry(
    machineId: string,
    metrics: readonly string[] | undefined,
    range: SeriesRange,
  ): Promise<JsonText<Record<string, MetricSeries>> | undefined> {
    const p = TELEMETRY.placeholders
    // Every metric asked for (or the machine has) gets a series, empty when it has no buckets.
    const json = `SELECT coalesce(json_object_agg(n.metric, coalesce(m.s, '${EMPTY_METRIC}'::json)), '{}')::text
        FROM unnest(${metricsOf(p)}) AS n(metric)
        LEFT JOIN (SELECT metric, ${columnsOf(METRIC_COLUMNS)} AS s FROM (${telemetrySql(range)}) r
                    GROUP BY metric) m USING (metric)`
    const row = await this.one<JsonText<Record<string, MetricSeries>>>(
      withMachine(p.machineId, json),
      TELEMETRY.values({ machineId, metrics: metrics ?? null, ...bucketsOf(range) }),
    )
    return row.known ? row.series : undefined
  }

  async machineOee(machineId: string, range: SeriesRange): Promise<OeeSeries | undefined> {
    const p = MACHINE_OEE.placeholders
    const inner = oeeSql(MACHINE_TABLES[rollupOf(range)], range, p, p.machineId)
    const row = await this.one<OeeColumns | null>(
      withMachine(p.machineId, `SELECT ${columnsOf(OEE_COLUMNS)} FROM (${inner}) r`),
      MACHINE_OEE.values({ machineId, ...bucketsOf(range) }),
    )
    return row.known ? oeeSeries(row.series) : undefined
  }

  async plantOee(range: SeriesRange): Promise<OeeSeries> {
    const inner = oeeSql(PLANT_TABLES[rollupOf(range)], range, PLANT_OEE.placeholders)
    const row = await this.one<OeeColumns | null>(
      `SELECT true AS known, (SELECT ${columnsOf(OEE_COLUMNS)} FROM (${inner}) r) AS series`,
      PLANT_OEE.values(bucketsOf(range)),
    )
    return oeeSeries(row.series)
  }

  private async one<T>(sql: string, values: unknown[]): Promise<{ known: boolean; series: T }> {
    const r = await inBoundedTransaction(
      this.pool,
      this.timeoutMs,
      (client) => client.query<{ known: boolean; series: T }>(sql, values),
      'read only',
    )
    return r.rows[0] as { known: boolean; series: T }
  }
}

const bucketsOf = ({ from, to, bucketMs }: SeriesRange) => ({ from, to, bucketMs })

/** The OEE columns with each bucket's factors; json_agg of no rows is null. */
function oeeSeries(c: OeeColumns | null): OeeSeries {
  const t = c?.t ?? []
  const factors = t.map((_, i) =>
    oeeFactors({
      planned: c?.planned[i] ?? 0,
      running: c?.running[i] ?? 0,
      produced: c?.produced[i] ?? 0,
      scrapped: c?.scrapped[i] ?? 0,
      ideal: c?.ideal[i] ?? 0,
    }),
  )
  return {
    t,
    produced: c?.produced ?? [],
    scrapped: c?.scrapped ?? [],
    plannedMs: c?.planned ?? [],
    runningMs: c?.running ?? [],
    availability: factors.map((f) => f.availability),
    performance: factors.map((f) => f.performance),
    quality: factors.map((f) => f.quality),
    oee: factors.map((f) => f.oee),
  }
}

/** OEE series come from the rollups only; the route refuses a finer bucket. */
function rollupOf(range: SeriesRange): 'minute' | 'hour' {
  if (range.source === 'raw') throw new Error('OEE series need a bucket of whole minutes')
  return range.source
}

/**
 * A bucket's factors, as the live OEE has them: availability = running / planned, performance
 * = ideal / running, quality = good / produced; null without a basis.
 */
function oeeFactors(r: OeeInputs) {
  const availability = r.planned > 0 ? r.running / r.planned : null
  const performance = r.running > 0 && r.ideal > 0 ? r.ideal / r.running : null
  const quality = r.produced > 0 ? (r.produced - r.scrapped) / r.produced : null
  const oee =
    availability !== null && performance !== null && quality !== null
      ? availability * performance * quality
      : null
  return {
    availability: round6(availability),
    performance: round6(performance),
    quality: round6(quality),
    oee: round6(oee),
  }
}

const round6 = (x: number | null) => (x === null ? null : Math.round(x * 1e6) / 1e6)
