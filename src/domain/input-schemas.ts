import { z } from 'zod'
import { ENTITY_ID } from './ids.js'
import { STATUS_RUN_STATES } from './oee.js'
import { text } from './text.js'
import { timestampSchema } from './timestamps.js'

/** One schema per message type. Unknown fields are rejected. */
/** Longest message id, in characters; telemetry's most metrics. */
export const MESSAGE_ID_MAX = 200
export const METRICS_MAX = 200

const messageId = text(1, MESSAGE_ID_MAX).optional()
const entityId = z.union([z.string().regex(ENTITY_ID), z.number().int().nonnegative()])

/** A telemetry metric name. */
/** A metric's name, as a pattern to embed (a list of names, say) and as a whole-text test. */
export const METRIC_NAME_TEXT = '[A-Za-z0-9._-]{1,64}'
export const METRIC_NAME = new RegExp(`^${METRIC_NAME_TEXT}$`)
/** Why a name is refused, in the words every route and file uses. */
export const METRIC_NAME_RULE = 'metric names: 1-64 of A-Z a-z 0-9 . _ -'

export const statusPayloadSchema = z.strictObject({
  state: z.enum(STATUS_RUN_STATES),
  at: timestampSchema,
  reason: text(0, 500).optional(),
  machineId: entityId.optional(),
  messageId,
})

export const telemetryPayloadSchema = z.strictObject({
  at: timestampSchema,
  metrics: z
    .record(z.string().regex(METRIC_NAME, METRIC_NAME_RULE), z.number())
    .refine((m) => Object.keys(m).length > 0, 'at least one metric')
    .refine((m) => Object.keys(m).length <= METRICS_MAX, `at most ${METRICS_MAX} metrics`),
  machineId: entityId.optional(),
  messageId,
})

/** A part's material ids, at most 100, each once (compared as text: `7` is `"7"`). */
export const materialIdsOf = <T extends z.ZodType>(id: T) =>
  z
    .array(id)
    .max(100)
    .refine((ids) => new Set(ids.map(String)).size === ids.length, 'material ids must be unique')
    .meta({ uniqueItems: true })

export const partInfoPayloadSchema = z.strictObject({
  defaultPrice: z.number().nonnegative(),
  timeToProduce: z.number().positive('must be > 0 seconds'),
  materials: materialIdsOf(entityId).optional(),
  partId: z.number().int().nonnegative().optional(),
  messageId,
})

export const materialPayloadSchema = z.strictObject({
  name: text(1, 200),
  price: z.number().nonnegative(),
  date: timestampSchema,
  materialId: entityId.optional(),
  messageId,
})

/** The commands a machine takes, on its commands topic, the API and a Sparkplug mapping alike. */
export const MACHINE_COMMANDS = ['maintenance-start', 'maintenance-end', 'reset-counters'] as const

const alarmCommand = {
  ruleId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'an alarm rule id'),
  at: timestampSchema.optional(),
  requestedBy: text(1, 200).optional(),
  machineId: entityId.optional(),
  messageId,
}

/** An operator's command on one of a machine's alarms, on the machine's commands topic. */
export const alarmCommandPayloadSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...alarmCommand, type: z.literal('alarm-acknowledge') }),
  z.strictObject({
    ...alarmCommand,
    type: z.literal('alarm-shelve'),
    reason: text(1, 500),
    forSeconds: z
      .number()
      .positive()
      .max(30 * 86_400),
  }),
  z.strictObject({ ...alarmCommand, type: z.literal('alarm-unshelve') }),
  z.strictObject({ ...alarmCommand, type: z.literal('alarm-comment'), text: text(1, 2000) }),
])

export const commandPayloadSchema = z.strictObject({
  type: z.enum(MACHINE_COMMANDS),
  at: timestampSchema.optional(),
  requestedBy: text(1, 200).optional(),
  machineId: entityId.optional(),
  messageId,
})
