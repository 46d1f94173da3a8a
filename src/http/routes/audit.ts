import { z } from 'zod'
import type { AuditTrail } from '../../read/ports.js'
import { defineRoute, type ApiRoute } from '../route.js'
import { intParam, storeUnavailable } from '../schemas.js'

const auditRecord = z.object({
  id: z.number().int(),
  recordedAt: z.string().meta({ format: 'date-time' }),
  key: z.string().meta({ description: 'The API key’s name' }),
  action: z.string(),
  target: z.string(),
  outcome: z.string().meta({ description: 'The HTTP status, or the error’s code' }),
})

/** The audit records of commands, ingest and raw publishes, for keys with `admin`. */
export function auditRoutes(audit: AuditTrail): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/audit',
      summary: 'Audit records of commands, ingest and raw publishes, oldest first',
      tag: 'operations',
      scope: 'admin',
      query: z.strictObject({
        limit: intParam(1, 1000).default(100).meta({ description: 'Page size (default 100)' }),
        after: intParam(0)
          .default(0)
          .meta({ description: 'Only records with a larger id (paging; default 0)' }),
      }),
      responses: {
        200: {
          description: 'A page of audit records',
          schema: z.object({ items: z.array(auditRecord), next: z.number().nullable() }),
        },
        503: storeUnavailable,
      },
      handle: async (ctx, { query: { limit, after } }) => {
        const rows = await audit.list(limit, after)
        ctx.body = {
          items: rows.map((r) => ({ ...r, recordedAt: r.recordedAt.toISOString() })),
          next: rows.length === limit ? (rows[rows.length - 1]?.id ?? null) : null,
        }
      },
    }),
  ]
}
