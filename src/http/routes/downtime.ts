import { z } from 'zod'
import { RUN_STATES } from '../../domain/oee.js'
import { LOSS_CATEGORY_NAMES } from '../../domain/loss-categories.js'
import { countedCategory } from '../../domain/stop-figures.js'
import { timestampTextSchema } from '../../domain/timestamps.js'
import { PLANT_ID } from '../../plant/model-schema.js'
import type { PlantModel } from '../../plant/plant-model.js'
import { MillstreamError } from '../../errors.js'
import type { DowntimeClassifier, DowntimeReads } from '../../read/ports.js'
import { defineRoute, type ApiRoute } from '../route.js'
import { intParam, machineIdParam, problem, storeUnavailable } from '../schemas.js'

/** Most records one answer lists. */
export const MAX_DOWNTIME_PAGE = 1000

const downtimeQuery = z.strictObject({
  line: z.string().regex(PLANT_ID).optional().meta({ description: 'Only stops of this line' }),
  machine: machineIdParam.optional().meta({ description: 'Only stops of this machine' }),
  from: timestampTextSchema.meta({ description: 'Start of the range: ISO-8601 or epoch ms' }),
  to: timestampTextSchema.meta({
    description: 'End of the range (exclusive): ISO-8601 or epoch ms',
  }),
  status: z
    .enum(['open', 'unqualified'])
    .optional()
    .meta({ description: 'Only stops still going on, or only stops with no known reason' }),
  limit: intParam(1, MAX_DOWNTIME_PAGE)
    .default(500)
    .meta({ description: `Most records (default 500, at most ${MAX_DOWNTIME_PAGE})` }),
})

const downtimeView = z.object({
  id: z.string(),
  machineId: z.string(),
  lineId: z.string(),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().nullable(),
  durationMs: z.number().int().min(0).meta({ description: 'Until now while the stop lasts' }),
  state: z.enum(RUN_STATES),
  reasonCode: z.string().nullable(),
  reasonName: z.string().nullable().meta({ description: "The catalogue's name of the code" }),
  category: z.enum([...LOSS_CATEGORY_NAMES, 'unqualified']),
  planned: z.boolean(),
  classifiedBy: z
    .string()
    .nullable()
    .meta({ description: 'Who gave the reason, if not the machine' }),
})

const classifyBody = z.strictObject({
  reasonCode: z
    .string()
    .regex(PLANT_ID)
    .meta({ description: "A code of the plant model's reason catalogue" }),
})

/**
 * Downtime records: every stop of a line or a machine in a range, with its reason and category;
 * a supervisor's reason for one, committed as an event the downtime follower applies.
 */
export function downtimeRoutes(
  downtime: DowntimeReads,
  model: () => PlantModel,
  classifier: DowntimeClassifier,
): ApiRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/downtime/{id}/classify',
      summary:
        'Give a stop a reason from the catalogue (a DowntimeClassified event; the record shows it once the follower applies it)',
      tag: 'plant',
      scope: 'command',
      audit: {
        action: 'downtime-classify',
        target: ({ params, body }) => `downtime ${params.id}: ${body.reasonCode}`,
      },
      params: z.strictObject({
        id: z
          .string()
          .regex(/^[0-9]{1,20}-[0-9]{1,10}$/)
          .meta({ description: 'The record id' }),
      }),
      body: classifyBody,
      responses: {
        202: {
          description: 'Committed',
          schema: z.object({ id: z.string(), reasonCode: z.string() }),
        },
        400: { description: 'Bad request', schema: problem },
        401: { description: 'No API key, or not a known one', schema: problem },
        403: { description: 'The API key lacks the `command` scope', schema: problem },
        404: { description: 'No such record', schema: problem },
        409: {
          description: 'A reason code the catalogue in force does not have (it may after a reload)',
          schema: problem,
        },
        503: storeUnavailable,
      },
      handle: async (ctx, { params, body, caller }) => {
        if (model().reason(body.reasonCode) === undefined)
          throw new MillstreamError(
            'CONFLICT',
            `body.reasonCode: ${body.reasonCode} is not in the catalogue in force`,
          )
        const found = await classifier.classify({
          recordId: params.id,
          reasonCode: body.reasonCode,
          classifiedBy: caller?.name ?? 'anonymous',
          at: Date.now(),
        })
        if (!found) throw new MillstreamError('NOT_FOUND', `no downtime record ${params.id}`)
        ctx.status = 202
        ctx.body = { id: params.id, reasonCode: body.reasonCode }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/downtime',
      summary:
        'Stops of a line or a machine overlapping a range, oldest first, with reason and loss category',
      tag: 'plant',
      query: downtimeQuery,
      responses: {
        200: { description: 'The records', schema: z.object({ items: z.array(downtimeView) }) },
        400: { description: 'Bad query', schema: problem },
        503: storeUnavailable,
      },
      handle: async (ctx, { query }) => {
        // An empty range overlaps no stop.
        if (!(query.from < query.to)) {
          ctx.body = { items: [] }
          return
        }
        const rows = await downtime.list({
          ...(query.line === undefined ? {} : { lineId: query.line }),
          ...(query.machine === undefined ? {} : { machineId: query.machine }),
          from: query.from,
          to: query.to,
          openOnly: query.status === 'open',
          limit: query.limit,
        })
        const plant = model()
        const now = Date.now()
        const rules = { microStopMs: plant.microStopMs, now }
        const items = rows.map((r) => {
          const reason = plant.reason(r.reasonCode)
          const category = countedCategory(
            { ...r, category: reason?.category ?? 'unqualified' },
            rules,
          )
          return {
            id: r.id,
            machineId: r.machineId,
            lineId: r.lineId,
            startedAt: new Date(r.startedAt).toISOString(),
            endedAt: r.endedAt === null ? null : new Date(r.endedAt).toISOString(),
            durationMs: Math.max(0, (r.endedAt ?? now) - r.startedAt),
            state: r.state,
            reasonCode: r.reasonCode,
            reasonName: reason?.name ?? null,
            category,
            planned: reason?.planned ?? false,
            classifiedBy: r.classifiedBy,
          }
        })
        ctx.body = {
          items:
            query.status === 'unqualified'
              ? items.filter((i) => i.category === 'unqualified')
              : items,
        }
      },
    }),
  ]
}
