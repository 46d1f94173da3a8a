import { z } from 'zod'
import type { AlarmHealthReads } from '../../read/ports.js'
import { defineRoute, type ApiRoute } from '../route.js'

const counts = z.array(
  z.object({ machineId: z.string(), ruleId: z.string(), raised: z.number().int() }),
)

/** ISA-18.2 alarm-system health: the figures a plant reviews its alarms by. */
export function alarmHealthRoutes(health: AlarmHealthReads): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/alarms/health',
      summary: 'Alarm-system health: alarms per 10 minutes, standing, most frequent, chattering',
      tag: 'alarms',
      query: z.strictObject({
        hours: z.coerce
          .number()
          .int()
          .min(1)
          .max(24 * 31)
          .default(24)
          .meta({
            description: 'The period the most frequent and chattering alarms are taken over',
          }),
      }),
      responses: {
        200: {
          description: 'The figures',
          schema: z.object({
            periodMs: z.number().int(),
            raisedLast10Minutes: z.number().int(),
            active: z.number().int().meta({ description: 'Alarms whose condition holds now' }),
            standing: z.number().int().meta({ description: 'Active alarms raised over a day ago' }),
            mostFrequent: counts.meta({ description: 'The ten raised most often in the period' }),
            chattering: counts.meta({
              description: 'Raised three times within a minute in the period (raises in such runs)',
            }),
          }),
        },
      },
      handle: async (ctx, { query }) => {
        ctx.body = await health.health(query.hours * 3_600_000)
      },
    }),
  ]
}
