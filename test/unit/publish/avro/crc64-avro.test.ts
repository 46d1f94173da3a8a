import { crc64Avro, fingerprintBytes } from '../../../../src/publish/avro/crc64-avro'
import { parseSchema, SchemaRegistry } from '../../../../src/publish/avro/schema-registry'

// Expected values computed independently with Python's fastavro (fingerprint(..., 'CRC-64-AVRO')),
// which prints the fingerprint's bytes little-endian, the order the single-object header uses.
const VECTORS: [string, string][] = [
  ['"null"', '8a8f25cce724dd63'],
  ['"int"', '8f5c393f1ad57572'],
  ['"long"', 'b71df49344e154d0'],
  ['"string"', 'c70345637248018f'],
  ['{"name":"foo","type":"fixed","size":15}', '04a531edc32e6018'],
]

describe('CRC-64-AVRO fingerprint', () => {
  it.each(VECTORS)('fingerprints the canonical form %s as fastavro does', (canonical, hex) => {
    expect(fingerprintBytes(crc64Avro(Buffer.from(canonical))).toString('hex')).toBe(hex)
  })

  it('gives the value the Avro reference implementation gives for "null"', () => {
    // Java's SchemaNormalization.parsingFingerprint64 of "null", as a signed long.
    expect(BigInt.asIntN(64, crc64Avro(Buffer.from('"null"')))).toBe(7195948357588979594n)
  })

  it('computes the PartProduced fingerprint from its Parsing Canonical Form, as fastavro does', () => {
    const schema = SchemaRegistry.fromDirectory().get('PartProduced')
    expect(
      schema.canonical.startsWith('{"name":"millstream.events.PartProduced","type":"record"'),
    ).toBe(true)
    expect(schema.fingerprintHex).toBe('798a5e264d6e4e77')
    expect(schema.fingerprint.toString('hex')).toBe('798a5e264d6e4e77')
  })

  it('ignores documentation when fingerprinting (canonical form drops doc)', () => {
    const a = parseSchema({ type: 'record', name: 'X', fields: [{ name: 'a', type: 'int' }] })
    const b = parseSchema({
      type: 'record',
      name: 'X',
      doc: 'hello',
      fields: [{ name: 'a', type: 'int', doc: 'x' }],
    })
    expect(a.fingerprintHex).toBe(b.fingerprintHex)
  })
})
