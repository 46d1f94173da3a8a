import { z } from 'zod'
import { MillstreamError } from '../../errors.js'
import type { ApiRoute } from '../route.js'
import { problem, storeUnavailable } from '../schemas.js'

/** A `GET` of one resource by its id: 400 for a malformed id, 404 for an unknown one. */
export function getOneRoute<I extends z.ZodType>(options: {
  path: string
  summary: string
  tag: string
  /** The id's path parameter: its name and schema. */
  id: { name: string; schema: I }
  noun: string
  item: z.ZodType
  find: (id: z.output<I>) => Promise<unknown>
}): ApiRoute {
  const params = z.strictObject({ [options.id.name]: options.id.schema })
  return {
    method: 'get',
    path: options.path,
    summary: options.summary,
    tag: options.tag,
    params,
    responses: {
      200: { description: `The ${options.noun}`, schema: options.item },
      400: { description: `Bad ${options.noun} id`, schema: problem },
      404: { description: `Unknown ${options.noun}`, schema: problem },
      503: storeUnavailable,
    },
    handle: async (ctx, input) => {
      const id = input.params[options.id.name] as z.output<I>
      const found = await options.find(id)
      if (!found) throw new MillstreamError('NOT_FOUND', `${options.noun} ${String(id)} not found`)
      ctx.body = found
    },
  }
}
