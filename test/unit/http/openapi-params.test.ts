import { timestampSchema, timestampTextSchema } from '../../../src/domain/timestamps'
import { createHttpApp } from '../../../src/http/app'
import { httpDeps } from '../../support/http-deps'
import { serve } from '../../support/http'

type Schema = {
  type?: string
  pattern?: string
  anyOf?: Schema[]
  minimum?: number
  maximum?: number
}
type Operation = {
  operationId: string
  parameters?: { name: string; in: string; schema: Schema }[]
  requestBody?: { content: Record<string, { schema: { properties: Record<string, Schema> } }> }
  responses: Record<
    string,
    { content?: Record<string, unknown>; links?: Record<string, { operationId: string }> }
  >
}
type Doc = { paths: Record<string, Record<string, Operation>> }

/** Texts on both sides of every rule the timestamp grammar has. */
const TEXTS = [
  '0',
  '1709251200000',
  '0001709251200000',
  '253402300799999',
  '253402300800000',
  '',
  '-1',
  '1.5',
  '2024-03-01T08:00:00Z',
  '2024-03-01T08:00Z',
  '2024-03-01T08:00:00.123456789+05:30',
  '2024-03-01T08:00:00+0530',
  '2024-03-01T24:00Z',
  '2024-03-01T24:01Z',
  '2024-02-31T00:00Z',
  '2024-13-01T00:00Z',
  '2024-03-00T00:00Z',
  '2024-03-01T08:00:00',
  '2024-03-01 08:00:00Z',
  '2024-03-01T08:00+24:00',
  '0000-01-01T00:00Z',
  '0000-01-01T00:30+01:00',
  '9999-12-31T23:59Z',
  '9999-12-31T23:59-01:00',
  '0000-00-00T00:00Z',
  'tomorrow',
  '2024-03-01T08:00:00z',
]

/** Whether a value matches a schema as far as these keywords go (a JSON Schema reader would). */
function matches(schema: Schema, value: unknown): boolean {
  if (schema.anyOf) return schema.anyOf.some((s) => matches(s, value))
  if (schema.type === 'integer')
    return (
      Number.isInteger(value) &&
      (value as number) >= (schema.minimum ?? -Infinity) &&
      (value as number) <= (schema.maximum ?? Infinity)
    )
  if (schema.type === 'string')
    return typeof value === 'string' && (!schema.pattern || new RegExp(schema.pattern).test(value))
  return false
}

describe('the OpenAPI document', () => {
  let doc: Doc
  let server: Awaited<ReturnType<typeof serve>>
  beforeAll(async () => {
    server = await serve(createHttpApp(httpDeps()))
    doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as Doc
  })
  afterAll(() => server.close())
  const op = (method: string, path: string) => doc.paths[`/api/v1${path}`]?.[method] as Operation

  it.each([
    ['/events', 'from'],
    ['/events', 'to'],
    ['/production', 'from'],
    ['/production', 'to'],
    ['/machines/{machineId}/production', 'from'],
    ['/machines/{machineId}/production', 'to'],
  ])('gives GET %s ?%s as epoch ms or ISO-8601 patterns the server reads alike', (path, name) => {
    const schema = op('get', path).parameters?.find((p) => p.name === name)?.schema as Schema
    expect(schema.anyOf?.map((s) => s.type)).toEqual(['string', 'string'])
    for (const text of TEXTS)
      expect({ text, documented: matches(schema, text) }).toEqual({
        text,
        documented: timestampTextSchema.safeParse(text).success,
      })
  })

  it('gives the date of a price as an integer or an ISO-8601 pattern the server reads alike', () => {
    const body = op('post', '/materials/{materialId}/prices').requestBody
    const schema = body?.content['application/json']?.schema.properties.date as Schema
    for (const value of [...TEXTS, 0, 1_709_251_200_000, 253_402_300_800_000, -1, 1.5])
      expect({ value, documented: matches(schema, value) }).toEqual({
        value,
        documented: timestampSchema.safeParse(value).success,
      })
  })

  it('gives the OEE window as a pattern holding its bounds, as the server reads it', async () => {
    const path = '/machines/{machineId}/oee'
    const schema = op('get', path).parameters?.find((p) => p.name === 'window')?.schema as Schema
    // The test deps know no machine: a window the server reads gets 404, any other 400.
    for (const text of [
      '1s',
      '999',
      '1000',
      '0015m',
      '60m',
      '61m',
      '1h',
      '2h',
      '3600000',
      '3600001ms',
      '2d',
      '1.5m',
      '',
    ]) {
      const res = await fetch(`${server.url}/api/v1/machines/m1/oee?window=${text}`)
      expect({ text, documented: matches(schema, text) }).toEqual({
        text,
        documented: res.status === 404,
      })
    }
  })

  it('declares what the edge answers, as problem+json, wherever it can happen', () => {
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const statuses = Object.keys(operation.responses)
        const where = `${method} ${path}`
        if (operation.requestBody)
          expect({ where, statuses }).toEqual({
            where,
            statuses: expect.arrayContaining(['400', '413', '415']),
          })
        if (operation.parameters?.length)
          expect({ where, statuses }).toEqual({ where, statuses: expect.arrayContaining(['400']) })
        for (const status of statuses.filter((s) => Number(s) >= 400 && !(path === '/readyz')))
          expect(Object.keys(operation.responses[status]?.content ?? {})).toEqual([
            'application/problem+json',
          ])
      }
    }
    expect(Object.keys(op('post', '/ingest').responses)).toEqual(
      expect.arrayContaining(['401', '403', '429', '503']),
    )
  })

  it('links responses only to operations it has', () => {
    const ids = new Set(
      Object.values(doc.paths).flatMap((m) => Object.values(m).map((o) => o.operationId)),
    )
    const targets = Object.values(doc.paths).flatMap((m) =>
      Object.values(m).flatMap((o) =>
        Object.values(o.responses).flatMap((r) =>
          Object.values(r.links ?? {}).map((l) => l.operationId),
        ),
      ),
    )
    expect(targets.length).toBeGreaterThanOrEqual(6)
    for (const target of targets) expect(ids).toContain(target)
  })
})
