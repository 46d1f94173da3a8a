import { z } from 'zod'
import type { DeadLetterReads } from '../../read/ports.js'
import { defineRoute, type ApiRoute } from '../route.js'
import { deadLetterQuery, deadLetterView, problem, storeUnavailable } from '../schemas.js'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Rejected inputs with their reasons. */
export function deadLetterRoutes(deadLetters: DeadLetterReads): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/dead-letters',
      summary: 'Rejected inputs with reasons, oldest first (page with `after`)',
      tag: 'operations',
      query: deadLetterQuery,
      responses: {
        200: {
          description: 'A page of dead letters',
          schema: z.object({ items: z.array(deadLetterView), next: z.number().nullable() }),
        },
        400: { description: 'Bad query', schema: problem },
        503: storeUnavailable,
      },
      handle: async (ctx, { query: { limit, after } }) => {
        const rows = await deadLetters.list(limit, after)
        ctx.body = {
          items: rows.map((r) => ({
            id: r.id,
            source: r.source,
            reason: r.reason,
            payloadBase64: r.payload.toString('base64'),
            payloadText: textOrNull(r.payload),
            receivedAt: r.receivedAt.toISOString(),
            recordedAt: r.recordedAt.toISOString(),
          })),
          next: rows.length === limit ? (rows[rows.length - 1]?.id ?? null) : null,
        }
      },
    }),
  ]
}

function textOrNull(payload: Buffer): string | null {
  try {
    return utf8.decode(payload)
  } catch {
    return null
  }
}
