import { z } from 'zod'
import { decimalRangePattern } from '../../domain/decimal-range.js'
import { timestampTextSchema } from '../../domain/timestamps.js'
import { MillstreamError } from '../../errors.js'
import type { Oee } from '../../domain/oee.js'
import type { EventHistory } from '../../read/ports.js'
import { defineRoute, type ApiRoute } from '../route.js'
import { intParam, machineIdParam, problem, storeUnavailable } from '../schemas.js'
import { afterParam, CAPPED, streamNdjson } from './events.js'

const range = {
  from: timestampTextSchema
    .optional()
    .meta({ description: 'Produced at or after this: ISO-8601 or epoch ms' }),
  to: timestampTextSchema.optional().meta({
    description: 'Produced before this (exclusive): ISO-8601 or epoch ms; not before `from`',
  }),
  limit: intParam(1).optional(),
  after: afterParam,
}
const productionQuery = z.strictObject({
  machineId: machineIdParam.optional(),
  partId: intParam(0).optional(),
  order: intParam(0).optional(),
  damaged: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  ...range,
})
const machineProductionQuery = z.strictObject(range)
const record = z
  .looseObject({
    machineId: z.string(),
    partId: z.number(),
    order: z.number(),
    damaged: z.boolean(),
    occurredAt: z.number(),
  })
  .meta({ description: 'One PartProduced event per NDJSON line' })

const recordResponses = {
  200: {
    description: `Records in log order. ${CAPPED}`,
    schema: record,
    contentType: 'application/x-ndjson',
  },
  400: { description: 'Bad query', schema: problem },
  404: { description: 'The log holds no event `after` names', schema: problem },
  503: storeUnavailable,
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * `15m`, `2h`, `900s`, or milliseconds, from one second up to `maxMs`. The bounds are in the
 * pattern itself, so the document states them exactly.
 */
function windowParam(maxMs: number) {
  const forms = Object.entries(UNIT_MS).flatMap(([unit, ms]) => {
    const lo = Math.ceil(Math.min(1000, maxMs) / ms)
    const hi = Math.floor(maxMs / ms)
    if (lo > hi) return []
    return [`0*${decimalRangePattern(lo, hi)}${unit === 'ms' ? '(?:ms)?' : unit}`]
  })
  return z
    .string()
    .regex(
      new RegExp(`^(?:${forms.join('|')})$`),
      `a duration from 1 s to the configured OEE window (${maxMs} ms), such as 15m, 2h, 900s or milliseconds`,
    )
    .transform((w) => {
      const [, n, unit] = /^([0-9]+)(ms|s|m|h)?$/.exec(w) as RegExpExecArray
      return Number(n) * UNIT_MS[(unit ?? 'ms') as keyof typeof UNIT_MS]
    })
}

export type OeeLookup = (machineId: string, windowMs: number) => Promise<Oee | undefined>

/** Production records (streamed from the log) and OEE over a chosen window. */
export function productionRoutes(
  history: EventHistory,
  oeeOf: OeeLookup,
  maxWindowMs: number,
): ApiRoute[] {
  const idParams = z.strictObject({ machineId: machineIdParam })
  const oeeQuery = z.strictObject({
    window: windowParam(maxWindowMs).optional().meta({
      description: 'The window: 15m, 2h, 900s or milliseconds; the configured one if absent',
    }),
  })
  const open = async (
    ctx: Parameters<ApiRoute['handle']>[0],
    q: { from?: number; to?: number; limit?: number; after?: string },
    key: string | undefined,
    contains: Record<string, string | number | boolean>,
  ) => {
    if (q.from !== undefined && q.to !== undefined && q.from > q.to) {
      throw new MillstreamError('BAD_REQUEST', 'query.from: must not be after query.to')
    }
    const source = await history.open(
      {
        types: ['PartProduced'],
        key,
        from: q.from,
        to: q.to,
        limit: q.limit,
        after: q.after,
        contains,
      },
      ctx.ip,
    )
    streamNdjson(ctx, source, q.limit)
  }
  return [
    defineRoute({
      method: 'get',
      path: '/production',
      summary:
        'Production records filtered by machine, part, order, damaged and time (NDJSON, streamed)',
      tag: 'production',
      query: productionQuery,
      responses: recordResponses,
      handle: async (ctx, { query: q }) => {
        const contains: Record<string, string | number | boolean> = {}
        if (q.partId !== undefined) contains.partId = q.partId
        if (q.order !== undefined) contains.order = q.order
        if (q.damaged !== undefined) contains.damaged = q.damaged
        await open(ctx, q, q.machineId, contains)
      },
    }),
    defineRoute({
      method: 'get',
      path: '/machines/{machineId}/production',
      summary: 'A machine’s production records by time range (NDJSON, streamed)',
      tag: 'production',
      params: idParams,
      query: machineProductionQuery,
      responses: recordResponses,
      handle: async (ctx, { params, query }) => {
        await open(ctx, query, params.machineId, {})
      },
    }),
    defineRoute({
      method: 'get',
      path: '/machines/{machineId}/oee',
      summary:
        'OEE of a machine over a chosen window (up to the configured one), as of its last event',
      tag: 'machines',
      params: idParams,
      query: oeeQuery,
      responses: {
        200: {
          description: 'OEE and its factors; null where there is no basis yet',
          schema: z.object({
            machineId: z.string(),
            windowMs: z.number(),
            availability: z.number().nullable(),
            performance: z.number().nullable(),
            quality: z.number().nullable(),
            oee: z.number().nullable(),
          }),
        },
        400: { description: 'Bad window', schema: problem },
        404: { description: 'Unknown machine', schema: problem },
        503: storeUnavailable,
      },
      handle: async (ctx, { params: { machineId }, query }) => {
        const windowMs = query.window ?? maxWindowMs
        const oee = await oeeOf(machineId, windowMs)
        if (!oee) throw new MillstreamError('NOT_FOUND', `machine ${machineId} not found`)
        ctx.body = { machineId, windowMs, ...oee }
      },
    }),
  ]
}
