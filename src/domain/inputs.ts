import { hash } from 'node:crypto'
import type { z } from 'zod'
import { acceptLegacyProduction, acceptProduction, acceptTelemetry } from './fast-accept.js'
import type { AlarmCommand } from './alarms/alarm-commands.js'
import {
  alarmCommandPayloadSchema,
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
import { routeTopic } from './topics.js'
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

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * How the body of one kind of message is checked and turned into an input: its schema, an
 * optional fast accept path (see fast-accept.ts; zod decides whenever it declines), the id the
 * body may repeat (checked against the topic's), and the input built from the valid body.
 */
type Handler<V extends { messageId?: string }> = {
  schema: z.ZodType<V>
  fast?: (body: unknown) => V | undefined
  field: string
  inBody: (v: V) => string | number | undefined
  build: (v: V, idempotencyKey: string, id: string, raw: RawInput) => ValidInput
}

const handler = <V extends { messageId?: string }>(h: Handler<V>): Handler<V> => h

const machine = (machineId: string, idempotencyKey: string, input: MachineInput): ValidInput => ({
  entity: 'machine',
  entityKey: machineId,
  idempotencyKey,
  input,
})

const PRODUCTION = handler({
  schema: productionPayloadSchema,
  fast: acceptProduction,
  field: 'machineId',
  inBody: (v) => v.machineId,
  build: (v, k, machineId) =>
    machine(machineId, k, { kind: 'production', report: toProductionReport(machineId, v) }),
})

const LEGACY_PRODUCTION = handler({
  schema: legacyProductionPayloadSchema,
  fast: acceptLegacyProduction,
  field: 'machineId',
  inBody: () => undefined,
  build: (v, k) =>
    machine(String(v.machineId), k, {
      kind: 'production',
      report: toProductionReport(String(v.machineId), v),
    }),
})

const STATUS = handler({
  schema: statusPayloadSchema,
  field: 'machineId',
  inBody: (v) => v.machineId,
  build: (v, k, machineId) =>
    machine(machineId, k, { kind: 'status', state: v.state, at: v.at, reason: v.reason ?? null }),
})

const TELEMETRY = handler({
  schema: telemetryPayloadSchema,
  fast: acceptTelemetry,
  field: 'machineId',
  inBody: (v) => v.machineId,
  build: (v, k, machineId) =>
    machine(machineId, k, { kind: 'telemetry', at: v.at, metrics: v.metrics }),
})

const COMMANDS = handler({
  schema: commandPayloadSchema,
  field: 'machineId',
  inBody: (v) => v.machineId,
  build: (v, k, machineId, raw) =>
    machine(machineId, k, {
      kind: 'command',
      command: v.type,
      at: v.at ?? raw.receivedAt ?? Date.now(),
      requestedBy: v.requestedBy ?? null,
    }),
})

const ALARM_COMMANDS = handler({
  schema: alarmCommandPayloadSchema,
  field: 'machineId',
  inBody: (v) => v.machineId,
  build: (v, k, machineId) =>
    machine(machineId, k, {
      kind: 'alarm',
      command: toAlarmCommand(v),
      requestedBy: v.requestedBy ?? null,
    }),
})

function toAlarmCommand(v: z.output<typeof alarmCommandPayloadSchema>): AlarmCommand {
  switch (v.type) {
    case 'alarm-acknowledge':
      return { action: 'acknowledge', ruleId: v.ruleId }
    case 'alarm-shelve':
      return { action: 'shelve', ruleId: v.ruleId, reason: v.reason, forMs: v.forSeconds * 1000 }
    case 'alarm-unshelve':
      return { action: 'unshelve', ruleId: v.ruleId }
    case 'alarm-comment':
      return { action: 'comment', ruleId: v.ruleId, text: v.text }
  }
}

/** Whether a commands-topic body is about an alarm (`type` starting `alarm-`). */
function isAlarmCommand(body: object): boolean {
  const type = 'type' in body ? body.type : undefined
  return typeof type === 'string' && type.startsWith('alarm-')
}

const PART_INFO = handler({
  schema: partInfoPayloadSchema,
  field: 'partId',
  inBody: (v) => v.partId,
  build: (v, k, partId, raw) => ({
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
})

const MATERIAL = handler({
  schema: materialPayloadSchema,
  field: 'materialId',
  inBody: (v) => v.materialId,
  build: (v, k, materialId) => ({
    entity: 'material',
    entityKey: materialId,
    idempotencyKey: k,
    input: { kind: 'material-price', name: v.name, price: v.price, date: v.date },
  }),
})

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

  switch (route.kind) {
    case 'production':
      return validate(PRODUCTION, body, route.machineId, raw)
    case 'legacy-production':
      return validate(LEGACY_PRODUCTION, body, '', raw)
    case 'status':
      return validate(STATUS, body, route.machineId, raw)
    case 'telemetry':
      return validate(TELEMETRY, body, route.machineId, raw)
    case 'commands':
      return isAlarmCommand(body)
        ? validate(ALARM_COMMANDS, body, route.machineId, raw)
        : validate(COMMANDS, body, route.machineId, raw)
    case 'part-info':
      return validate(PART_INFO, body, String(route.partId), raw)
    case 'material':
      return validate(MATERIAL, body, route.materialId, raw)
  }
}

/**
 * Validates the body (the fast path first, zod when it is not sure), checks an id it repeats
 * against the topic's `id`, and builds the input.
 */
function validate<V extends { messageId?: string }>(
  h: Handler<V>,
  body: unknown,
  id: string,
  raw: RawInput,
): DecodeResult {
  let v = h.fast?.(body)
  if (v === undefined) {
    const parsed = h.schema.safeParse(body)
    if (!parsed.success) return fail(describe(parsed.error))
    v = parsed.data
  }
  const inBody = h.inBody(v)
  if (inBody !== undefined && String(inBody) !== id) {
    return fail(`${h.field} ${String(inBody)} in body does not match topic ${h.field} ${id}`)
  }
  return { ok: true, input: h.build(v, v.messageId ?? contentKey(raw), id, raw) }
}

function describe(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`)
    .join('; ')
}

/** Idempotency key of a message without messageId: a hash of topic and payload. */
export function contentKey(raw: RawInput): string {
  // sha256(topic, U+0000, payload), as createHash(...).update() thrice would: one-shot is cheaper.
  return hash('sha256', Buffer.concat([Buffer.from(raw.topic), NUL, raw.payload]), 'base64url')
}

const NUL = Buffer.from([0])

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
