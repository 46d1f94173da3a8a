import type { Context } from 'koa'
import { z } from 'zod'
import { METRIC_NAME_RULE, METRIC_NAME_TEXT } from '../../domain/input-schemas.js'
import { timestampTextSchema } from '../../domain/timestamps.js'
import { MillstreamError } from '../../errors.js'
import type { SeriesRange, SeriesReads } from '../../read/ports.js'
import { DURATION_TEXT, MAX_BUCKETS, parseDuration, resolveRange } from '../../series/buckets.js'
import { defineRoute, type ApiRoute } from '../route.js'
import { machineIdParam, problem, storeUnavailable } from '../schemas.js'

const rangeQuery = {
  from: timestampTextSchema.optional().meta({
    description: 'Start of the range: ISO-8601 or epoch ms; an hour before `to` if absent',
  }),
  to: timestampTextSchema.optional().meta({
    description: 'End of the range (exclusive): ISO-8601 or epoch ms; now if absent',
  }),
  bucket: z
    .string()
    .regex(new RegExp(DURATION_TEXT), 'a whole number and s, m, h or d, e.g. 5m')
    .transform((text) => parseDuration(text) as number)
    .optional()
    .meta({
      description:
        'Bucket width, e.g. 10s, 5m, 1h, 1d; buckets start at multiples of it since the epoch (UTC). ' +
        'If absent: the first of 1m, 5m, 15m, 1h, 6h, 1d that gives at most about 720 buckets',
    }),
}

const telemetryQuery = z.strictObject({
  metric: z
    .string()
    .regex(
      new RegExp(`^${METRIC_NAME_TEXT}(?:,${METRIC_NAME_TEXT}){0,49}$`),
      `${METRIC_NAME_RULE}, comma-separated`,
    )
    .transform((list) => [...new Set(list.split(','))])
    .optional()
    .meta({
      description: 'Metrics, comma-separated (at most 50); every metric the machine has if absent',
    }),
  ...rangeQuery,
})
const oeeQuery = z.strictObject(rangeQuery)

const rangeFields = {
  from: z.number().int().meta({ description: 'Start of the first bucket, epoch ms' }),
  to: z.number().int().meta({ description: 'End of the last bucket (exclusive), epoch ms' }),
  bucketMs: z.number().int(),
}

const numbers = z.array(z.number())
const factors = z.array(z.number().nullable())

const metricSeries = z
  .object({ t: numbers, avg: numbers, min: numbers, max: numbers, last: numbers, count: numbers })
  .meta({
    description: 'One metric: t is each bucket’s start; buckets without readings are left out',
  })

const oeeFields = {
  t: numbers.meta({
    description: 'Each bucket’s start, epoch ms; buckets without data are left out',
  }),
  produced: numbers,
  scrapped: numbers,
  plannedMs: numbers.meta({ description: 'Planned time: running, idle, down or offline' }),
  runningMs: numbers,
  availability: factors.meta({ description: 'runningMs / plannedMs; null without planned time' }),
  performance: factors.meta({ description: 'Σ ideal cycle time / runningMs; null without either' }),
  quality: factors.meta({ description: 'good parts / produced; null without parts' }),
  oee: factors,
}

const badRange = {
  description: `Bad query: from not before to, more than ${MAX_BUCKETS} buckets, or (OEE) a bucket under a minute`,
  schema: problem,
}

/** The asked range as read, or 400 when it is empty, too finely cut, or too fine for `need`. */
function rangeOf(
  query: { from?: number; to?: number; bucket?: number },
  need: 'rollup' | 'any',
): SeriesRange {
  const resolved = resolveRange(
    { from: query.from, to: query.to, bucketMs: query.bucket },
    Date.now(),
  )
  if (!resolved.ok) throw new MillstreamError('BAD_REQUEST', resolved.problem)
  if (need === 'rollup' && resolved.range.source === 'raw')
    throw new MillstreamError(
      'BAD_REQUEST',
      'query.bucket: OEE series need whole minutes (1m or more)',
    )
  return resolved.range
}

const rangeBody = ({ from, to, bucketMs }: SeriesRange) => ({ from, to, bucketMs })

const notFound = (machineId: string) =>
  new MillstreamError('NOT_FOUND', `machine ${machineId} not found`)

/** Time series for charts: a machine's telemetry and OEE, and the plant's OEE, per bucket. */
export function seriesRoutes(series: SeriesReads): ApiRoute[] {
  const idParams = z.strictObject({ machineId: machineIdParam })
  const sendOee = (ctx: Context, range: SeriesRange, body: object) => {
    ctx.body = { ...body, ...rangeBody(range) }
  }
  return [
    defineRoute({
      method: 'get',
      path: '/machines/{machineId}/telemetry',
      summary:
        'A machine’s telemetry per time bucket: avg, min, max, last and count of each metric',
      tag: 'series',
      params: idParams,
      query: telemetryQuery,
      responses: {
        200: {
          description: 'Each metric’s buckets',
          schema: z.object({
            machineId: z.string(),
            ...rangeFields,
            series: z.record(z.string(), metricSeries),
          }),
        },
        400: badRange,
        404: { description: 'Unknown machine', schema: problem },
        503: storeUnavailable,
      },
      handle: async (ctx, { params: { machineId }, query }) => {
        const range = rangeOf(query, 'any')
        const found = await series.telemetry(machineId, query.metric, range)
        if (!found) throw notFound(machineId)
        // The series are JSON text already: written around, not parsed and written again.
        const head = JSON.stringify({ machineId, ...rangeBody(range) }).slice(0, -1)
        ctx.type = 'application/json'
        ctx.body = `${head},"series":${found}}`
      },
    }),
    defineRoute({
      method: 'get',
      path: '/machines/{machineId}/oee/series',
      summary: 'A machine’s production and OEE per time bucket (buckets of whole minutes)',
      tag: 'series',
      params: idParams,
      query: oeeQuery,
      responses: {
        200: {
          description: 'OEE inputs and factors per bucket',
          schema: z.object({ machineId: z.string(), ...rangeFields, ...oeeFields }),
        },
        400: badRange,
        404: { description: 'Unknown machine', schema: problem },
        503: storeUnavailable,
      },
      handle: async (ctx, { params: { machineId }, query }) => {
        const range = rangeOf(query, 'rollup')
        const found = await series.machineOee(machineId, range)
        if (!found) throw notFound(machineId)
        sendOee(ctx, range, { machineId, ...found })
      },
    }),
    defineRoute({
      method: 'get',
      path: '/plant/series',
      summary: 'The plant’s production and OEE per time bucket, summed over every machine',
      tag: 'series',
      query: oeeQuery,
      responses: {
        200: {
          description: 'OEE inputs and factors per bucket',
          schema: z.object({ ...rangeFields, ...oeeFields }),
        },
        400: badRange,
        503: storeUnavailable,
      },
      handle: async (ctx, { query }) => {
        const range = rangeOf(query, 'rollup')
        sendOee(ctx, range, await series.plantOee(range))
      },
    }),
  ]
}
