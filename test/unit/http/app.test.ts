import { createHash } from 'node:crypto'
import { RateLimiter } from '../../../src/http/rate-limit'
import { createHttpApp } from '../../../src/http/app'
import type { MachineQueries, MachineView } from '../../../src/read/machine-queries'
import { apiKeysOf, httpDeps } from '../../support/http-deps'
import { serve } from '../../support/http'

const machine: MachineView = {
  machineId: '7',
  state: 'unknown',
  stateSince: null,
  lastSeenAt: '2023-12-10T00:00:01.000Z',
  produced: 3,
  scrapped: 1,
  lastOrder: 5,
  lastPartId: 4,
  lastProducedAt: '2023-12-10T00:00:00.000Z',
  metrics: { temp: 21 },
  metricsAt: '2023-12-10T00:00:00.000Z',
  oee: { availability: 1, performance: 0.5, quality: 0.6667, oee: 0.3333 },
  alerts: { silent: false, scrapRate: true },
  alarms: [],
  sequence: 3,
}

const queries = {
  get: (id: string) => Promise.resolve(id === '7' ? machine : undefined),
  list: () => Promise.resolve([machine]),
} as unknown as MachineQueries

describe('HTTP API (pure routing, fake queries)', () => {
  let server: Awaited<ReturnType<typeof serve>>
  const published: { topic: string; payload: string }[] = []
  beforeAll(async () => {
    const app = createHttpApp(
      httpDeps({
        bus: {
          publish: (topic, payload) =>
            Promise.resolve(void published.push({ topic, payload: String(payload) })),
        },
        apiKeys: apiKeysOf(
          's3cret',
          `sha256:${createHash('sha256').update('other-key').digest('hex')}`,
        ),
        ingestLimit: new RateLimiter(10, 10),
        machines: queries,
      }),
    )
    server = await serve(app)
  })
  afterAll(() => server.close())

  it('answers a known machine with its state', async () => {
    const res = await fetch(`${server.url}/api/v1/machines/7`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual(machine)
  })

  it('answers an unknown machine with a 404 problem', async () => {
    const res = await fetch(`${server.url}/api/v1/machines/8`)
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/)
    expect(await res.json()).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      detail: 'machine 8 not found',
    })
  })

  it('rejects a bad query with a 400 problem naming the parameter', async () => {
    const res = await fetch(`${server.url}/api/v1/machines?limit=0&colour=red`)
    expect(res.status).toBe(400)
    const body = (await res.json()) as { detail: string }
    expect(body.detail).toMatch(/query.limit/)
    expect(body.detail).toMatch(/colour/)
  })

  it('serves Prometheus metrics, HTTP latency by route among them', async () => {
    await fetch(`${server.url}/api/v1/machines/7`)
    const res = await fetch(`${server.url}/metrics`)
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).toMatch(
      /millstream_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/machines\/:machineId",status="200"\} \d+/,
    )
    expect(text).toMatch(/millstream_process_resident_memory_bytes/)
  })

  describe('commands', () => {
    const post = (path: string, body: unknown, key?: string, method = 'POST') =>
      fetch(`${server.url}/api/v1${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      })

    it('need an API key: 401 without one or with an unknown one', async () => {
      const none = await post('/machines/7/commands', { type: 'reset-counters' })
      expect(none.status).toBe(401)
      expect(none.headers.get('www-authenticate')).toBe('Bearer')
      const unknown = await post('/machines/7/commands', { type: 'reset-counters' }, 'guess')
      expect(unknown.status).toBe(401)
      expect(unknown.headers.get('www-authenticate')).toBe('Bearer')
    })

    it('publish an accepted command to the machine’s topic, with a key given in clear or hashed', async () => {
      published.length = 0
      const res = await post(
        '/machines/7/commands',
        { type: 'maintenance-start', requestedBy: 'ana' },
        's3cret',
      )
      expect(res.status).toBe(202)
      const body = (await res.json()) as { messageId: string; topic: string }
      expect(body.topic).toBe('factory/machines/7/commands')
      expect(JSON.parse(published[0]?.payload ?? '{}')).toEqual({
        type: 'maintenance-start',
        requestedBy: 'ana',
        messageId: body.messageId,
      })
      expect(
        (await post('/parts/4', { defaultPrice: 2, timeToProduce: 30 }, 'other-key', 'PUT')).status,
      ).toBe(202)
      expect(published[1]?.topic).toBe('factory/parts/4/info')
    })

    it('reject unknown fields, bad values and broken JSON with a 400 problem', async () => {
      const unknown = await post(
        '/machines/7/commands',
        { type: 'reset-counters', colour: 'red' },
        's3cret',
      )
      expect(unknown.status).toBe(400)
      expect(((await unknown.json()) as { detail: string }).detail).toMatch(/colour/)
      expect(
        (await post('/materials/steel/prices', { name: 'Steel', price: -1, date: 0 }, 's3cret'))
          .status,
      ).toBe(400)
      const broken = await post('/ingest', '[{"topic":', 's3cret')
      expect(broken.status).toBe(400)
      expect(broken.headers.get('content-type')).toMatch(/problem\+json/)
    })

    it('limit ingest per API key, answering 429 with Retry-After', async () => {
      const batch = Array.from({ length: 8 }, (_, n) => ({
        topic: 'factory/machines/2/production',
        payload: { order: n },
      }))
      expect((await post('/ingest', batch, 'other-key')).status).toBe(202)
      const limited = await post('/ingest', batch, 'other-key')
      expect(limited.status).toBe(429)
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    })

    it('ingest a batch in order', async () => {
      published.length = 0
      const batch = [1, 2, 3].map((n) => ({
        topic: 'factory/machines/1/production',
        payload: { order: n },
      }))
      const res = await post('/ingest', batch, 's3cret')
      expect(res.status).toBe(202)
      expect(published.map((p) => (JSON.parse(p.payload) as { order: number }).order)).toEqual([
        1, 2, 3,
      ])
    })
  })

  it('answers an unknown route with a 404 problem', async () => {
    const res = await fetch(`${server.url}/api/v1/nothing-here`)
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/)
  })

  it('serves Swagger UI and an OpenAPI 3 document that lists every route the router serves', async () => {
    const ui = await fetch(`${server.url}/api/v1/docs`)
    expect(ui.status).toBe(200)
    expect(await ui.text()).toMatch(/swagger/i)
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
      openapi: string
      paths: Record<string, Record<string, unknown>>
    }
    expect(doc.openapi).toMatch(/^3\./)
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m} ${p}`),
    )
    expect(documented.sort()).toEqual(
      [
        'get /api/v1/audit',
        'get /api/v1/machines',
        'get /api/v1/machines/{machineId}',
        'get /api/v1/parts',
        'get /api/v1/parts/{partId}',
        'get /api/v1/downtime',
        'post /api/v1/downtime/{id}/classify',
        'get /api/v1/kpis',
        'get /api/v1/shifts',
        'get /api/v1/pipeline',
        'get /api/v1/plant',
        'get /api/v1/plant/series',
        'get /api/v1/machines/{machineId}/telemetry',
        'get /api/v1/machines/{machineId}/oee/series',
        'get /api/v1/materials',
        'get /api/v1/materials/{materialId}',
        'get /api/v1/dead-letters',
        'get /api/v1/dead-letters/{deadLetterId}/payload',
        'get /api/v1/parked-records',
        'post /api/v1/parked-records/republish',
        'post /api/v1/parked-records/{parkedRecordId}/republish',
        'get /api/v1/schemas',
        'get /api/v1/events',
        'get /api/v1/stream',
        'post /api/v1/machines/{machineId}/commands',
        'put /api/v1/parts/{partId}',
        'post /api/v1/materials/{materialId}/prices',
        'post /api/v1/ingest',
        'post /api/v1/mqtt/publish',
        'get /api/v1/production',
        'get /api/v1/machines/{machineId}/production',
        'get /api/v1/machines/{machineId}/oee',
        'get /healthz',
        'get /metrics',
        'get /readyz',
      ].sort(),
    )
  })
})
