import type { z } from 'zod'
import type { ApiLink, ApiRoute } from '../route.js'
import { page, pageQuery, problem, storeUnavailable } from '../schemas.js'

/** A `GET` that lists a resource a page at a time (`limit`, `offset`), with optional filters. */
export function pagedListRoute<F extends z.ZodRawShape = Record<never, never>>(options: {
  path: string
  summary: string
  tag: string
  item: z.ZodType
  filters?: F
  /** Operations a page leads to, e.g. its first item by id. */
  links?: Record<string, ApiLink>
  list: (limit: number, offset: number, filters: z.infer<z.ZodObject<F>>) => Promise<unknown[]>
}): ApiRoute {
  const query = pageQuery.extend(options.filters ?? ({} as F))
  return {
    method: 'get',
    path: options.path,
    summary: options.summary,
    tag: options.tag,
    query,
    responses: {
      200: {
        description: `A page of ${options.tag}`,
        schema: page(options.item),
        ...(options.links ? { links: options.links } : {}),
      },
      400: { description: 'Bad query', schema: problem },
      503: storeUnavailable,
    },
    handle: async (ctx, { query }) => {
      const { limit, offset, ...filters } = query as z.infer<typeof pageQuery> &
        z.infer<z.ZodObject<F>>
      ctx.body = {
        items: await options.list(limit, offset, filters as z.infer<z.ZodObject<F>>),
        limit,
        offset,
      }
    },
  }
}
