import { readFileSync } from 'node:fs'
import path from 'node:path'
import {
  INGEST_SCHEMAS_DIR,
  IngestRecordCodec,
  type IngestRecord,
} from '../../../src/cluster/ingest-record'
import {
  parseSchema,
  SchemaRegistry,
  type HistoricalSchema,
} from '../../../src/publish/avro/schema-registry'
import { encodeSingleObject, SINGLE_OBJECT_MARKER } from '../../../src/publish/avro/single-object'

const record: IngestRecord = {
  topic: 'factory/machines/m-7/production',
  payload: Buffer.from('{"timeOfProduction":0,"order":1,"partId":2}'),
  receivedAt: 1_702_166_400_123,
  bridgedBy: 'ingest-1:4242',
}

const ingestRegistry = SchemaRegistry.fromDirectory(INGEST_SCHEMAS_DIR)

type SchemaJson = { fields: unknown[] } & Record<string, unknown>

/** The released v1 of IngestMessage, as its file holds it. */
function releasedV1(): { json: SchemaJson; schema: HistoricalSchema } {
  const file = path.join(INGEST_SCHEMAS_DIR, 'history', 'IngestMessage', 'v1.avsc')
  const json = JSON.parse(readFileSync(file, 'utf8')) as SchemaJson
  return { json, schema: { ...parseSchema(json), version: 1 } }
}

describe('ingest records on the Kafka ingest topic', () => {
  const codec = new IngestRecordCodec()

  it('reads back what it wrote: topic, payload bytes, time received and the bridge', () => {
    expect(codec.decode(codec.encode(record))).toEqual(record)
  })

  it('keeps payload bytes that are not UTF-8 byte for byte', () => {
    const payload = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0x7b])
    const decoded = codec.decode(codec.encode({ ...record, payload }))
    expect(Buffer.isBuffer(decoded.payload)).toBe(true)
    expect(decoded.payload.equals(payload)).toBe(true)
  })

  it('keeps an empty payload and a topic outside the contract', () => {
    const odd = { ...record, topic: 'somewhere/else', payload: Buffer.alloc(0) }
    expect(codec.decode(codec.encode(odd))).toEqual(odd)
  })

  it('writes the single-object marker and the fingerprint of the current schema first', () => {
    const value = codec.encode(record)
    expect(value.subarray(0, 2)).toEqual(SINGLE_OBJECT_MARKER)
    expect(value.subarray(2, 10)).toEqual(ingestRegistry.get('IngestMessage').fingerprint)
  })

  it('refuses bytes that are not single-object encoded', () => {
    expect(() => codec.decode(Buffer.from('{"topic":"factory/machines/1/status"}'))).toThrow(
      /not Avro single-object encoding/,
    )
    expect(() => codec.decode(Buffer.alloc(0))).toThrow(/not Avro single-object encoding/)
  })

  it('refuses a record whose writer schema it does not know', () => {
    const events = SchemaRegistry.fromDirectory()
    const partProduced = events.get('PartProduced')
    const value = encodeSingleObject(partProduced, partProduced.type.random())
    expect(() => codec.decode(value)).toThrow(
      `unknown writer schema fingerprint ${partProduced.fingerprintHex}`,
    )
  })

  it('refuses an event record of another schema it knows, naming it', () => {
    const events = SchemaRegistry.fromDirectory()
    const both = new SchemaRegistry([...ingestRegistry.all(), ...events.all()])
    const partProduced = events.get('PartProduced')
    const value = encodeSingleObject(partProduced, partProduced.type.random())
    expect(() => new IngestRecordCodec(both).decode(value)).toThrow(
      'not an ingest record: PartProduced',
    )
  })

  it('refuses a record cut short after its header', () => {
    const value = codec.encode(record)
    expect(() => codec.decode(value.subarray(0, 14))).toThrow()
  })

  describe('written by an ingest instance of an older version', () => {
    /** A registry whose current IngestMessage has one field more, with a default, than v1. */
    const newer = () => {
      const { json, schema: v1 } = releasedV1()
      const current = parseSchema({
        ...json,
        fields: [...json.fields, { name: 'lane', type: 'string', default: 'main' }],
      })
      return { registry: new SchemaRegistry([current], [v1]), current, v1 }
    }

    it('reads the old record into the current shape, the new field at its default', () => {
      const { registry, current, v1 } = newer()
      expect(current.fingerprintHex).not.toBe(v1.fingerprintHex)
      const reader = new IngestRecordCodec(registry)
      const written = new IngestRecordCodec().encode(record)
      expect(written.subarray(2, 10)).toEqual(v1.fingerprint)
      const read = reader.decode(written)
      expect(read).toEqual({ ...record, lane: 'main' })
      // A second record of that version goes through the same resolver.
      const again = reader.decode(new IngestRecordCodec().encode({ ...record, topic: 'x/y' }))
      expect(again).toEqual({ ...record, topic: 'x/y', lane: 'main' })
    })

    it('writes with the current version of its own registry', () => {
      const { registry, current } = newer()
      const value = new IngestRecordCodec(registry).encode({
        ...record,
        lane: 'side',
      } as IngestRecord)
      expect(value.subarray(2, 10)).toEqual(current.fingerprint)
      expect(new IngestRecordCodec(registry).decode(value)).toEqual({ ...record, lane: 'side' })
    })
  })
})
