import type { z } from 'zod'
import { ENTITY_ID } from './ids.js'
import {
  MESSAGE_ID_MAX,
  METRIC_NAME,
  METRICS_MAX,
  type telemetryPayloadSchema,
} from './input-schemas.js'
import {
  VAR_TEXT_MAX,
  type legacyProductionPayloadSchema,
  type productionPayloadSchema,
} from './production.js'
import { EPOCH_MS_MAX } from './timestamps.js'

/*
 * A fast accept path for the two hot payloads, production reports and telemetry. zod's safeParse
 * was about half the cost of decoding a message; these hand-written checks recognise the
 * common, plainly valid shape at a fraction of it.
 *
 * zod is still the definition of the contract. For a body of that shape, each function here
 * returns exactly what the schema's safeParse would return as `data` (with defaults and
 * transforms applied); for anything else it returns undefined, meaning "not sure". The caller
 * then runs zod, which decides, and writes every error message. So the functions may decline a
 * valid body but must never accept one zod rejects, nor build a different value:
 * test/unit/domain/fast-accept.test.ts holds them to that against the schemas.
 *
 * They are written for what JSON.parse builds (plain objects, no symbol keys or accessors).
 * Declined here, left to zod: ISO-8601 timestamps, any text with U+0000 or a surrogate (zod
 * counts code points and rejects unpaired ones), unknown or undefined-valued keys, objects with
 * another prototype, and a metric named __proto__ (which zod drops from the record).
 */

export type ProductionPayload = z.output<typeof productionPayloadSchema>
export type LegacyProductionPayload = z.output<typeof legacyProductionPayloadSchema>
export type TelemetryPayload = z.output<typeof telemetryPayloadSchema>

/** U+0000 or any surrogate: text zod would look at more closely. */
const NOT_PLAIN = /[\0\uD800-\uDFFF]/

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype
}

/** timestampSchema's number branch: whole epoch milliseconds up to the end of year 9999. */
function isEpochMs(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= EPOCH_MS_MAX
}

/** z.number().int().nonnegative(): zod's int() is a safe integer. */
function isWholeNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
}

/** z.number(): zod 4 rejects NaN and ±Infinity. */
function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v)
}

/** min..max UTF-16 units, with no U+0000 and no surrogate at all. */
function isPlainText(v: unknown, min: number, max: number): v is string {
  return typeof v === 'string' && v.length >= min && v.length <= max && !NOT_PLAIN.test(v)
}

/** An entity id in a body: an ENTITY_ID string or a non-negative safe integer. */
function isEntityId(v: unknown): v is string | number {
  return typeof v === 'string' ? ENTITY_ID.test(v) : isWholeNumber(v)
}

/** Enumerable keys of an object, own and inherited (what zod's strict check walks). */
function keyCount(o: object): number {
  let n = 0
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- only counted
  for (const _ in o) n++
  return n
}

/** productionPayloadSchema's data for a plainly valid body, else undefined. */
export function acceptProduction(body: unknown): ProductionPayload | undefined {
  return production(body, false)
}

/** legacyProductionPayloadSchema's data (machineId required) for a plainly valid body. */
export function acceptLegacyProduction(body: unknown): LegacyProductionPayload | undefined {
  return production(body, true) as LegacyProductionPayload | undefined
}

function production(body: unknown, machineIdRequired: boolean): ProductionPayload | undefined {
  if (!isPlainObject(body)) return undefined
  const { timeOfProduction, order, partId, machineId, var1, var2, var3, var4, var5, messageId } =
    body
  if (!isEpochMs(timeOfProduction) || !isWholeNumber(order) || !isWholeNumber(partId)) {
    return undefined
  }
  // Keys in the schema's order, present exactly when zod's output has them.
  const out: ProductionPayload = { timeOfProduction, order, partId } as ProductionPayload
  let present = 3
  if (machineId !== undefined) {
    if (!isEntityId(machineId)) return undefined
    out.machineId = machineId
    present++
  } else if (machineIdRequired) return undefined
  if (var1 !== undefined) {
    if (!isFiniteNumber(var1)) return undefined
    out.var1 = var1
    present++
  }
  if (var2 !== undefined) {
    if (!isPlainText(var2, 0, VAR_TEXT_MAX)) return undefined
    out.var2 = var2
    present++
  }
  if (var3 !== undefined) {
    if (!isPlainText(var3, 0, VAR_TEXT_MAX)) return undefined
    out.var3 = var3
    present++
  }
  if (var4 !== undefined) {
    if (!isFiniteNumber(var4)) return undefined
    out.var4 = var4
    present++
  }
  if (var5 !== undefined) {
    if (typeof var5 !== 'boolean') return undefined
    out.var5 = var5
    present++
  } else out.var5 = false
  if (messageId !== undefined) {
    if (!isPlainText(messageId, 1, MESSAGE_ID_MAX)) return undefined
    out.messageId = messageId
    present++
  }
  // Any other key (or a known one holding undefined) is for zod to judge.
  return keyCount(body) === present ? out : undefined
}

/** telemetryPayloadSchema's data for a plainly valid body, else undefined. */
export function acceptTelemetry(body: unknown): TelemetryPayload | undefined {
  if (!isPlainObject(body)) return undefined
  const { at, metrics, machineId, messageId } = body
  if (!isEpochMs(at) || !isPlainObject(metrics)) return undefined
  // zod walks Reflect.ownKeys and fails on a symbol key; Object.keys would not see one.
  if (Object.getOwnPropertySymbols(metrics).length > 0) return undefined
  const names = Object.keys(metrics)
  if (names.length === 0 || names.length > METRICS_MAX) return undefined
  // A copy, as zod's record builds one, in the same key order.
  const copy: Record<string, number> = {}
  for (const name of names) {
    const value = metrics[name]
    if (name === '__proto__' || !METRIC_NAME.test(name) || !isFiniteNumber(value)) return undefined
    copy[name] = value
  }
  const out: TelemetryPayload = { at, metrics: copy }
  let present = 2
  if (machineId !== undefined) {
    if (!isEntityId(machineId)) return undefined
    out.machineId = machineId
    present++
  }
  if (messageId !== undefined) {
    if (!isPlainText(messageId, 1, MESSAGE_ID_MAX)) return undefined
    out.messageId = messageId
    present++
  }
  return keyCount(body) === present ? out : undefined
}
