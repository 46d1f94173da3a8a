import Router from '@koa/router'
import Koa from 'koa'
import { SchemaRegistry } from '../../../src/publish/avro/schema-registry'
import { buildOpenApi } from '../../../src/http/openapi'
import { koaPath, type ApiRoute } from '../../../src/http/route'
import { schemaRoutes } from '../../../src/http/routes/schemas'
import { serve } from '../../support/http'

type Item = {
  name: string
  namespace: string
  fingerprint: string
  fingerprintRabin: string
  current: boolean
  version?: number
  schema: { name: string; fields: { name: string }[] }
}

const PREFIX = '/api/v1'
const registry = SchemaRegistry.fromDirectory()
const routes = schemaRoutes(registry)

// Mounted as src/http/app.ts mounts every route (no params or query here).
function appOf(routes: ApiRoute[]): Koa {
  const router = new Router()
  for (const route of routes)
    router[route.method](`${PREFIX}${koaPath(route.path)}`, (ctx) =>
      route.handle(ctx, { params: {}, query: {} }),
    )
  const app = new Koa()
  app.use(router.routes())
  return app
}

describe('GET /api/v1/schemas', () => {
  let server: Awaited<ReturnType<typeof serve>>
  let body: { items: Item[] }
  beforeAll(async () => {
    server = await serve(appOf(routes))
    const res = await fetch(`${server.url}${PREFIX}/schemas`)
    expect(res.status).toBe(200)
    body = (await res.json()) as { items: Item[] }
  })
  afterAll(() => server.close())

  it('lists every current schema once, as current and without a version', () => {
    const current = body.items.filter((i) => i.current)
    expect(current.map((i) => i.name).sort()).toEqual(
      registry
        .all()
        .map((s) => s.name)
        .sort(),
    )
    for (const item of current) {
      expect(item.version).toBeUndefined()
      expect(item.namespace).toBe('millstream.events')
      expect(item.fingerprint).toBe(registry.get(item.name).fingerprintHex)
    }
  })

  it('lists the released versions too, oldest first, before the current one', () => {
    const partProduced = body.items.filter((i) => i.name === 'PartProduced')
    expect(partProduced.map((i) => [i.version, i.current])).toEqual([
      [0, false],
      [1, false],
      [undefined, true],
    ])
    const [v0, v1, current] = partProduced as [Item, Item, Item]
    expect(v1.fingerprint).toBe(current.fingerprint)
    expect(v0.fingerprint).not.toBe(current.fingerprint)
    expect(v0.schema.fields.map((f) => f.name)).not.toContain('idealCycleSeconds')
  })

  it('gives the fingerprint as header-order hex and as the unsigned CRC-64-AVRO number', () => {
    const current = body.items.find((i) => i.name === 'PartProduced' && i.current)
    expect(current?.fingerprint).toBe('798a5e264d6e4e77')
    // The header carries the 64-bit number little-endian: 0x774e6e4d265e8a79.
    expect(current?.fingerprintRabin).toBe(BigInt('0x774e6e4d265e8a79').toString())
    for (const item of body.items) {
      const le = Buffer.alloc(8)
      le.writeBigUInt64LE(BigInt(item.fingerprintRabin))
      expect(le.toString('hex')).toBe(item.fingerprint)
    }
  })

  it('returns each schema as its parsed JSON, docs included', () => {
    const deadLetter = body.items.find((i) => i.name === 'DeadLetter' && i.current)
    expect(deadLetter?.schema).toEqual(registry.get('DeadLetter').schema)
  })

  it('answers with the body its OpenAPI response schema describes', () => {
    const response = routes[0]?.responses[200]?.schema
    expect(response?.safeParse(body).success).toBe(true)
    const doc = buildOpenApi([{ prefix: PREFIX, routes }], 'test') as {
      paths: Record<string, { get?: { operationId: string } }>
    }
    expect(doc.paths[`${PREFIX}/schemas`]?.get?.operationId).toBe('getSchemas')
  })
})
