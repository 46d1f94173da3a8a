import type { MachineView } from '../../src/read/machine-queries'
import { TestPublisher } from '../../harness/mqtt-publisher'
import { ServiceProcess } from '../../harness/service-process'
import {
  createTestDatabase,
  queryOnce,
  services,
  uniqueName,
  waitFor,
} from '../../harness/services'
import { shift } from '../support/shift'

const KEY = 'plant-7-api-key'
const VIEWER_KEY = 'plant-7-viewer-key'

describe('the HTTP API against a real PostgreSQL', () => {
  let service: ServiceProcess
  let databaseUrl: string
  const prefix = uniqueName('api')

  beforeAll(async () => {
    databaseUrl = await createTestDatabase()
    service = await ServiceProcess.start({
      DATABASE_URL: databaseUrl,
      MQTT_URL: services().mqttUrl,
      MQTT_TOPIC_PREFIX: prefix,
      MQTT_CLIENT_ID: uniqueName('ms-api-'),
      // A plain key (every scope, named key-1) and a named one with `read` only.
      API_KEYS: `${KEY},viewer:read:${VIEWER_KEY}`,
      SCRAP_RATE_MIN_PARTS: '10',
    })
    const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
    const batches = shift(prefix)
    for (const batch of batches) await publisher.publishAll(batch)
    await publisher.close()
    await waitFor('the shift processed', async () => {
      const [row] = await queryOnce<{ n: number }>(
        databaseUrl,
        'SELECT count(*)::int AS n FROM committed_inputs',
      )
      return row?.n === batches.flat().length ? true : undefined
    })
  })
  afterAll(() => service.kill('SIGTERM'))

  const get = async (path: string) => {
    const res = await fetch(`${service.url}${path}`)
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      text: await res.text(),
    }
  }
  const lines = (text: string) =>
    text
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)

  it('streams production records with filters, and per machine by time range', async () => {
    const all = await get(`/api/v1/production?machineId=press-1`)
    expect(all.status).toBe(200)
    expect(lines(all.text)).toHaveLength(50)
    const damaged = lines((await get('/api/v1/production?partId=7&damaged=true')).text)
    expect(damaged).toHaveLength(7)
    expect(damaged.every((r) => r.damaged === true && r.partId === 7)).toBe(true)
    const first10min = await get(
      `/api/v1/machines/press-1/production?from=2024-03-01T08:00:00Z&to=2024-03-01T08:10:00Z`,
    )
    expect(lines(first10min.text)).toHaveLength(20)
    expect((await get('/api/v1/production?damaged=maybe')).status).toBe(400)
    expect((await get('/api/v1/production?from=tomorrow')).status).toBe(400)
  })

  it('computes OEE over a chosen window, and refuses a window longer than the configured one', async () => {
    const full = JSON.parse((await get('/api/v1/machines/press-1/oee')).text) as Record<
      string,
      number
    >
    const { body: machine } = await service.get<MachineView>('/api/v1/machines/press-1')
    expect(full.oee).toBe(machine.oee.oee)
    const last10 = JSON.parse(
      (await get('/api/v1/machines/press-1/oee?window=10m')).text,
    ) as Record<string, number>
    expect(last10.windowMs).toBe(600_000)
    expect(last10.availability).toBe(1)
    expect((await get('/api/v1/machines/press-1/oee?window=2d')).status).toBe(400)
    expect((await get('/api/v1/machines/press-1/oee?window=5h')).status).toBe(400)
    expect((await get('/api/v1/machines/nobody/oee')).status).toBe(404)
  })

  it('serves Swagger UI, the OpenAPI document, liveness, readiness and metrics', async () => {
    expect((await get('/api/v1/docs')).text).toMatch(/swagger/i)
    expect(JSON.parse((await get('/api/v1/openapi.json')).text)).toMatchObject({ openapi: '3.0.3' })
    expect((await get('/healthz')).status).toBe(200)
    const ready = await get('/readyz')
    expect(ready.status).toBe(200)
    expect(JSON.parse(ready.text)).toMatchObject({
      status: 'ok',
      checks: { postgres: { ok: true }, mqtt: { ok: true } },
    })
    const metrics = await get('/metrics')
    expect(metrics.text).toMatch(/^millstream_messages_processed_total\{outcome="applied"\} \d+/m)
    expect(metrics.text).toMatch(/^millstream_commit_duration_seconds_count\{store="events"\} \d+/m)
  })

  it('lists machines, parts, materials, dead letters and schemas, and answers bad ids and routes with problems', async () => {
    for (const path of [
      '/api/v1/machines',
      '/api/v1/parts',
      '/api/v1/materials',
      '/api/v1/dead-letters',
      '/api/v1/schemas',
    ]) {
      const res = await get(path)
      expect({ path, status: res.status }).toEqual({ path, status: 200 })
    }
    const count = async (q: string) =>
      (JSON.parse((await get(`/api/v1/machines?${q}`)).text) as { items: unknown[] }).items.length
    expect(await count('state=idle')).toBe(1)
    expect(await count('state=running')).toBe(0)
    expect(await count('alert=scrap-rate')).toBe(1)
    expect(await count('alert=silent')).toBe(0)
    expect((await get('/api/v1/machines?state=sleeping')).status).toBe(400)
    expect((await get('/api/v1/parts/seven')).status).toBe(400)
    expect((await get('/api/v1/parts/8')).status).toBe(404)
    expect((await get('/api/v1/materials/unobtainium')).status).toBe(404)
    expect((await get('/api/v1/machines?limit=5000')).status).toBe(400)
    const missing = await get('/api/v1/nowhere')
    expect(missing.status).toBe(404)
    expect(missing.type).toMatch(/problem\+json/)
  })

  it('takes a command only with a valid key and applies it through the machine’s stream', async () => {
    const post = (key?: string) =>
      fetch(`${service.url}/api/v1/machines/press-1/commands`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
        body: JSON.stringify({ type: 'reset-counters', requestedBy: 'test' }),
      })
    expect((await post()).status).toBe(401)
    expect((await post('wrong')).status).toBe(401)
    expect((await post(VIEWER_KEY)).status).toBe(403)
    const accepted = await post(KEY)
    expect(accepted.status).toBe(202)
    const machine = await waitFor('the reset', async () => {
      const { body } = await service.get<MachineView>('/api/v1/machines/press-1')
      return body.produced === 0 ? body : undefined
    })
    expect(machine.scrapped).toBe(0)
    const trail = await fetch(`${service.url}/api/v1/audit`, {
      headers: { authorization: `Bearer ${KEY}` },
    })
    expect(trail.status).toBe(200)
    const { items } = (await trail.json()) as {
      items: { key: string; action: string; target: string; outcome: string }[]
    }
    expect(items.map((r) => [r.key, r.action, r.target, r.outcome])).toEqual([
      ['viewer', 'machine-command', '/api/v1/machines/press-1/commands', 'FORBIDDEN'],
      ['key-1', 'machine-command', 'machine press-1: reset-counters', '202'],
    ])
  })

  it('updates parts and prices, ingests batches and publishes over HTTP, each applied by its actor', async () => {
    const send = (method: string, path: string, body: unknown) =>
      fetch(`${service.url}/api/v1${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: JSON.stringify(body),
      })
    expect(
      (
        await send('PUT', '/parts/8', {
          defaultPrice: 4.5,
          timeToProduce: 12,
          materials: ['steel'],
        })
      ).status,
    ).toBe(202)
    expect(
      (
        await send('POST', '/materials/steel/prices', {
          name: 'Steel S235',
          price: 3.5,
          date: '2024-03-02T00:00:00Z',
        })
      ).status,
    ).toBe(202)
    const ingest = [1, 2, 3].map((order) => ({
      topic: `${prefix}/machines/lathe-2/production`,
      payload: { timeOfProduction: '2024-03-01T09:00:00Z', order, partId: 8 },
    }))
    expect((await send('POST', '/ingest', ingest)).status).toBe(202)
    expect(
      (
        await send('POST', '/mqtt/publish', {
          topic: `${prefix}/machines/lathe-2/telemetry`,
          payload: { at: 1, metrics: { temp: 40 } },
        })
      ).status,
    ).toBe(202)
    expect((await send('PUT', '/parts/8', { defaultPrice: -1, timeToProduce: 12 })).status).toBe(
      400,
    )

    const part = await waitFor('part 8 with its output', async () => {
      const { status, body } = await service.get<{
        produced: number
        unitMaterialCost: number | null
        timeToProduce: number
      }>('/api/v1/parts/8')
      return status === 200 && body.produced === 3 ? body : undefined
    })
    expect(part.timeToProduce).toBe(12)
    expect(part.unitMaterialCost).toBe(3.5)
    const lathe = await waitFor('lathe-2', async () => {
      const { status, body } = await service.get<MachineView>('/api/v1/machines/lathe-2')
      return status === 200 && body.metrics.temp === 40 ? body : undefined
    })
    expect(lathe.lastOrder).toBe(3)
  })

  it('lists machines in natural order of their ids', async () => {
    const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
    await publisher.publishAll(
      ['press-10', 'press-9'].map((id) => ({
        topic: `${prefix}/machines/${id}/telemetry`,
        payload: JSON.stringify({ at: 1, metrics: { temp: 1 } }),
      })),
    )
    await publisher.close()
    const ids = await waitFor('both machines', async () => {
      const { body } = await service.get<{ items: MachineView[] }>('/api/v1/machines?limit=1000')
      const ids = body.items.map((m) => m.machineId).filter((id) => id.startsWith('press-'))
      return ids.length >= 3 ? ids : undefined
    })
    expect(ids).toEqual(['press-1', 'press-9', 'press-10'])
  })

  it("summarises the plant from the machines, and reports this instance's data path", async () => {
    const { body: page } = await service.get<{ items: MachineView[] }>(
      '/api/v1/machines?limit=1000',
    )
    const { status, body: plant } = await service.get<{
      machines: number
      byState: Record<string, number>
      oee: Record<string, number | null>
      produced: number
      scrapped: number
      alerts: { silent: number; scrapRate: number }
      lastHour: { produced: number; scrapped: number }
    }>('/api/v1/plant')
    expect(status).toBe(200)
    const machines = page.items
    expect(plant.machines).toBe(machines.length)
    expect(plant.produced).toBe(machines.reduce((n, m) => n + m.produced, 0))
    expect(plant.scrapped).toBe(machines.reduce((n, m) => n + m.scrapped, 0))
    expect(Object.values(plant.byState).reduce((a, b) => a + b, 0)).toBe(machines.length)
    expect(plant.alerts.scrapRate).toBe(machines.filter((m) => m.alerts.scrapRate).length)
    // The shift's parts were made in 2024 by their own clocks: none in the last hour.
    expect(plant.lastHour).toEqual({ produced: 0, scrapped: 0 })
    const withQuality = machines.filter((m) => m.oee.quality !== null)
    expect(plant.oee.quality).toBeCloseTo(
      withQuality.reduce((n, m) => n + (m.oee.quality ?? 0), 0) / withQuality.length,
      9,
    )

    const { body: pipeline } = await service.get<{
      inFlight: number
      commitLatencyMs: { p50: number; p99: number } | null
      relay: unknown
      series: { lagEvents: number } | null
      messagesProcessed: number
    }>('/api/v1/pipeline')
    expect(pipeline.inFlight).toBe(0)
    expect(pipeline.relay).toBeNull() // no Kafka here
    expect(pipeline.series?.lagEvents).toBeGreaterThanOrEqual(0) // the chart tables' follower runs
    expect(pipeline.messagesProcessed).toBeGreaterThan(0)
    expect(pipeline.commitLatencyMs?.p99).toBeGreaterThanOrEqual(pipeline.commitLatencyMs?.p50 ?? 0)
    expect(pipeline.commitLatencyMs?.p50).toBeGreaterThan(0)
  })
})
