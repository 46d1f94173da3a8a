import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import Koa from 'koa'
import { z } from 'zod'
import { defineRoute } from '../../../src/http/route'
import { intParam } from '../../../src/http/schemas'

// The types are checked by `tsc -p tsconfig.check.json`; jest checks what reaches the handler.

function koaContext(): Koa.Context {
  const req = new IncomingMessage(new Socket())
  return new Koa().createContext(req, new ServerResponse(req))
}

const params = z.strictObject({ partId: intParam(0) })
const query = z.strictObject({ damaged: z.enum(['true', 'false']).transform((v) => v === 'true') })
const body = z.strictObject({ note: z.string().optional() })

describe('defineRoute', () => {
  it('hands the handler the parsed input, typed by its schemas', async () => {
    const seen: unknown[] = []
    const route = defineRoute({
      method: 'post',
      path: '/parts/{partId}/notes',
      summary: 'A note on a part',
      tag: 'parts',
      params,
      query,
      body,
      responses: { 204: { description: 'Noted', schema: null } },
      handle: (_ctx, input) => {
        const partId: number = input.params.partId
        const damaged: boolean = input.query.damaged
        const note: string | undefined = input.body.note
        // @ts-expect-error: the params schema declares no such field
        seen.push(input.params.machineId)
        seen.push(partId, damaged, note)
        return Promise.resolve()
      },
    })
    const parsed = {
      params: params.parse({ partId: '4' }),
      query: query.parse({ damaged: 'true' }),
      body: body.parse({ note: 'scratched' }),
    }
    await route.handle(koaContext(), parsed)
    expect(seen).toEqual([undefined, 4, true, 'scratched'])
  })

  it('keeps the schemas on the route, for the mount and the OpenAPI document', () => {
    const route = defineRoute({
      method: 'get',
      path: '/parts/{partId}',
      summary: 'One part',
      tag: 'parts',
      params,
      responses: { 200: { description: 'The part', schema: null } },
      handle: () => Promise.resolve(),
    })
    expect(route.params).toBe(params)
    expect(route.query).toBeUndefined()
    expect(route.body).toBeUndefined()
  })

  it('types absent schemas as what the mount passes then: no params, no query, no body', async () => {
    let input: unknown
    const route = defineRoute({
      method: 'get',
      path: '/healthz',
      summary: 'Alive',
      tag: 'operations',
      responses: { 200: { description: 'Alive', schema: null } },
      handle: (_ctx, given) => {
        const noBody: undefined = given.body
        input = { ...given, body: noBody }
        return Promise.resolve()
      },
    })
    await route.handle(koaContext(), { params: {}, query: {} })
    expect(input).toEqual({ params: {}, query: {}, body: undefined })
  })
})
