import type { Pool, PoolClient } from 'pg'
import { namedParams } from '../journal/named-params.js'
import { inBoundedTransaction } from '../series/bounded-transaction.js'
import type { MetricSeries, OeeSeries, SeriesRange, SeriesReads } from './ports.js'

const METRIC_TABLES = { minute: 'series_metric_minutes', hour: 'series_metric_hours' } as const
const MACHINE_TABLES = { minute: 'series_machine_minutes', hour: 'series_machine_hours' } as const
const PLANT_TABLES = { minute: 'series_plant_minutes', hour: 'series_plant_hours' } as const

type MetricRow = {
  metric: string
  t: number
  count: number
  avg: number
  min: number
  max: number
  last: number
}

type OeeRow = {
  t: number
  produced: number
  scrapped: number
  planned: number
  running: number
  ideal: number
}

const TELEMETRY = namedParams('machineId', 'metrics', 'from', 'to', 'bucketMs')
const MACHINE_OEE = namedParams('machineId', 'from', 'to', 'bucketMs')
const PLANT_OEE = namedParams('from', 'to', 'bucketMs')

/**
 * The rollups re-aggregated into the asked bucket: avg = Σsum / Σcount, min of min, max of max,
 * last by time. Under a minute, the raw readings themselves.
 */
function telemetrySql(source: SeriesRange['source']): string {
  const p = TELEMETRY.placeholders
  const bucketOf = (column: string) =>
    `(ts_to_ms(${column}) / ${p.bucketMs}::bigint) * ${p.bucketMs}::bigint`
  const metricIn = `metric = ANY(coalesce(${p.metrics}::text[],
      ARRAY(SELECT metric FROM series_metric_names WHERE machine_id = ${p.machineId})))`
  if (source === 'raw')
    return `SELECT metric, ${bucketOf('at')} AS t, count(*)::float8 AS count, avg(value) AS avg,
                   min(value) AS min, max(value) AS max,
                   (array_agg(value ORDER BY at DESC))[1] AS last
              FROM series_readings
             WHERE machine_id = ${p.machineId} AND ${metricIn}
               AND at >= ms_to_ts(${p.from}) AND at < ms_to_ts(${p.to})
             GROUP BY metric, t ORDER BY metric, t`
  return `SELECT metric, ${bucketOf('bucket')} AS t, sum(count)::float8 AS count,
                 sum(sum) / sum(count) AS avg, min(min) AS min, max(max) AS max,
                 (array_agg(last ORDER BY last_at DESC))[1] AS last
            FROM ${METRIC_TABLES[source]}
           WHERE machine_id = ${p.machineId} AND ${metricIn}
             AND bucket >= ms_to_ts(${p.from}) AND bucket < ms_to_ts(${p.to})
           GROUP BY metric, t ORDER BY metric, t`
}

/** OEE inputs summed into the asked bucket, from a machine's rows (`machine` given) or the plant's. */
function oeeSql(
  table: string,
  p: Readonly<Record<'from' | 'to' | 'bucketMs', string>>,
  machine?: string,
): string {
  return `SELECT (ts_to_ms(bucket) / ${p.bucketMs}::bigint) * ${p.bucketMs}::bigint AS t,
                 sum(produced)::float8 AS produced, sum(scrapped)::float8 AS scrapped,
                 sum(planned_ms)::float8 AS planned, sum(running_ms)::float8 AS running,
                 sum(ideal_ms) AS ideal
            FROM ${table}
           WHERE ${machine ? `machine_id = ${machine} AND` : ''}
                 bucket >= ms_to_ts(${p.from}) AND bucket < ms_to_ts(${p.to})
           GROUP BY t ORDER BY t`
}

/** Read side of the series tables. Every read has a deadline of `timeoutMs`. */
export class SeriesQueries implements SeriesReads {
  constructor(
    private readonly pool: Pool,
    private readonly timeoutMs = 5000,
  ) {}

  telemetry(
    machineId: string,
    metrics: readonly string[] | undefined,
    range: SeriesRange,
  ): Promise<Record<string, MetricSeries> | undefined> {
    return this.read(async (client) => {
      if (!(await machineExists(client, machineId))) return undefined
      const { rows } = await client.query<MetricRow>(
        telemetrySql(range.source),
        TELEMETRY.values({
          machineId,
          metrics: metrics ?? null,
          from: range.from,
          to: range.to,
          bucketMs: range.bucketMs,
        }),
      )
      const series: Record<string, MetricSeries> = {}
      for (const name of metrics ?? []) series[name] = emptyMetricSeries()
      for (const r of rows) {
        const s = (series[r.metric] ??= emptyMetricSeries())
        s.t.push(r.t)
        s.avg.push(r.avg)
        s.min.push(r.min)
        s.max.push(r.max)
        s.last.push(r.last)
        s.count.push(r.count)
      }
      return series
    })
  }

  machineOee(machineId: string, range: SeriesRange): Promise<OeeSeries | undefined> {
    return this.read(async (client) => {
      if (!(await machineExists(client, machineId))) return undefined
      const { rows } = await client.query<OeeRow>(
        oeeSql(
          MACHINE_TABLES[rollupOf(range)],
          MACHINE_OEE.placeholders,
          MACHINE_OEE.placeholders.machineId,
        ),
        MACHINE_OEE.values({ machineId, ...bucketsOf(range) }),
      )
      return oeeSeries(rows)
    })
  }

  plantOee(range: SeriesRange): Promise<OeeSeries> {
    return this.read(async (client) => {
      const { rows } = await client.query<OeeRow>(
        oeeSql(PLANT_TABLES[rollupOf(range)], PLANT_OEE.placeholders),
        PLANT_OEE.values(bucketsOf(range)),
      )
      return oeeSeries(rows)
    })
  }

  private read<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return inBoundedTransaction(this.pool, this.timeoutMs, work, 'read only')
  }
}

const bucketsOf = ({ from, to, bucketMs }: SeriesRange) => ({ from, to, bucketMs })

function oeeSeries(rows: OeeRow[]): OeeSeries {
  const out: OeeSeries = {
    t: [],
    produced: [],
    scrapped: [],
    plannedMs: [],
    runningMs: [],
    availability: [],
    performance: [],
    quality: [],
    oee: [],
  }
  for (const r of rows) {
    const f = oeeFactors(r)
    out.t.push(r.t)
    out.produced.push(r.produced)
    out.scrapped.push(r.scrapped)
    out.plannedMs.push(r.planned)
    out.runningMs.push(r.running)
    out.availability.push(f.availability)
    out.performance.push(f.performance)
    out.quality.push(f.quality)
    out.oee.push(f.oee)
  }
  return out
}

/** OEE series come from the rollups only; the route refuses a finer bucket. */
function rollupOf(range: SeriesRange): 'minute' | 'hour' {
  if (range.source === 'raw') throw new Error('OEE series need a bucket of whole minutes')
  return range.source
}

async function machineExists(client: PoolClient, machineId: string): Promise<boolean> {
  const r = await client.query('SELECT 1 FROM machine_state WHERE machine_id = $1', [machineId])
  return r.rowCount === 1
}

function emptyMetricSeries(): MetricSeries {
  return { t: [], avg: [], min: [], max: [], last: [], count: [] }
}

/**
 * A bucket's factors, as the live OEE has them: availability = running / planned, performance
 * = ideal / running, quality = good / produced; null without a basis.
 */
function oeeFactors(r: OeeRow) {
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
