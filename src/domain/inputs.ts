import { createHash } from 'node:crypto'
import type { z } from 'zod'
import {
  materialPayloadSchema,
  partInfoPayloadSchema,
  statusPayloadSchema,
  telemetryPayloadSchema,
} from './input-schemas.js'
import type { MachineInput } from './machine.js'
import type { MaterialInput } from './material.js'
import type { PartInput } from './part.js'
import {
  legacyProductionPayloadSchema,
  productionPayloadSchema,
  toProductionReport,
} from './production.js'

/** A raw message as it arrived, before any parsing. */
export type RawInput = { topic: string; payload: Buffer; receivedAt?: number }

/** An input that passed validation, addressed to the entity actor that owns it. */
export type ValidInput =
  | { entity: 'machine'; entityKey: string; idempotencyKey: string; input: MachineInput }
  | {
      entity: 'part'
      entityKey: string
      idempotencyKey: string
      input: Extract<PartInput, { kind: 'part-info' }>
    }
  | { entity: 'material'; entityKey: string; idempotencyKey: string; input: MaterialInput }

/** The outcome of decoding: a valid input, or the reason it was rejected. */
export type DecodeResult = { ok: true; input: ValidInput } | { ok: false; reason: string }

type Route =
  | { kind: 'production' | 'status' | 'telemetry'; machineId: string }
  | { kind: 'part-info'; partId: number }
  | { kind: 'material'; materialId: string }
  | { kind: 'legacy-production' }

const utf8 = new TextDecoder('utf-8', { fatal: true })
const ID = /^[A-Za-z0-9._:-]{1,128}$/

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
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return fail('payload must be a JSON object')
  const key = (given: string | undefined) => given ?? contentKey(raw)

  switch (route.kind) {
    case 'production': {
      const p = parse(productionPayloadSchema, body)
      if (!p.ok) return p
      const mismatch = idMismatch('machineId', p.value.machineId, route.machineId)
      if (mismatch) return mismatch
      const report = toProductionReport(route.machineId, p.value)
      return machine(route.machineId, key(p.value.messageId), { kind: 'production', report })
    }
    case 'legacy-production': {
      const p = parse(legacyProductionPayloadSchema, body)
      if (!p.ok) return p
      const machineId = String(p.value.machineId)
      if (!ID.test(machineId)) return fail(`machineId: ${machineId} is not a valid id`)
      return machine(machineId, key(p.value.messageId), {
        kind: 'production',
        report: toProductionReport(machineId, p.value),
      })
    }
    case 'status': {
      const p = parse(statusPayloadSchema, body)
      if (!p.ok) return p
      const mismatch = idMismatch('machineId', p.value.machineId, route.machineId)
      if (mismatch) return mismatch
      return machine(route.machineId, key(p.value.messageId), {
        kind: 'status',
        state: p.value.state,
        at: p.value.at,
        reason: p.value.reason ?? null,
      })
    }
    case 'telemetry': {
      const p = parse(telemetryPayloadSchema, body)
      if (!p.ok) return p
      const mismatch = idMismatch('machineId', p.value.machineId, route.machineId)
      if (mismatch) return mismatch
      return machine(route.machineId, key(p.value.messageId), {
        kind: 'telemetry',
        at: p.value.at,
        metrics: p.value.metrics,
      })
    }
    case 'part-info': {
      const p = parse(partInfoPayloadSchema, body)
      if (!p.ok) return p
      const mismatch = idMismatch('partId', p.value.partId, String(route.partId))
      if (mismatch) return mismatch
      return {
        ok: true,
        input: {
          entity: 'part',
          entityKey: String(route.partId),
          idempotencyKey: key(p.value.messageId),
          input: {
            kind: 'part-info',
            defaultPrice: p.value.defaultPrice,
            timeToProduce: p.value.timeToProduce,
            materials: (p.value.materials ?? []).map(String),
            at: raw.receivedAt ?? Date.now(),
          },
        },
      }
    }
    case 'material': {
      const p = parse(materialPayloadSchema, body)
      if (!p.ok) return p
      const mismatch = idMismatch('materialId', p.value.materialId, route.materialId)
      if (mismatch) return mismatch
      return {
        ok: true,
        input: {
          entity: 'material',
          entityKey: route.materialId,
          idempotencyKey: key(p.value.messageId),
          input: {
            kind: 'material-price',
            name: p.value.name,
            price: p.value.price,
            date: p.value.date,
          },
        },
      }
    }
  }
}

function routeTopic(topic: string, prefix: string): Route | undefined {
  if (topic === 'supply-chain') return { kind: 'legacy-production' }
  if (!topic.startsWith(`${prefix}/`)) return undefined
  const [kind, id, leaf, ...rest] = topic.slice(prefix.length + 1).split('/')
  if (rest.length > 0 || id === undefined || !ID.test(id)) return undefined
  if (kind === 'machines' && (leaf === 'production' || leaf === 'status' || leaf === 'telemetry')) {
    return { kind: leaf, machineId: id }
  }
  if (kind === 'parts' && leaf === 'info' && /^\d{1,15}$/.test(id))
    return { kind: 'part-info', partId: Number(id) }
  if (kind === 'materials' && leaf === undefined) return { kind: 'material', materialId: id }
  return undefined
}

function machine(machineId: string, idempotencyKey: string, input: MachineInput): DecodeResult {
  return { ok: true, input: { entity: 'machine', entityKey: machineId, idempotencyKey, input } }
}

function parse<S extends z.ZodType>(
  schema: S,
  body: unknown,
): { ok: true; value: z.output<S> } | { ok: false; reason: string } {
  const parsed = schema.safeParse(body)
  if (parsed.success) return { ok: true, value: parsed.data }
  return {
    ok: false,
    reason: parsed.error.issues
      .map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`)
      .join('; '),
  }
}

function idMismatch(
  field: string,
  inBody: string | number | undefined,
  inTopic: string,
): DecodeResult | undefined {
  if (inBody === undefined || String(inBody) === inTopic) return undefined
  return fail(`${field} ${String(inBody)} in body does not match topic ${field} ${inTopic}`)
}

/** Idempotency key of a message without messageId: a hash of topic and payload (DESIGN §2). */
export function contentKey(raw: RawInput): string {
  return createHash('sha256').update(raw.topic).update('\0').update(raw.payload).digest('base64url')
}

function fail(reason: string): DecodeResult {
  return { ok: false, reason }
}
