import { TestPublisher } from '../../harness/mqtt-publisher'
import { ServiceProcess } from '../../harness/service-process'
import {
  createTestDatabase,
  queryOnce,
  services,
  uniqueName,
  waitFor,
} from '../../harness/services'
import type { MetricSeries, OeeSeries } from '../../src/read/ports'
import { planBatch, type SeriesEvent } from '../../src/series/plan'

const MIN = 60_000
const HOUR = 3_600_000
type Message = { topic: string; payload: string }
type Telemetry = {
  from: number
  to: number
  bucketMs: number
  series: Record<string, MetricSeries>
}
type OeeBody = OeeSeries & { from: number; to: number; bucketMs: number }

/** Messages of one machine under `prefix`. */
function machine(prefix: string, id: string) {
  const msg = (leaf: string, body: unknown): Message => ({
    topic: `${prefix}/machines/${id}/${leaf}`,
    payload: JSON.stringify(body),
  })
  return {
    status: (state: string, at: number) => msg('status', { state, at: new Date(at).toISOString() }),
    telemetry: (at: number, metrics: Record<string, number>) =>
      msg('telemetry', { at: new Date(at).toISOString(), metrics }),
    part: (at: number, damaged = false) =>
      msg('production', {
        timeOfProduction: new Date(at).toISOString(),
        order: 1,
        partId: 7,
        var5: damaged,
      }),
  }
}

const partInfo = (prefix: string): Message => ({
  topic: `${prefix}/parts/7/info`,
  payload: JSON.stringify({ defaultPrice: 10, timeToProduce: 30 }),
})

/** A service of its own: its database, topics and MQTT session. */
const serviceEnv = (databaseUrl: string, prefix: string) => ({
  DATABASE_URL: databaseUrl,
  MQTT_URL: services().mqttUrl,
  MQTT_TOPIC_PREFIX: prefix,
  MQTT_CLIENT_ID: uniqueName(`ms-${prefix}-`),
})

async function committedInputs(databaseUrl: string): Promise<number> {
  const [row] = await queryOnce<{ n: number }>(
    databaseUrl,
    'SELECT count(*)::int AS n FROM committed_inputs',
  )
  return row?.n ?? 0
}

/** Whether the follower's cursor stands at the last machine event it rolls up. */
async function caughtUp(databaseUrl: string): Promise<true | undefined> {
  const [row] = await queryOnce<{ done: boolean }>(
    databaseUrl,
    `SELECT coalesce((SELECT (tx_id, position) FROM relay_offsets WHERE relay = 'series') =
              (SELECT (tx_id, position) FROM event_log
                WHERE type IN ('MachineMetricsRecorded', 'PartProduced', 'MachineStateChanged')
                ORDER BY tx_id DESC, position DESC LIMIT 1), false) AS done`,
  )
  return row?.done ? true : undefined
}

/** Publishes in order, waiting for each group's commit (so the part info precedes the parts). */
async function publishCommitted(
  publisher: TestPublisher,
  databaseUrl: string,
  groups: Message[][],
): Promise<void> {
  let published = await committedInputs(databaseUrl)
  for (const group of groups) {
    await publisher.publishAll(group)
    published += group.length
    const target = published
    await waitFor('inputs committed', async () =>
      (await committedInputs(databaseUrl)) >= target ? true : undefined,
    )
  }
  await waitFor('series caught up', () => caughtUp(databaseUrl), 60_000, 100)
}

/** The oee series' columns, bucket by bucket. */
const rowsOf = (s: OeeSeries) =>
  s.t.map((t, i) => ({
    t,
    produced: s.produced[i],
    scrapped: s.scrapped[i],
    plannedMs: s.plannedMs[i],
    runningMs: s.runningMs[i],
    availability: s.availability[i],
    performance: s.performance[i],
    quality: s.quality[i],
    oee: s.oee[i],
  }))

describe('time series for charts', () => {
  const prefix = uniqueName('series')
  // Two hours ago, on an hour edge: inside every default retention, and a whole hour to itself.
  const T0 = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR
  let databaseUrl: string
  let service: ServiceProcess
  let publisher: TestPublisher
  const env = () => serviceEnv(databaseUrl, prefix)

  beforeAll(async () => {
    databaseUrl = await createTestDatabase()
    service = await ServiceProcess.start(env())
    publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
    const a = machine(prefix, 'press-1')
    const b = machine(prefix, 'press-2')
    await publishCommitted(publisher, databaseUrl, [
      [partInfo(prefix)],
      [
        a.status('running', T0),
        a.telemetry(T0 + 10_000, { temp: 10 }),
        a.part(T0 + 15_000),
        a.telemetry(T0 + 30_000, { rpm: 1000 }),
        a.part(T0 + 45_000, true),
        a.telemetry(T0 + MIN - 1, { temp: 20 }),
        // Exactly on the edge: the bucket that starts there.
        a.telemetry(T0 + MIN, { temp: 30 }),
        a.part(T0 + 75_000),
        a.telemetry(T0 + 90_000, { temp: 40 }),
        a.status('idle', T0 + 2 * MIN),
        a.telemetry(T0 + 3 * MIN, { rpm: 1100 }),
        b.status('running', T0),
        b.part(T0 + 20_000),
        b.status('idle', T0 + MIN),
      ],
    ])
  })

  afterAll(async () => {
    await publisher?.close()
    await service?.kill('SIGTERM')
  })

  const get = <T>(path: string) => service.get<T>(`/api/v1${path}`)
  const range = (bucket: string, from = T0, to = T0 + HOUR) =>
    `from=${from}&to=${to}&bucket=${bucket}`

  it('gives avg, min, max, last and count per minute; a reading on an edge starts its bucket', async () => {
    const { status, body } = await get<Telemetry>(
      `/machines/press-1/telemetry?metric=temp&${range('1m')}`,
    )
    expect(status).toBe(200)
    expect(body).toMatchObject({ from: T0, to: T0 + HOUR, bucketMs: MIN })
    expect(body.series).toEqual({
      temp: {
        t: [T0, T0 + MIN],
        avg: [15, 35],
        min: [10, 30],
        max: [20, 40],
        last: [20, 40],
        count: [2, 2],
      },
    })
  })

  it('reads under a minute from the raw readings, and every metric when none is named', async () => {
    const raw = await get<Telemetry>(`/machines/press-1/telemetry?metric=temp&${range('30s')}`)
    expect(raw.body.series.temp?.t).toEqual([T0, T0 + 30_000, T0 + MIN, T0 + 90_000])
    expect(raw.body.series.temp?.last).toEqual([10, 20, 30, 40])
    const all = await get<Telemetry>(`/machines/press-1/telemetry?${range('1h')}`)
    expect(Object.keys(all.body.series).sort()).toEqual(['rpm', 'temp'])
    expect(all.body.series.rpm).toEqual({
      t: [T0],
      avg: [1050],
      min: [1000],
      max: [1100],
      last: [1100],
      count: [2],
    })
  })

  it('gives a machine’s OEE factors per bucket', async () => {
    const { status, body } = await get<OeeBody>(`/machines/press-1/oee/series?${range('1m')}`)
    expect(status).toBe(200)
    expect(rowsOf(body)).toEqual([
      {
        t: T0,
        produced: 2,
        scrapped: 1,
        plannedMs: MIN,
        runningMs: MIN,
        availability: 1,
        performance: 1,
        quality: 0.5,
        oee: 0.5,
      },
      {
        t: T0 + MIN,
        produced: 1,
        scrapped: 0,
        plannedMs: MIN,
        runningMs: MIN,
        availability: 1,
        performance: 0.5,
        quality: 1,
        oee: 0.5,
      },
      // Idle until the last reading: planned, not running.
      {
        t: T0 + 2 * MIN,
        produced: 0,
        scrapped: 0,
        plannedMs: MIN,
        runningMs: 0,
        availability: 0,
        performance: null,
        quality: null,
        oee: null,
      },
    ])
  })

  it('agrees between the hour rollup and the minute rollup summed', async () => {
    const hour = (await get<OeeBody>(`/machines/press-1/oee/series?${range('1h')}`)).body
    const minutes = (await get<OeeBody>(`/machines/press-1/oee/series?${range('1m')}`)).body
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
    expect(hour.t).toEqual([T0])
    expect({
      produced: hour.produced[0],
      scrapped: hour.scrapped[0],
      plannedMs: hour.plannedMs[0],
      runningMs: hour.runningMs[0],
    }).toEqual({
      produced: sum(minutes.produced),
      scrapped: sum(minutes.scrapped),
      plannedMs: sum(minutes.plannedMs),
      runningMs: sum(minutes.runningMs),
    })
    const temp = (await get<Telemetry>(`/machines/press-1/telemetry?metric=temp&${range('1h')}`))
      .body.series.temp
    expect(temp).toEqual({ t: [T0], avg: [25], min: [10], max: [40], last: [40], count: [4] })
  })

  it('sums the plant over every machine', async () => {
    const plant = (await get<OeeBody>(`/plant/series?${range('1m')}`)).body
    const first = rowsOf(plant)[0]
    expect(first).toEqual({
      t: T0,
      produced: 3,
      scrapped: 1,
      plannedMs: 2 * MIN,
      runningMs: 2 * MIN,
      availability: 1,
      performance: 0.75,
      quality: 0.666667,
      oee: 0.5,
    })
    const hour = (await get<OeeBody>(`/plant/series?${range('1h')}`)).body
    expect(hour.produced).toEqual([4])
  })

  it('answers 400 for a bad range or bucket and 404 for an unknown machine', async () => {
    const status = async (path: string) => (await get<unknown>(path)).status
    expect(await status(`/machines/press-1/oee/series?${range('30s')}`)).toBe(400)
    expect(await status(`/plant/series?${range('10s')}`)).toBe(400)
    expect(await status(`/plant/series?from=${T0}&to=${T0}`)).toBe(400)
    expect(await status(`/plant/series?${range('1m', 0, 20_001 * MIN)}`)).toBe(400)
    expect(await status(`/plant/series?${range('5x')}`)).toBe(400)
    expect(await status(`/machines/press-1/telemetry?metric=a,,b`)).toBe(400)
    expect(await status(`/machines/nobody/telemetry?${range('1m')}`)).toBe(404)
    expect(await status(`/machines/nobody/oee/series?${range('1m')}`)).toBe(404)
  })

  it('deletes rows past their retention, and stops serving them', async () => {
    await service.kill('SIGTERM')
    service = await ServiceProcess.start({
      ...env(),
      SERIES_RAW_RETENTION: '1h',
      SERIES_MINUTE_RETENTION: '1h',
      SERIES_SWEEP_INTERVAL: '1s',
    })
    const recent = Date.now() - 5000
    await publishCommitted(publisher, databaseUrl, [
      [machine(prefix, 'press-1').telemetry(recent, { temp: 99 })],
    ])
    await waitFor('old raw and minute rows swept', async () => {
      const [row] = await queryOnce<{ raw: number; minutes: number }>(
        databaseUrl,
        `SELECT (SELECT count(*)::int FROM series_readings WHERE at < now() - interval '1 hour') AS raw,
                (SELECT count(*)::int FROM series_machine_minutes WHERE bucket < now() - interval '1 hour')
                + (SELECT count(*)::int FROM series_metric_minutes WHERE bucket < now() - interval '1 hour')
                + (SELECT count(*)::int FROM series_plant_minutes WHERE bucket < now() - interval '1 hour')
                  AS minutes`,
      )
      return row?.raw === 0 && row.minutes === 0 ? true : undefined
    })
    const minutes = await get<Telemetry>(`/machines/press-1/telemetry?metric=temp&${range('1m')}`)
    expect(minutes.body.series.temp?.t).toEqual([])
    const raw = await get<Telemetry>(`/machines/press-1/telemetry?metric=temp&${range('30s')}`)
    expect(raw.body.series.temp?.t).toEqual([])
    // The hour rollup keeps them, and the recent reading is still there at every grain.
    const hour = await get<Telemetry>(`/machines/press-1/telemetry?metric=temp&${range('1h')}`)
    expect(hour.body.series.temp?.count).toEqual([4])
    const now = await get<Telemetry>(
      `/machines/press-1/telemetry?metric=temp&from=${recent - MIN}&to=${recent + 1}&bucket=10s`,
    )
    expect(now.body.series.temp?.last).toEqual([99])
  })
})

describe('the service is killed with SIGKILL while the series follower works', () => {
  it('ends with rollups equal to a recomputation from the log: nothing counted twice', async () => {
    const databaseUrl = await createTestDatabase()
    const prefix = uniqueName('series-kill')
    const service = await ServiceProcess.start({
      ...serviceEnv(databaseUrl, prefix),
      // Small batches, so the kill lands between (and in) many series transactions.
      SERIES_BATCH: '100',
    })
    const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
    const start = Math.floor(Date.now() / MIN) * MIN - 90 * MIN
    const states = ['running', 'idle', 'running', 'down', 'running', 'maintenance']
    const messages: Message[] = []
    for (let i = 0; i < 600; i++) {
      for (let m = 0; m < 10; m++) {
        const at = start + i * 7_000 + m * 300
        const one = machine(prefix, `m${m}`)
        messages.push(one.telemetry(at, { temp: 20 + ((i * 7 + m) % 13), rpm: 1000 + i }))
        messages.push(one.part(at + 100, (i + m) % 9 === 0))
        if (i % 25 === 0)
          messages.push(one.status(states[(i / 25) % states.length] as string, at + 200))
      }
    }
    const rolledUp = async () =>
      (
        await queryOnce<{ n: number }>(
          databaseUrl,
          'SELECT coalesce(sum(count), 0)::int AS n FROM series_metric_minutes',
        )
      )[0]?.n ?? 0
    try {
      await publisher.publishAll([partInfo(prefix)])
      await waitFor('part info', async () =>
        (await committedInputs(databaseUrl)) >= 1 ? true : undefined,
      )
      const first = publisher.publishAll(messages.slice(0, 8000))
      await waitFor(
        'some readings rolled up',
        async () => ((await rolledUp()) >= 2000 ? true : undefined),
        60_000,
        20,
      )
      await service.kill('SIGKILL')
      await first
      await publisher.publishAll(messages.slice(8000))
      await service.restart()
      await waitFor(
        'every input committed',
        async () =>
          (await committedInputs(databaseUrl)) >= messages.length + 1 ? true : undefined,
        120_000,
      )
      await waitFor('series caught up', () => caughtUp(databaseUrl), 120_000, 100)

      // Raw readings: one per reading in the log.
      const [counts] = await queryOnce<{
        log: number
        raw: number
        minutes: number
        hours: number
      }>(
        databaseUrl,
        `SELECT (SELECT coalesce(sum((SELECT count(*) FROM json_object_keys(payload->'metrics'))), 0)::int
                   FROM event_log WHERE type = 'MachineMetricsRecorded') AS log,
                (SELECT count(*)::int FROM series_readings) AS raw,
                (SELECT sum(count)::int FROM series_metric_minutes) AS minutes,
                (SELECT sum(count)::int FROM series_metric_hours) AS hours`,
      )
      expect(counts?.raw).toBe(counts?.log)
      expect(counts?.minutes).toBe(counts?.log)
      expect(counts?.hours).toBe(counts?.log)

      // Every metric rollup row equals the same aggregate over the raw readings.
      const mismatches = await queryOnce<{ n: number }>(
        databaseUrl,
        `WITH recomputed AS (
           SELECT machine_id, metric, date_trunc('minute', at) AS bucket, count(*) AS count,
                  sum(value) AS sum, min(value) AS min, max(value) AS max
             FROM series_readings GROUP BY 1, 2, 3)
         SELECT count(*)::int AS n FROM recomputed r
           FULL JOIN series_metric_minutes m USING (machine_id, metric, bucket)
          WHERE r.count IS DISTINCT FROM m.count OR abs(r.sum - m.sum) > 1e-6
             OR r.min IS DISTINCT FROM m.min OR r.max IS DISTINCT FROM m.max`,
      )
      expect(mismatches[0]?.n).toBe(0)

      // The OEE inputs equal a recomputation of the whole log in one batch.
      const events = await queryOnce<{
        type: SeriesEvent['type']
        payload: Record<string, unknown>
      }>(
        databaseUrl,
        `SELECT type, payload FROM event_log
          WHERE type IN ('MachineMetricsRecorded', 'PartProduced', 'MachineStateChanged')
          ORDER BY tx_id, position`,
      )
      const plan = planBatch(
        events.map(({ payload: p }) => toSeriesEvent(p)),
        () => undefined,
        { minute: Number.POSITIVE_INFINITY, hour: Number.POSITIVE_INFINITY },
      )
      const stored = await queryOnce<{
        machine_id: string
        bucket: number
        produced: number
        scrapped: number
        planned_ms: number
        running_ms: number
      }>(
        databaseUrl,
        `SELECT machine_id, (extract(epoch FROM bucket) * 1000)::float8 AS bucket, produced::int,
                scrapped::int, planned_ms::float8, running_ms::float8
           FROM series_machine_minutes ORDER BY machine_id, bucket`,
      )
      const expected = plan.machines.minute
        .map((c) => ({
          machine_id: c.machineId,
          bucket: c.bucket,
          produced: c.produced,
          scrapped: c.scrapped,
          planned_ms: c.plannedMs,
          running_ms: c.runningMs,
        }))
        .sort(
          (x, y) => (x.machine_id ?? '').localeCompare(y.machine_id ?? '') || x.bucket - y.bucket,
        )
      expect(stored).toEqual(expected)
      const [plant] = await queryOnce<{ produced: number; planned: number }>(
        databaseUrl,
        'SELECT sum(produced)::int AS produced, sum(planned_ms)::float8 AS planned FROM series_plant_hours',
      )
      expect(plant?.produced).toBe(6000)
      expect(plant?.planned).toBe(plan.plant.hour.reduce((a, c) => a + c.plannedMs, 0))
    } finally {
      await publisher.close()
      await service.kill('SIGTERM')
    }
  })
})

function toSeriesEvent(p: Record<string, unknown>): SeriesEvent {
  const machineId = p.machineId as string
  const at = p.occurredAt as number
  if (p.type === 'MachineMetricsRecorded')
    return {
      type: 'MachineMetricsRecorded',
      machineId,
      at,
      metrics: p.metrics as Record<string, number>,
    }
  if (p.type === 'PartProduced')
    return {
      type: 'PartProduced',
      machineId,
      at,
      damaged: p.damaged as boolean,
      idealMs: p.idealCycleSeconds === null ? null : (p.idealCycleSeconds as number) * 1000,
    }
  return { type: 'MachineStateChanged', machineId, at, state: p.state as 'running' }
}
