import type { EventSchema } from './schema-registry.js'

/** Marker that starts every Avro single-object encoded message. */
export const SINGLE_OBJECT_MARKER = Buffer.from([0xc3, 0x01])

/** Encodes a record as Avro single-object encoding: marker, fingerprint, binary body. */
export function encodeSingleObject(schema: EventSchema, record: unknown): Buffer {
  return Buffer.concat([SINGLE_OBJECT_MARKER, schema.fingerprint, schema.type.toBuffer(record)])
}

/** Decodes a single-object encoded message, finding the writer schema by fingerprint. */
export function decodeSingleObject(
  buf: Buffer,
  lookup: (fingerprint: Buffer) => EventSchema | undefined,
): { schema: EventSchema; record: unknown } {
  if (buf.length < 10 || buf[0] !== 0xc3 || buf[1] !== 0x01) {
    throw new Error('not Avro single-object encoding (no C3 01 marker)')
  }
  const schema = lookup(buf.subarray(2, 10))
  if (!schema)
    throw new Error(`unknown writer schema fingerprint ${buf.subarray(2, 10).toString('hex')}`)
  return { schema, record: schema.type.fromBuffer(buf.subarray(10)) }
}
