import { z } from 'zod'

/** Request and response shapes, defined once: they validate requests and feed the OpenAPI document. */
export const machineIdParam = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'machineId: 1-128 characters of A-Z a-z 0-9 . _ : -')
  .meta({ description: 'Machine id, as in the MQTT topic', example: '7' })

export const machineView = z
  .object({
    machineId: z.string(),
    state: z.enum(['unknown', 'running', 'idle', 'down', 'maintenance']),
    stateSince: z.iso.datetime().nullable(),
    lastSeenAt: z.iso.datetime().nullable(),
    produced: z.number().int(),
    scrapped: z.number().int(),
    lastOrder: z.number().int().nullable(),
    lastPartId: z.number().int().nullable(),
    lastProducedAt: z.iso.datetime().nullable(),
    sequence: z.number().int(),
  })
  .meta({ description: 'Live state of one machine' })

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
})

export const machineList = z
  .object({ items: z.array(machineView), limit: z.number(), offset: z.number() })
  .meta({ description: 'A page of machines' })

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
