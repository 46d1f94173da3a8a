import { pino } from 'pino'
import { SchemaRegistry } from '../../../src/events/schema-registry'
import { createHttpApp } from '../../../src/http/app'
import { createMetrics } from '../../../src/metrics'
import type { CatalogQueries } from '../../../src/store/catalog-queries'
import type { PgDeadLetters } from '../../../src/store/dead-letters'
import type { EventHistory } from '../../../src/store/event-history'
import type { MachineQueries, MachineView } from '../../../src/store/machine-queries'
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
  sequence: 3,
}

const queries = {
  get: (id: string) => Promise.resolve(id === '7' ? machine : undefined),
  list: () => Promise.resolve([machine]),
} as unknown as MachineQueries

describe('HTTP API (pure routing, fake queries)', () => {
  let server: Awaited<ReturnType<typeof serve>>
  beforeAll(async () => {
    const app = createHttpApp({
      metrics: createMetrics(),
      machines: queries,
      catalog: {} as CatalogQueries,
      deadLetters: {} as PgDeadLetters,
      schemas: SchemaRegistry.fromDirectory(),
      eventHistory: {} as EventHistory,
      readiness: () => Promise.resolve({ postgres: { ok: true } }),
      log: pino({ level: 'silent' }),
      version: 'test',
    })
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
        'get /api/v1/machines',
        'get /api/v1/machines/{machineId}',
        'get /api/v1/parts',
        'get /api/v1/parts/{partId}',
        'get /api/v1/materials',
        'get /api/v1/materials/{materialId}',
        'get /api/v1/dead-letters',
        'get /api/v1/schemas',
        'get /api/v1/events',
        'get /healthz',
        'get /metrics',
        'get /readyz',
      ].sort(),
    )
  })
})
