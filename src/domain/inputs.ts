import { createHash } from 'node:crypto'
import type { z } from 'zod'
import {
  commandPayloadSchema,
  materialPayloadSchema,
  partInfoPayloadSchema,
  statusPayloadSchema,
  telemetryPayloadSchema,
} from './input-schemas.js'
import { ENTITY_ID } from './ids.js'
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
  | { kind: 'production' | 'status' | 'telemetry' | 'commands'; machineId: string }
  | { kind: 'part-info'; partId: number }
  | { kind: 'material'; materialId: string }
  | { kind: 'legacy-production' }

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Decodes and validates one raw message against the input contract. */
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

  /** Validates the body, checks an id it repeats against the topic's, and builds the input. */
  const validate = <V extends { messageId?: string }>(
    schema: z.ZodType<V>,
    id: { field: string; inBody: (v: V) => string | number | undefined; inTopic: string },
    build: (v: V, idempotencyKey: string) => ValidInput,
  ): DecodeResult => {
    const parsed = schema.safeParse(body)
    if (!parsed.success) return fail(describe(parsed.error))
    const inBody = id.inBody(parsed.data)
    if (inBody !== undefined && String(inBody) !== id.inTopic) {
      return fail(
        `${id.field} ${String(inBody)} in body does not match topic ${id.field} ${id.inTopic}`,
      )
    }
    return { ok: true, input: build(parsed.data, parsed.data.messageId ?? contentKey(raw)) }
  }
  const machine = (machineId: string, idempotencyKey: string, input: MachineInput): ValidInput => ({
    entity: 'machine',
    entityKey: machineId,
    idempotencyKey,
    input,
  })

  switch (route.kind) {
    case 'production': {
      const { machineId } = route
      return validate(
        productionPayloadSchema,
        { field: 'machineId', inBody: (v) => v.machineId, inTopic: machineId },
        (v, k) =>
          machine(machineId, k, { kind: 'production', report: toProductionReport(machineId, v) }),
      )
    }
    case 'legacy-production': {
      return validate(
        legacyProductionPayloadSchema,
        { field: 'machineId', inBody: () => undefined, inTopic: '' },
        (v, k) =>
          machine(String(v.machineId), k, {
            kind: 'production',
            report: toProductionReport(String(v.machineId), v),
          }),
      )
    }
    case 'status': {
      const { machineId } = route
      return validate(
        statusPayloadSchema,
        { field: 'machineId', inBody: (v) => v.machineId, inTopic: machineId },
        (v, k) =>
          machine(machineId, k, {
            kind: 'status',
            state: v.state,
            at: v.at,
            reason: v.reason ?? null,
          }),
      )
    }
    case 'telemetry': {
      const { machineId } = route
      return validate(
        telemetryPayloadSchema,
        { field: 'machineId', inBody: (v) => v.machineId, inTopic: machineId },
        (v, k) => machine(machineId, k, { kind: 'telemetry', at: v.at, metrics: v.metrics }),
      )
    }
    case 'commands': {
      const { machineId } = route
      return validate(
        commandPayloadSchema,
        { field: 'machineId', inBody: (v) => v.machineId, inTopic: machineId },
        (v, k) =>
          machine(machineId, k, {
            kind: 'command',
            command: v.type,
            at: v.at ?? raw.receivedAt ?? Date.now(),
            requestedBy: v.requestedBy ?? null,
          }),
      )
    }
    case 'part-info': {
      const partId = String(route.partId)
      return validate(
        partInfoPayloadSchema,
        { field: 'partId', inBody: (v) => v.partId, inTopic: partId },
        (v, k) => ({
          entity: 'part',
          entityKey: partId,
          idempotencyKey: k,
          input: {
            kind: 'part-info',
            defaultPrice: v.defaultPrice,
            timeToProduce: v.timeToProduce,
            materials: (v.materials ?? []).map(String),
            at: raw.receivedAt ?? Date.now(),
          },
        }),
      )
    }
    case 'material': {
      const { materialId } = route
      return validate(
        materialPayloadSchema,
        { field: 'materialId', inBody: (v) => v.materialId, inTopic: materialId },
        (v, k) => ({
          entity: 'material',
          entityKey: materialId,
          idempotencyKey: k,
          input: { kind: 'material-price', name: v.name, price: v.price, date: v.date },
        }),
      )
    }
  }
}

/** Which entity and input a topic addresses, or undefined when the pipeline does not read it. */
export function routeTopic(topic: string, prefix: string): Route | undefined {
  if (topic === 'supply-chain') return { kind: 'legacy-production' }
  if (!topic.startsWith(`${prefix}/`)) return undefined
  const [kind, id, leaf, ...rest] = topic.slice(prefix.length + 1).split('/')
  if (rest.length > 0 || id === undefined || !ENTITY_ID.test(id)) return undefined
  if (
    kind === 'machines' &&
    (leaf === 'production' || leaf === 'status' || leaf === 'telemetry' || leaf === 'commands')
  ) {
    return { kind: leaf, machineId: id }
  }
  if (kind === 'parts' && leaf === 'info' && /^\d{1,15}$/.test(id))
    return { kind: 'part-info', partId: Number(id) }
  if (kind === 'materials' && leaf === undefined) return { kind: 'material', materialId: id }
  return undefined
}

function describe(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`)
    .join('; ')
}

/** Idempotency key of a message without messageId: a hash of topic and payload. */
export function contentKey(raw: RawInput): string {
  return createHash('sha256').update(raw.topic).update('\0').update(raw.payload).digest('base64url')
}

function fail(reason: string): DecodeResult {
  return { ok: false, reason }
}

/**
 * The id of the entity a message addresses, from its topic (or, on the legacy topic, the
 * machineId of its body), without validating the rest; undefined when none can be found (such
 * a message is dead-lettered where it is decoded in full).
 */
export function entityKeyOf(raw: RawInput, topicPrefix: string): string | undefined {
  const route = routeTopic(raw.topic, topicPrefix)
  if (!route) return undefined
  switch (route.kind) {
    case 'part-info':
      return String(route.partId)
    case 'material':
      return route.materialId
    case 'legacy-production': {
      const body = parseOrUndefined(raw.payload)
      const id =
        typeof body === 'object' && body !== null
          ? (body as { machineId?: unknown }).machineId
          : undefined
      return (typeof id === 'number' || typeof id === 'string') && ENTITY_ID.test(String(id))
        ? String(id)
        : undefined
    }
    default:
      return route.machineId
  }
}

function parseOrUndefined(payload: Buffer): unknown {
  try {
    return JSON.parse(utf8.decode(payload))
  } catch {
    return undefined
  }
}
