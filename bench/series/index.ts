import pg from 'pg'
import { pino } from 'pino'
import { ServiceProcess } from '../../harness/service-process'
import { createTestDatabase, queryOnce, waitFor } from '../../harness/services'
import { createPool } from '../../src/journal/pool'
import { SeriesQueries } from '../../src/read/series-queries'
import { resolveRange } from '../../src/series/buckets'
import type { BenchServices } from '../lib/types'
import { filledSpan, fillRollups, insertEvents } from './fill'

export type SeriesOptions = {
  machines: number
  days: number
  requests: number
  /** Events committed at once for the follower to roll up. */
  events: number
}

/** p50 / p99 of one way of reading a series, in ms. */
export type Timing = { p50: number; p99: number; samples: number }

export type SeriesResult = {
  machines: number
  days: number
  rollupRows: number
  /** A week of one machine at 1m: telemetry and OEE, over HTTP and as the bare query. */
  telemetry: { http: Timing; sql: Timing; buckets: number; bytes: number }
  oee: { http: Timing; sql: Timing; buckets: number; bytes: number }
  follower: { events: number; seconds: number; perSecond: number }
}

/**
 * Series part: fills the rollups (machines × days of 1-minute rows for one metric, plus the OEE
 * minutes), times a week of one machine at 1m over HTTP and as the bare query, then commits a
 * burst of events and times the follower rolling them up.
 */
export async function measureSeries(
  services: BenchServices,
  o: SeriesOptions,
  log: (line: string) => void,
): Promise<SeriesResult> {
  const databaseUrl = await createTestDatabase()
  const service = await ServiceProcess.start({
    DATABASE_URL: databaseUrl,
    MQTT_URL: services.mqttUrl,
    MQTT_INGEST: 'false',
    LOG_LEVEL: 'warn',
  })
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const pool = createPool(databaseUrl, pino({ level: 'silent' }), 2)
  try {
    const span = filledSpan(o.days)
    log(`series: filling ${o.machines} machines × ${o.days} days of minute rollups`)
    await fillRollups(client, o.machines, span, log)
    const machine = `M-${Math.ceil(o.machines / 2)}`
    const query = `from=${span.from}&to=${span.to}&bucket=1m`
    const resolved = resolveRange({ from: span.from, to: span.to, bucketMs: 60_000 }, Date.now())
    if (!resolved.ok) throw new Error(resolved.problem)
    const reads = new SeriesQueries(pool)
    log(`series: ${o.requests} requests each, ${machine}, a week at 1m`)
    const measured = async (path: string, bare: () => Promise<unknown>) => {
      const http = await timeHttp(service, path, o)
      const sql = await time(bare, o.requests)
      return { http: http.timing, sql: sql.timing, buckets: http.buckets, bytes: http.bytes }
    }
    const telemetry = await measured(
      `/machines/${machine}/telemetry?metric=temperature&${query}`,
      () => reads.telemetry(machine, ['temperature'], resolved.range),
    )
    const oee = await measured(`/machines/${machine}/oee/series?${query}`, () =>
      reads.machineOee(machine, resolved.range),
    )
    log(`series: ${o.events} events committed at once for the follower`)
    const follower = await timeFollower(client, databaseUrl, o.events)
    const [rows] = await queryOnce<{ n: number }>(
      databaseUrl,
      `SELECT ((SELECT count(*) FROM series_metric_minutes) + (SELECT count(*) FROM series_machine_minutes))::float8 AS n`,
    )
    return {
      machines: o.machines,
      days: o.days,
      rollupRows: rows?.n ?? 0,
      telemetry,
      oee,
      follower,
    }
  } finally {
    await pool.end()
    await client.end()
    await service.kill('SIGTERM')
  }
}

async function timeHttp(service: ServiceProcess, path: string, o: SeriesOptions) {
  let buckets = 0
  let bytes = 0
  const { timing } = await time(async () => {
    const res = await fetch(`${service.url}/api/v1${path}`)
    const text = await res.text()
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text.slice(0, 200)}`)
    bytes = text.length
    const body = JSON.parse(text) as { t?: number[]; series?: Record<string, { t: number[] }> }
    buckets = (body.t ?? Object.values(body.series ?? {})[0]?.t ?? []).length
  }, o.requests)
  return { timing, buckets, bytes }
}

/** Runs `work` a few times to warm up, then `n` times one after another. */
async function time(work: () => Promise<unknown>, n: number): Promise<{ timing: Timing }> {
  for (let i = 0; i < 3; i++) await work()
  const ms: number[] = []
  for (let i = 0; i < n; i++) {
    const started = performance.now()
    await work()
    ms.push(performance.now() - started)
  }
  ms.sort((a, b) => a - b)
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)] ?? 0
  const round = (x: number) => Math.round(x * 10) / 10
  return { timing: { p50: round(at(0.5)), p99: round(at(0.99)), samples: ms.length } }
}

/** Commits `count` events in one statement and waits until the follower's cursor is past them. */
async function timeFollower(client: pg.Client, databaseUrl: string, count: number) {
  await insertEvents(client, count)
  const started = performance.now()
  await waitFor(
    'the follower caught up',
    async () => {
      const [row] = await queryOnce<{ done: boolean }>(
        databaseUrl,
        `SELECT coalesce((SELECT (tx_id, position) FROM relay_offsets WHERE relay = 'series') =
                  (SELECT (tx_id, position) FROM event_log ORDER BY tx_id DESC, position DESC LIMIT 1),
                false) AS done`,
      )
      return row?.done ? true : undefined
    },
    600_000,
    50,
  )
  const seconds = (performance.now() - started) / 1000
  return {
    events: count,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round(count / seconds),
  }
}
