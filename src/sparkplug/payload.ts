import { get } from 'sparkplug-payload'
import type { UPayload } from 'sparkplug-payload/lib/sparkplugbpayload.js'

// Eclipse Tahu's codec of the Sparkplug B protobuf payload.
const codec = get('spBv1.0')!

/** A metric's value as the host uses it: numbers (64-bit ones as the nearest double), text, flags. */
export type MetricValue = number | boolean | string | null

/** One metric of a payload: by name in births, often by alias alone in data. */
export type Metric = {
  name?: string
  alias?: number
  datatype?: string
  value: MetricValue
  /** Epoch ms, when the metric carries its own. */
  timestamp?: number
}

export type Payload = { timestamp?: number; seq?: number; metrics: Metric[] }

export type DecodedPayload = { ok: true; payload: Payload } | { ok: false; reason: string }

type LongLike = { toNumber(): number }
const isLong = (x: unknown): x is LongLike =>
  typeof x === 'object' && x !== null && typeof (x as LongLike).toNumber === 'function'

const numberOf = (x: unknown): number | undefined =>
  typeof x === 'number' ? x : isLong(x) ? x.toNumber() : undefined

/** Latest instant a timestamp may name: what the input contract (RFC 3339) can write. */
const LAST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z')

/** Epoch ms, or undefined for a time no date can hold (the receipt time stands in then). */
function instant(x: unknown): number | undefined {
  const ms = numberOf(x)
  return ms !== undefined && Number.isInteger(ms) && ms >= 0 && ms <= LAST_INSTANT ? ms : undefined
}

function valueOf(raw: unknown, isNull: boolean | null | undefined): MetricValue {
  if (isNull) return null
  if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'string') return raw
  if (isLong(raw)) return raw.toNumber()
  // Data sets, templates, bytes and files: the host has no use for them.
  return null
}

/** Decodes a Sparkplug B payload; a payload that is not one comes back with the reason. */
export function decodePayload(bytes: Buffer): DecodedPayload {
  let p: UPayload
  try {
    p = codec.decodePayload(bytes)
  } catch (err) {
    return { ok: false, reason: `not a Sparkplug B payload: ${(err as Error).message}` }
  }
  const metrics = (p.metrics ?? []).map((m): Metric => {
    const alias = numberOf(m.alias)
    const timestamp = instant(m.timestamp)
    return {
      ...(m.name ? { name: m.name } : {}),
      ...(alias === undefined ? {} : { alias }),
      ...(m.type ? { datatype: String(m.type) } : {}),
      value: valueOf(m.value, m.isNull),
      ...(timestamp === undefined ? {} : { timestamp }),
    }
  })
  const timestamp = instant(p.timestamp)
  const seq = numberOf(p.seq)
  return {
    ok: true,
    payload: {
      ...(timestamp === undefined ? {} : { timestamp }),
      ...(seq === undefined ? {} : { seq }),
      metrics,
    },
  }
}

/** A command's payload: one metric written, by name (NCMD and DCMD carry names, not aliases). */
export function encodeCommand(
  name: string,
  datatype: string,
  value: MetricValue,
  now: number,
): Buffer {
  const metric = { name, type: datatype, value }
  return Buffer.from(codec.encodePayload({ timestamp: now, metrics: [metric] } as UPayload))
}

/** The Sparkplug datatype a command value is sent as. */
export function datatypeOf(value: number | boolean | string): string {
  if (typeof value === 'boolean') return 'Boolean'
  if (typeof value === 'string') return 'String'
  return Number.isInteger(value) ? 'Int64' : 'Double'
}
