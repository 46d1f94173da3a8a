import { z } from 'zod'
import type { Interval } from '../../domain/intervals.js'
import { LOSS_CATEGORY_NAMES } from '../../domain/loss-categories.js'
import { timestampTextSchema } from '../../domain/timestamps.js'
import { MillstreamError } from '../../errors.js'
import {
  calendarOfLine,
  kpiAnswer,
  kpiAnswerOf,
  memberships,
  linesOf,
  shiftById,
  type KpiScope,
} from '../../plant/kpi-assembly.js'
import { PLANT_ID } from '../../plant/model-schema.js'
import type { PlantModel } from '../../plant/plant-model.js'
import { shiftsOf } from '../../plant/shift-calendar.js'
import type { KpiReads } from '../../read/ports.js'
import { defineRoute, type ApiRoute } from '../route.js'
import { machineIdParam, problem, storeUnavailable } from '../schemas.js'

/** The longest range one KPI or shift answer covers. */
export const MAX_KPI_RANGE_MS = 31 * 86_400_000

const ms = z.number().min(0).meta({ description: 'Milliseconds' })
const ratio = z.number().nullable().meta({ description: 'null when there is nothing to divide by' })

const kpiView = z.object({
  scope: z.enum(['machine', 'line', 'area', 'site']),
  id: z.string(),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  plannedBusyMs: ms,
  runMs: ms,
  downtimeMs: ms,
  availability: ratio,
  performance: ratio,
  quality: ratio,
  oee: ratio,
  good: z.number().int(),
  scrap: z.number().int(),
  produced: z.number().int(),
  firstPassYield: ratio,
  mtbfMs: z.number().nullable(),
  mttrMs: z.number().nullable(),
  failures: z.number().int(),
  losses: z.object({
    breakdown: ms,
    setupAdjustment: ms,
    smallStop: ms,
    reducedSpeed: ms,
    startupReject: ms,
    productionReject: ms,
  }),
  downtimeByReason: z
    .array(
      z.object({
        code: z.string().nullable(),
        name: z.string().nullable(),
        category: z.enum([...LOSS_CATEGORY_NAMES, 'unqualified']),
        ms,
        count: z.number().int(),
      }),
    )
    .meta({ description: 'Unplanned downtime by reason, largest first (Pareto)' }),
  constraint: z
    .string()
    .nullable()
    .meta({ description: "A line's machine whose losses cost it the most output" }),
})

const range = {
  from: timestampTextSchema.optional().meta({
    description:
      'Start of the range: ISO-8601 or epoch ms; a day before `to` if absent, and at most 31 days before it (an earlier one is moved up)',
  }),
  to: timestampTextSchema
    .optional()
    .meta({ description: 'End of the range (exclusive): ISO-8601 or epoch ms; now if absent' }),
}

const kpiQuery = z.strictObject({
  scope: z.enum(['machine', 'line', 'area', 'site']).meta({ description: 'What to measure' }),
  id: z.string().min(1).max(128).meta({ description: 'Its id (a machine id or a plant id)' }),
  ...range,
  shift: z.string().max(300).optional().meta({
    description:
      'A shift id (`{lineId}:{YYYY-MM-DD}:{name}`): its period, instead of `from` and `to`',
  }),
})

const shiftsQuery = z.strictObject({
  line: z.string().regex(PLANT_ID).meta({ description: 'The line' }),
  ...range,
})

const shiftView = z.object({
  shiftId: z.string(),
  lineId: z.string(),
  name: z.string(),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
  closed: z.boolean().meta({ description: 'The shift has ended' }),
  kpis: kpiView,
})

const DAY_MS = 86_400_000

/**
 * The period a query asks for: up to `to` (now if absent) from `from` (a day before `to` if
 * absent), at most `MAX_KPI_RANGE_MS` long (an earlier `from` is moved up) and empty when
 * `from` is not before `to`. Every schema-valid query gets an answer, and the answer names
 * the period it covers.
 */
function periodOf(
  q: { from?: number | undefined; to?: number | undefined },
  now: number,
): Interval {
  const to = q.to ?? now
  const from = Math.max(q.from ?? to - DAY_MS, to - MAX_KPI_RANGE_MS)
  return { from: Math.min(from, to), to }
}

function notTruncated(truncated: boolean) {
  if (truncated)
    throw new MillstreamError(
      'BAD_REQUEST',
      'query: too many records in the range for one answer; ask for a shorter one',
    )
}

/** The plant's KPIs (ISO 22400-2) by machine, line, area or site, and each line's shifts. */
export function kpiRoutes(kpis: KpiReads, model: () => PlantModel): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/kpis',
      summary:
        'OEE, its factors, losses, MTBF/MTTR and the loss Pareto of a scope over a range or shift',
      tag: 'plant',
      query: kpiQuery,
      responses: {
        200: { description: 'The KPIs', schema: kpiView },
        400: { description: 'Bad query', schema: problem },
        404: {
          description: 'No such line, area, site or shift, or not a machine id',
          schema: problem,
        },
        503: storeUnavailable,
      },
      handle: async (ctx, { query }) => {
        const plant = model()
        const scope: KpiScope = query.scope
        if (scope === 'machine' && !machineIdParam.safeParse(query.id).success)
          throw new MillstreamError('NOT_FOUND', `no machine ${query.id}: not a machine id`)
        const lineIds = linesOf(plant, scope, query.id)
        if (lineIds === undefined)
          throw new MillstreamError('NOT_FOUND', `no ${scope} ${query.id} in the plant model`)
        let period: Interval
        if (query.shift !== undefined) {
          const shift = shiftById(plant, query.shift)
          if (!shift) throw new MillstreamError('NOT_FOUND', `no shift ${query.shift}`)
          period = { from: shift.startsAt, to: shift.endsAt }
        } else period = periodOf(query, Date.now())
        const records = await kpis.records({
          ...(scope === 'machine' ? { machineId: query.id } : { lineIds }),
          ...period,
        })
        notTruncated(records.truncated)
        ctx.body = kpiAnswer(plant, { scope, id: query.id, lineIds }, period, records, Date.now())
      },
    }),
    defineRoute({
      method: 'get',
      path: '/shifts',
      summary: "A line's shifts overlapping a range, closed or open, each with its KPIs",
      tag: 'plant',
      query: shiftsQuery,
      responses: {
        200: {
          description: 'The shifts, in time order',
          schema: z.object({ items: z.array(shiftView) }),
        },
        400: { description: 'Bad query', schema: problem },
        404: { description: 'No such line', schema: problem },
        503: storeUnavailable,
      },
      handle: async (ctx, { query }) => {
        const plant = model()
        const asked = periodOf(query, Date.now())
        if (plant.line(query.line) === undefined)
          throw new MillstreamError('NOT_FOUND', `no line ${query.line} in the plant model`)
        const shifts = shiftsOf(calendarOfLine(plant, query.line), query.line, asked)
        const first = shifts[0]
        const last = shifts.at(-1)
        if (!first || !last) {
          ctx.body = { items: [] }
          return
        }
        // One read for every shift's records.
        const records = await kpis.records({
          lineIds: [query.line],
          from: first.startsAt,
          to: last.endsAt,
        })
        notTruncated(records.truncated)
        const now = Date.now()
        const members = memberships(records)
        const ask = { scope: 'line' as const, id: query.line, lineIds: [query.line] }
        ctx.body = {
          items: shifts.map((s) => ({
            shiftId: s.shiftId,
            lineId: s.lineId,
            name: s.name,
            startsAt: new Date(s.startsAt).toISOString(),
            endsAt: new Date(s.endsAt).toISOString(),
            closed: s.endsAt <= now,
            kpis: kpiAnswerOf(plant, ask, { from: s.startsAt, to: s.endsAt }, members, now),
          })),
        }
      },
    }),
  ]
}
