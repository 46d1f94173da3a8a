import { get } from 'sparkplug-payload'
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload.js'

export type SparkplugMetric = UMetric
export type SparkplugPayload = UPayload

/** The Sparkplug B messages an edge node of the simulator publishes. */
export type SparkplugMessageType = 'NBIRTH' | 'NDEATH' | 'DBIRTH' | 'DDEATH' | 'DDATA'

/** A Sparkplug message ready to publish. */
export type SparkplugMessage = {
  type: SparkplugMessageType
  topic: string
  payload: Buffer
  qos: 0 | 1
}

const NAMESPACE = 'spBv1.0'

const codec = get(NAMESPACE)
if (!codec) throw new Error(`sparkplug-payload has no codec for ${NAMESPACE}`)
const { encodePayload, decodePayload } = codec

export function encodeSparkplug(payload: SparkplugPayload): Buffer {
  const bytes = encodePayload(payload)
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** Decodes a payload; throws on bytes that are not a Sparkplug B payload. */
export function decodeSparkplug(bytes: Uint8Array): SparkplugPayload {
  return decodePayload(bytes)
}

/** `spBv1.0/{group}/{type}/{node}[/{device}]`: where an edge node's messages go. */
export function sparkplugTopic(
  group: string,
  type: SparkplugMessageType | 'NCMD' | 'DCMD',
  node: string,
  device?: string,
): string {
  const base = `${NAMESPACE}/${group}/${type}/${node}`
  return device === undefined ? base : `${base}/${device}`
}

/** A metric's value as a JS number: UInt64 values decode as `long` objects. */
export function numberOf(value: SparkplugMetric['value']): number | undefined {
  if (typeof value === 'number') return value
  if (value !== null && typeof value === 'object' && 'toNumber' in value) return value.toNumber()
  return undefined
}
