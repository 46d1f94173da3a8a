import { z } from 'zod'
import { MillstreamError } from '../../errors.js'
import type { ParkedRecords } from '../../read/ports.js'
import { defineRoute, type ApiRoute } from '../route.js'
import { intParam, problem, storeUnavailable } from '../schemas.js'

const parkedRecordView = z
  .object({
    id: z.number().int(),
    eventId: z.string(),
    type: z.string().meta({ description: 'The event type' }),
    key: z.string().meta({ description: 'The event key (entity id)' }),
    code: z.string().meta({ description: 'Kafka’s error type, e.g. MESSAGE_TOO_LARGE' }),
    reason: z.string(),
    jsonBytes: z.number().int().meta({ description: 'The event’s size as JSON' }),
    parkedAt: z.iso.datetime(),
    republishRequestedAt: z.iso.datetime().nullable(),
    republishedAt: z.iso.datetime().nullable(),
  })
  .meta({ description: 'An event Kafka refused for good; the relay published past it' })

const listQuery = z.strictObject({
  limit: intParam(1, 500)
    .default(100)
    .meta({ description: 'Page size (default 100, at most 500)' }),
  after: intParam(0).default(0).meta({ description: 'Only records with a larger id (paging)' }),
})

const requested = {
  description: 'Asked for: the relay publishes them within a few seconds (see `republishedAt`)',
  schema: z.object({ requested: z.number().int() }),
}
const commandErrors = {
  401: { description: 'No API key', schema: problem },
  403: { description: 'Wrong API key', schema: problem },
  503: storeUnavailable,
}

/** The records the relay parked, and the command that publishes them once Kafka takes them. */
export function parkedRecordRoutes(parked: ParkedRecords): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/parked-records',
      summary: 'Events Kafka refused for good (parked, published past), oldest first',
      tag: 'operations',
      query: listQuery,
      responses: {
        200: {
          description: 'A page of parked records; `next` is the `after` of the next page, or null',
          schema: z.object({ items: z.array(parkedRecordView), next: z.number().nullable() }),
        },
        400: { description: 'Bad query', schema: problem },
        503: storeUnavailable,
      },
      handle: async (ctx, { query: { limit, after } }) => {
        const rows = await parked.list(limit, after)
        ctx.body = {
          items: rows.map((r) => ({
            ...r,
            parkedAt: r.parkedAt.toISOString(),
            republishRequestedAt: r.republishRequestedAt?.toISOString() ?? null,
            republishedAt: r.republishedAt?.toISOString() ?? null,
          })),
          next: rows.length === limit ? (rows[rows.length - 1]?.id ?? null) : null,
        }
      },
    }),
    defineRoute({
      method: 'post',
      path: '/parked-records/republish',
      summary: 'Publish every parked record again (after raising the broker’s limit)',
      tag: 'commands',
      scope: 'admin',
      audit: { action: 'republish-parked', target: () => 'all parked records' },
      responses: { 202: requested, ...commandErrors },
      handle: async (ctx) => {
        ctx.status = 202
        ctx.body = { requested: await parked.requestRepublish() }
      },
    }),
    defineRoute({
      method: 'post',
      path: '/parked-records/{parkedRecordId}/republish',
      summary: 'Publish one parked record again (after raising the broker’s limit)',
      tag: 'commands',
      scope: 'admin',
      audit: {
        action: 'republish-parked',
        target: ({ params }) => `parked record ${params.parkedRecordId}`,
      },
      params: z.strictObject({
        parkedRecordId: intParam(1).meta({ description: 'Parked record id', example: 1 }),
      }),
      responses: {
        202: requested,
        400: { description: 'Bad id', schema: problem },
        404: { description: 'No such record waiting', schema: problem },
        ...commandErrors,
      },
      handle: async (ctx, { params: { parkedRecordId } }) => {
        const n = await parked.requestRepublish(parkedRecordId)
        if (n === 0) {
          throw new MillstreamError(
            'NOT_FOUND',
            `parked record ${parkedRecordId} not found or already republished`,
          )
        }
        ctx.status = 202
        ctx.body = { requested: n }
      },
    }),
  ]
}
