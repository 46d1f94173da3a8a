import { createHash } from 'node:crypto'
import { z } from 'zod'
import {
  legacyProductionPayloadSchema,
  productionPayloadSchema,
  toProductionReport,
  type ProductionReport,
} from './production.js'

/** A raw message as it arrived, before any parsing. */
export type RawInput = { topic: string; payload: Buffer }

/** An input that passed validation, addressed to the entity that owns it. */
export type ValidInput = {
  kind: 'production'
  entityKey: string
  idempotencyKey: string
  report: ProductionReport
}

/** The outcome of decoding: a valid input, or the reason it was rejected. */
export type DecodeResult = { ok: true; input: ValidInput } | { ok: false; reason: string }

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Decodes and validates one raw message against the input contract (DESIGN §2). */
export function decodeInput(
  raw: RawInput,
  topicPrefix: string,
  maxPayloadBytes: number,
): DecodeResult {
  if (raw.payload.length > maxPayloadBytes) {
    return fail(`payload too large: ${raw.payload.length} bytes > ${maxPayloadBytes}`)
  }
  const route = routeTopic(raw.topic, topicPrefix)
  if (!route) return fail(`unknown topic: ${raw.topic}`)

  let body: unknown
  try {
    body = JSON.parse(utf8.decode(raw.payload))
  } catch (err) {
    return fail(`payload is not UTF-8 JSON: ${(err as Error).message}`)
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail('payload must be a JSON object')
  }

  if (route.kind === 'machine-production') {
    const parsed = productionPayloadSchema.safeParse(body)
    if (!parsed.success) return fail(describe(parsed.error))
    if (parsed.data.machineId !== undefined && String(parsed.data.machineId) !== route.machineId) {
      return fail(
        `machineId ${String(parsed.data.machineId)} in body does not match topic machine ${route.machineId}`,
      )
    }
    return production(raw, toProductionReport(route.machineId, parsed.data))
  }
  const parsed = legacyProductionPayloadSchema.safeParse(body)
  if (!parsed.success) return fail(describe(parsed.error))
  return production(raw, toProductionReport(String(parsed.data.machineId), parsed.data))
}

type Route = { kind: 'machine-production'; machineId: string } | { kind: 'legacy-production' }

const ID = /^[A-Za-z0-9._:-]{1,128}$/

function routeTopic(topic: string, prefix: string): Route | undefined {
  if (topic === 'supply-chain') return { kind: 'legacy-production' }
  if (!topic.startsWith(`${prefix}/`)) return undefined
  const parts = topic.slice(prefix.length + 1).split('/')
  if (
    parts.length === 3 &&
    parts[0] === 'machines' &&
    parts[2] === 'production' &&
    ID.test(parts[1] ?? '')
  ) {
    return { kind: 'machine-production', machineId: parts[1] as string }
  }
  return undefined
}

function production(raw: RawInput, report: ProductionReport): DecodeResult {
  return {
    ok: true,
    input: {
      kind: 'production',
      entityKey: report.machineId,
      idempotencyKey: report.messageId ?? contentKey(raw),
      report,
    },
  }
}

/** Idempotency key of a message without messageId: a hash of topic and payload (DESIGN §2). */
export function contentKey(raw: RawInput): string {
  return createHash('sha256').update(raw.topic).update('\0').update(raw.payload).digest('base64url')
}

function describe(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`)
    .join('; ')
}

function fail(reason: string): DecodeResult {
  return { ok: false, reason }
}
