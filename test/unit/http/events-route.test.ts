import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import Router from '@koa/router'
import avro from 'avsc'
import Koa from 'koa'
import { pino } from 'pino'
import { parseSchema, SCHEMAS_DIR, SchemaRegistry } from '../../../src/publish/avro/schema-registry'
import { buildOpenApi } from '../../../src/http/openapi'
import { problemDetails } from '../../../src/http/problem'
import { koaPath } from '../../../src/http/route'
import { eventRoutes } from '../../../src/http/routes/events'
import { parseOr400 } from '../../../src/http/validate'
import type { EventHistory, EventQuery } from '../../../src/read/event-history'
import { serve } from '../../support/http'

const schemaOf = (name: string) =>
  parseSchema(JSON.parse(readFileSync(path.join(SCHEMAS_DIR, `${name}.avsc`), 'utf8')))
/** Two record schemas only: other event types have none here. */
const registry = new SchemaRegistry([schemaOf('PartProduced'), schemaOf('MachineStateChanged')])

const stateChanged = {
  eventId: '7f9c0c1e-2f39-4c31-9d0a-4f5b4bb1f3a1',
  type: 'MachineStateChanged',
  key: '7',
  sequence: 2,
  occurredAt: 1_709_251_200_000,
  recordedAt: 1_709_251_200_005,
  machineId: '7',
  state: 'running',
  previousState: 'idle',
  reason: null,
}

/** Serves the batches it is given and remembers what it was asked for. */
class FakeHistory implements EventHistory {
  readonly queries: EventQuery[] = []
  constructor(private readonly source: () => Readable) {}
  open(query: EventQuery): Promise<Readable> {
    this.queries.push(query)
    return Promise.resolve(this.source())
  }
}

async function serveEvents(history: EventHistory) {
  const router = new Router()
  for (const route of eventRoutes(history, registry)) {
    router[route.method](koaPath(route.path), async (ctx) => {
      const query = route.query ? parseOr400(route.query, ctx.query, 'query') : {}
      await route.handle(ctx, { params: {}, query })
    })
  }
  const app = new Koa()
  app.silent = true
  app.use(problemDetails(pino({ level: 'silent' })))
  app.use(router.routes())
  return serve(app)
}

describe('GET /events (fake history)', () => {
  let history: FakeHistory
  let server: Awaited<ReturnType<typeof serveEvents>>
  beforeEach(async () => {
    history = new FakeHistory(() => Readable.from([[JSON.stringify(stateChanged)]]))
    server = await serveEvents(history)
  })
  afterEach(() => server.close())

  it('reads repeated and comma-separated types, and ISO-8601 or epoch-ms times', async () => {
    const res = await fetch(
      `${server.url}/events?type=PartProduced,MachineStateChanged&type=PartProduced&key=7` +
        `&from=2024-03-01T01:00:00%2B01:00&to=1709254800000&limit=5`,
    )
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(`${JSON.stringify(stateChanged)}\n`)
    expect(history.queries).toEqual([
      {
        types: ['PartProduced', 'MachineStateChanged'],
        key: '7',
        from: 1_709_251_200_000,
        to: 1_709_254_800_000,
        limit: 5,
      },
    ])
  })

  it.each([
    ['from=yesterday', /query\.from: must be ISO-8601/],
    ['type=PartProduced,Nope', /query\.type\.1/],
    ['type=', /query\.type: name at least one event type/],
    ['from=1709254800000&to=1709251200000', /must not be after/],
    ['limit=2.5', /query\.limit/],
  ])('rejects %s with a 400 problem without touching the log', async (query, detail) => {
    const res = await fetch(`${server.url}/events?${query}`)
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(((await res.json()) as { detail: string }).detail).toMatch(detail)
    expect(history.queries).toEqual([])
  })

  it('refuses Avro for a type that has no schema, before touching the log', async () => {
    const res = await fetch(`${server.url}/events?type=DeadLetter`, {
      headers: { accept: 'application/avro' },
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { detail: string }).detail).toMatch(/DeadLetter has no Avro/)
    expect(history.queries).toEqual([])
  })

  it('asks the log only for types with a schema when Avro covers every type', async () => {
    const res = await fetch(`${server.url}/events`, { headers: { accept: 'application/avro' } })
    expect(res.status).toBe(200)
    const decoder = new avro.streams.BlockDecoder()
    Readable.from([Buffer.from(await res.arrayBuffer())]).pipe(decoder)
    const records: unknown[] = []
    for await (const record of decoder) records.push(record)
    expect(records).toEqual([{ 'millstream.events.MachineStateChanged': stateChanged }])
    expect(history.queries[0]?.types).toEqual(['PartProduced', 'MachineStateChanged'])
  })

  it('cuts the response short when the log fails mid-stream', async () => {
    await server.close()
    server = await serveEvents(
      new FakeHistory(() =>
        Readable.from(
          (async function* () {
            yield [JSON.stringify(stateChanged)]
            await new Promise((resolve) => setTimeout(resolve, 20))
            throw new Error('connection lost')
          })(),
        ),
      ),
    )
    const res = await fetch(`${server.url}/events`)
    expect(res.status).toBe(200)
    await expect(res.text()).rejects.toThrow()
  })

  it('is described in the OpenAPI document with its query parameters', () => {
    const doc = buildOpenApi([{ prefix: '/api/v1', routes: eventRoutes(history, registry) }], 't')
    const op = (doc.paths as Record<string, Record<string, { parameters: { name: string }[] }>>)[
      '/api/v1/events'
    ]?.get
    expect(op?.parameters.map((p) => p.name)).toEqual([
      'type',
      'key',
      'from',
      'to',
      'limit',
      'after',
      'codec',
    ])
  })
})
