import type { z } from 'zod'
import type { ApiRoute } from '../route.js'
import { page, pageQuery, problem } from '../schemas.js'

/** A `GET` that lists a resource a page at a time (`limit`, `offset`). */
export function pagedListRoute(options: {
  path: string
  summary: string
  tag: string
  item: z.ZodType
  list: (limit: number, offset: number) => Promise<unknown[]>
}): ApiRoute {
  return {
    method: 'get',
    path: options.path,
    summary: options.summary,
    tag: options.tag,
    query: pageQuery,
    responses: {
      200: { description: `A page of ${options.tag}`, schema: page(options.item) },
      400: { description: 'Bad query', schema: problem },
    },
    handle: async (ctx, { query }) => {
      const { limit, offset } = query as z.infer<typeof pageQuery>
      ctx.body = { items: await options.list(limit, offset), limit, offset }
    },
  }
}
