import { z } from 'zod'
import { MillstreamError } from '../../errors.js'
import type { DeadLetterReads } from '../../read/ports.js'
import { defineRoute, type ApiRoute } from '../route.js'
import { deadLetterQuery, deadLetterView, intParam, problem, storeUnavailable } from '../schemas.js'

/**
 * Rejected inputs with their reasons. A page lists reasons and sizes only: a page of large
 * inputs would make an answer of unbounded size. Each letter's kept bytes have a URL of their own.
 */
export function deadLetterRoutes(deadLetters: DeadLetterReads): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/dead-letters',
      summary: 'Rejected inputs with reasons and sizes, oldest first (page with `after` = `next`)',
      tag: 'operations',
      query: deadLetterQuery,
      responses: {
        200: {
          description: 'A page of dead letters; `next` is the `after` of the next page, or null',
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
            payloadSize: r.payloadSize,
            payloadSha256: r.payloadSha256,
            payloadTruncated: r.keptBytes < r.payloadSize,
            receivedAt: r.receivedAt.toISOString(),
            recordedAt: r.recordedAt.toISOString(),
          })),
          next: rows.length === limit ? (rows[rows.length - 1]?.id ?? null) : null,
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/dead-letters/{deadLetterId}/payload',
      summary: 'The kept bytes of one rejected input, as received (its first ones if truncated)',
      tag: 'operations',
      params: z.strictObject({
        deadLetterId: intParam(1).meta({ description: 'Dead letter id', example: 1 }),
      }),
      responses: {
        200: {
          description:
            'The raw bytes (the listing’s `payloadTruncated` says whether they are all of it)',
          schema: z.string().meta({ format: 'binary' }),
          contentType: 'application/octet-stream',
        },
        400: { description: 'Bad dead letter id', schema: problem },
        404: { description: 'Unknown dead letter', schema: problem },
        503: storeUnavailable,
      },
      handle: async (ctx, { params: { deadLetterId } }) => {
        const payload = await deadLetters.payload(deadLetterId)
        if (!payload) {
          throw new MillstreamError('NOT_FOUND', `dead letter ${deadLetterId} not found`)
        }
        // Bytes as received, which may be anything: never sniffed or rendered by a browser.
        ctx.type = 'application/octet-stream'
        ctx.set('X-Content-Type-Options', 'nosniff')
        ctx.set('Content-Disposition', `attachment; filename="dead-letter-${deadLetterId}.bin"`)
        ctx.body = payload
      },
    }),
  ]
}
