import type { z } from 'zod'
import { MillstreamError } from '../../errors.js'
import { defineRoute, type ApiRoute, type Parsed } from '../route.js'
import { problem, storeUnavailable } from '../schemas.js'

/** A `GET` of one resource by its id: 400 for a malformed id, 404 for an unknown one. */
export function getOneRoute<P extends z.ZodObject>(options: {
  path: string
  summary: string
  tag: string
  /** The one path parameter, the resource's id. */
  params: P
  noun: string
  item: z.ZodType
  find: (params: Parsed<P>) => Promise<unknown>
}): ApiRoute {
  return defineRoute({
    method: 'get',
    path: options.path,
    summary: options.summary,
    tag: options.tag,
    params: options.params,
    responses: {
      200: { description: `The ${options.noun}`, schema: options.item },
      400: { description: `Bad ${options.noun} id`, schema: problem },
      404: { description: `Unknown ${options.noun}`, schema: problem },
      503: storeUnavailable,
    },
    handle: async (ctx, { params }) => {
      const found = await options.find(params)
      if (!found) {
        const [id] = Object.values<unknown>(params)
        throw new MillstreamError('NOT_FOUND', `${options.noun} ${String(id)} not found`)
      }
      ctx.body = found
    },
  })
}
