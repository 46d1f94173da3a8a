import { z } from 'zod'
import { ENTITY_ID } from '../domain/ids.js'
import { ALARM_STATES } from '../domain/alarms/alarm-lifecycle.js'
import { SEVERITIES } from '../domain/alarms/alarm-rule.js'
import { RUN_STATES } from '../domain/oee.js'

/** Request and response shapes, defined once: they validate requests and feed the OpenAPI document. */
/**
 * An integer parameter (query or path) from `min` to `max`, read from its decimal digits only:
 * `z.coerce` took "" (an empty `?offset=`) for 0 and " 1", "1e2" or "0x10" for numbers, none of
 * which the document's `type: integer` allows.
 */
export const intParam = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^-?[0-9]+$/.test(v) ? Number(v) : v),
    z.number().int().min(min).max(max),
  )

export const machineIdParam = z
  .string()
  .regex(ENTITY_ID, 'machineId: 1-128 characters of A-Z a-z 0-9 . _ : -')
  .meta({ description: 'Machine id, as in the MQTT topic', example: '7' })

const when = z.iso.datetime().nullable()
/** An alarm as the API shows it. */
export const alarmView = z
  .object({
    machineId: z.string(),
    ruleId: z.string(),
    ruleKind: z.enum(['threshold', 'state-duration', 'silent', 'scrap-rate']).nullable(),
    severity: z.enum(SEVERITIES).nullable(),
    state: z.enum([...ALARM_STATES, 'normal']).meta({
      description: 'normal: listed only because it is shelved',
    }),
    raisedAt: when,
    detail: z.string().nullable(),
    acknowledgedAt: when,
    acknowledgedBy: z.string().nullable(),
    clearedAt: when,
    shelved: z
      .object({ by: z.string().nullable(), reason: z.string(), until: z.iso.datetime() })
      .nullable(),
  })
  .meta({ description: 'An alarm that is not normal, or is shelved' })

export const machineView = z
  .object({
    machineId: z.string(),
    state: z.enum(RUN_STATES),
    stateSince: z.iso.datetime().nullable(),
    lastSeenAt: z.iso.datetime().nullable(),
    produced: z.number().int(),
    scrapped: z.number().int(),
    lastOrder: z.number().int().nullable(),
    lastPartId: z.number().int().nullable(),
    lastProducedAt: z.iso.datetime().nullable(),
    metrics: z.record(z.string(), z.number()),
    metricsAt: z.iso.datetime().nullable(),
    oee: z
      .object({
        availability: z.number().nullable().meta({ description: 'running time / planned time' }),
        performance: z
          .number()
          .nullable()
          .meta({ description: 'Σ ideal cycle time (timeToProduce) / running time' }),
        quality: z.number().nullable().meta({ description: 'good parts / all parts' }),
        oee: z.number().nullable(),
      })
      .meta({ description: 'OEE over the configured window, as of the last event' }),
    alerts: z.object({ silent: z.boolean(), scrapRate: z.boolean() }),
    alarms: z.array(alarmView).meta({ description: 'The machine’s alarms not normal, or shelved' }),
    sequence: z.number().int(),
  })
  .meta({ description: 'Live state of one machine' })

export const pageQuery = z.strictObject({
  limit: intParam(1, 1000).default(100).meta({ description: 'Page size (default 100)' }),
  offset: intParam(0).default(0).meta({ description: 'Items to skip (default 0)' }),
})

export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    code: z.string().optional(),
  })
  .meta({ description: 'RFC 9457 problem details' })

/** What a route that reads the database may answer when it cannot reach it. */
export const storeUnavailable = {
  description:
    'The database is unreachable, the reads are busy (a cap on streams or connections) or ran ' +
    'past their deadline, or the service is shutting down; retry after `Retry-After` seconds',
  schema: problem,
}

export const partIdParam = intParam(0).meta({ description: 'Part id (integer)', example: 4 })

/** The key of an event: the id of the entity it is about. */
export const entityKeyParam = z
  .string()
  .regex(ENTITY_ID, 'key: 1-128 characters of A-Z a-z 0-9 . _ : -')
  .meta({ description: 'Entity id: machine, part or material id (the Kafka message key)' })

export const materialIdParam = z
  .string()
  .regex(ENTITY_ID, 'materialId: 1-128 characters of A-Z a-z 0-9 . _ : -')
  .meta({ description: 'Material id', example: 'steel-s235' })

export const partView = z
  .object({
    partId: z.number().int(),
    defaultPrice: z.number().nullable(),
    timeToProduce: z.number().nullable().meta({ description: 'Ideal cycle time, seconds' }),
    materials: z.array(z.string()),
    produced: z.number().int(),
    scrapped: z.number().int(),
    unitMaterialCost: z
      .number()
      .nullable()
      .meta({ description: 'Σ latest prices of its materials' }),
    infoUpdatedAt: z.iso.datetime().nullable(),
  })
  .meta({ description: 'Part reference data and totals over all machines' })

export const materialView = z
  .object({
    materialId: z.string(),
    name: z.string(),
    price: z.number(),
    priceDate: z.iso.datetime(),
    sequence: z.number().int(),
  })
  .meta({ description: 'A material and its latest price' })

export const pricePoint = z.object({
  price: z.number(),
  date: z.iso.datetime(),
  recordedAt: z.iso.datetime(),
})

export const deadLetterView = z
  .object({
    id: z.number().int(),
    source: z.string().meta({ description: 'The MQTT topic it arrived on' }),
    reason: z.string(),
    payloadSize: z.number().int().meta({ description: 'The whole input’s length in bytes' }),
    payloadSha256: z.string().meta({ description: 'SHA-256 of the whole input, hex' }),
    payloadTruncated: z.boolean().meta({
      description: 'Whether only the input’s first DEAD_LETTER_PAYLOAD_BYTES were kept',
    }),
    receivedAt: z.iso.datetime(),
    recordedAt: z.iso.datetime(),
  })
  .meta({
    description:
      'A rejected input and why; its kept bytes are at /dead-letters/{deadLetterId}/payload',
  })

/** Most dead letters in one page: a page is a bounded answer whatever the store holds. */
export const MAX_DEAD_LETTER_PAGE = 500

export const deadLetterQuery = z.strictObject({
  limit: intParam(1, MAX_DEAD_LETTER_PAGE)
    .default(100)
    .meta({ description: `Page size (default 100, at most ${MAX_DEAD_LETTER_PAGE})` }),
  after: intParam(0)
    .default(0)
    .meta({ description: 'Only letters with a larger id (paging; default 0)' }),
})

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), limit: z.number(), offset: z.number() })
