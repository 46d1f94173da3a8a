import { z } from 'zod'
import { ENTITY_ID } from './ids.js'
import { MESSAGE_ID_MAX } from './input-schemas.js'
import { isStorable, UNSTORABLE_TEXT } from './text.js'
import { timestampSchema } from './timestamps.js'

/** Longest var2/var3 text, in UTF-16 units as zod's max counts. */
export const VAR_TEXT_MAX = 1024

const machineIdInBody = z.union([
  z.string().regex(ENTITY_ID, 'machine ids: 1-128 of A-Z a-z 0-9 . _ : -'),
  z.number().int().nonnegative(),
])

/** Body of `factory/machines/{machineId}/production` (machineId optional, must match the topic). */
export const productionPayloadSchema = z.strictObject({
  timeOfProduction: timestampSchema,
  order: z.number().int('must be an integer').nonnegative(),
  partId: z.number().int('must be an integer').nonnegative(),
  machineId: machineIdInBody.optional(),
  var1: z.number().optional(),
  var2: z.string().max(VAR_TEXT_MAX).refine(isStorable, UNSTORABLE_TEXT).optional(),
  var3: z.string().max(VAR_TEXT_MAX).refine(isStorable, UNSTORABLE_TEXT).optional(),
  var4: z.number().optional(),
  var5: z.boolean().default(false),
  messageId: z.string().min(1).max(MESSAGE_ID_MAX).refine(isStorable, UNSTORABLE_TEXT).optional(),
})

/** Body of the legacy `supply-chain` topic: the same fields, with machineId required. */
export const legacyProductionPayloadSchema = productionPayloadSchema.extend({
  machineId: machineIdInBody,
})

/** A validated production report, ids normalised to strings/numbers. */
export type ProductionReport = {
  machineId: string
  partId: number
  order: number
  producedAt: number
  damaged: boolean
  var1: number | null
  var2: string | null
  var3: string | null
  var4: number | null
  messageId: string | null
}

/** Normalises a parsed payload and the machine id the topic named. */
export function toProductionReport(
  machineId: string,
  body: z.infer<typeof productionPayloadSchema>,
): ProductionReport {
  return {
    machineId,
    partId: body.partId,
    order: body.order,
    producedAt: body.timeOfProduction,
    damaged: body.var5,
    var1: body.var1 ?? null,
    var2: body.var2 ?? null,
    var3: body.var3 ?? null,
    var4: body.var4 ?? null,
    messageId: body.messageId ?? null,
  }
}
