import type { PartProduced } from '../../../../src/domain/events'
import { SchemaRegistry } from '../../../../src/publish/avro/schema-registry'
import { decodeSingleObject, encodeSingleObject } from '../../../../src/publish/avro/single-object'

const registry = SchemaRegistry.fromDirectory()
const schema = registry.get('PartProduced')
const lookup = (fp: Buffer) => registry.all().find((s) => s.fingerprint.equals(fp))

const event: PartProduced = {
  eventId: '4b8f2c0e-3a5e-4a47-9d62-1f0c1f7f9a10',
  type: 'PartProduced',
  key: '7',
  sequence: 42,
  occurredAt: Date.parse('2023-12-10T00:00:00.000Z'),
  recordedAt: Date.parse('2023-12-10T00:00:01.250Z'),
  machineId: '7',
  partId: 4,
  order: 5,
  damaged: true,
  var1: 1.5,
  var2: 'b',
  var3: null,
  var4: null,
  messageId: null,
  idealCycleSeconds: 12.5,
}

describe('Avro single-object encoding', () => {
  it('starts with C3 01 and the little-endian fingerprint, then the body', () => {
    const buf = encodeSingleObject(schema, event)
    expect(buf.subarray(0, 2).toString('hex')).toBe('c301')
    expect(buf.subarray(2, 10).equals(schema.fingerprint)).toBe(true)
  })

  it('round-trips a PartProduced event', () => {
    const { schema: found, record } = decodeSingleObject(encodeSingleObject(schema, event), lookup)
    expect(found.name).toBe('PartProduced')
    expect(record).toMatchObject(event)
  })

  it('rejects a message without the marker', () => {
    expect(() => decodeSingleObject(Buffer.from('{"json":true}'), lookup)).toThrow(/C3 01/)
  })

  it('rejects an unknown writer fingerprint', () => {
    const buf = encodeSingleObject(schema, event)
    buf[2] = (buf[2] as number) ^ 0xff
    expect(() => decodeSingleObject(buf, lookup)).toThrow(/unknown writer schema/)
  })
})
