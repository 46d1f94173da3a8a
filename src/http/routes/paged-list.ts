import type { z } from 'zod'
import { defineRoute, type ApiLink, type ApiRoute, type Parsed } from '../route.js'
import { page, type pageQuery, problem, storeUnavailable } from '../schemas.js'

/** `pageQuery`, or `pageQuery.extend(...)` with filters: a query that holds a page's bounds. */
type PagedQuery = z.ZodObject & z.ZodType<z.output<typeof pageQuery>>

/** A `GET` that lists a resource a page at a time (`limit`, `offset`), with optional filters. */
export function pagedListRoute<Q extends PagedQuery>(options: {
  path: string
  summary: string
  tag: string
  item: z.ZodType
  query: Q
  /** Operations a page leads to, e.g. its first item by id. */
  links?: Record<string, ApiLink>
  list: (query: Parsed<Q>) => Promise<unknown[]>
}): ApiRoute {
  return defineRoute({
    method: 'get',
    path: options.path,
    summary: options.summary,
    tag: options.tag,
    query: options.query,
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
      ctx.body = { items: await options.list(query), limit: query.limit, offset: query.offset }
    },
  })
}
