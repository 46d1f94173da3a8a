import { z } from 'zod'
import { SEVERITIES } from '../../domain/alarms/alarm-rule.js'
import { RUN_STATES } from '../../domain/oee.js'
import type { AlarmRuleReads } from '../../read/ports.js'
import type { ApiRoute } from '../route.js'

const base = {
  id: z.string(),
  severity: z.enum(SEVERITIES),
  machines: z.array(z.string()).meta({
    description: 'Machine ids and patterns (`*`) the rule watches; every machine if empty',
  }),
  message: z.string().nullable(),
}

const ruleView = z
  .discriminatedUnion('kind', [
    z.object({
      ...base,
      kind: z.literal('threshold'),
      metric: z.string(),
      direction: z.enum(['above', 'below']),
      limit: z.number(),
      deadband: z.number(),
      onDelayMs: z.number().int(),
      offDelayMs: z.number().int(),
    }),
    z.object({
      ...base,
      kind: z.literal('state-duration'),
      state: z.enum(RUN_STATES),
      forMs: z.number().int(),
    }),
    z.object({ ...base, kind: z.literal('silent'), afterMs: z.number().int() }),
    z.object({
      ...base,
      kind: z.literal('scrap-rate'),
      threshold: z.number(),
      minParts: z.number().int(),
    }),
  ])
  .meta({ description: 'An alarm rule as in force (times in milliseconds)' })

/** The alarm rules in force: from `ALARM_RULES_FILE`, or the built-in ones. */
export function alarmRuleRoutes(rules: AlarmRuleReads): ApiRoute[] {
  return [
    {
      method: 'get',
      path: '/alarm-rules',
      summary: 'The alarm rules in force, where they came from, and a refused reload’s problems',
      tag: 'alarms',
      responses: {
        200: {
          description: 'The rules',
          schema: z.object({
            file: z.string().nullable().meta({ description: 'null: the built-in rules' }),
            loadedAt: z.iso.datetime(),
            problems: z.array(z.string()).meta({
              description:
                'What the last reload found wrong (its rules were refused); empty if none',
            }),
            items: z.array(ruleView),
          }),
        },
      },
      handle: (ctx) => {
        ctx.body = {
          file: rules.file,
          loadedAt: new Date(rules.loadedAt()).toISOString(),
          problems: rules.problems(),
          items: rules.current(),
        }
        return Promise.resolve()
      },
    },
  ]
}
