/*
 * patches/kafkajs+2.2.4.patch gives kafkajs's record encoder an exact-size path for the
 * records the relay sends. Kafka must receive the same bytes as before: this holds the patched
 * encoder to kafkajs's own algorithm (copied below as it was) over generated records.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
type Headers = Record<string, string | Buffer | (string | Buffer)[] | undefined>
type RecordInput = {
  offsetDelta?: number
  timestampDelta?: number
  key?: string | Buffer | null
  value?: string | Buffer | null
  headers?: Headers
}
type KafkaEncoder = {
  buffer: Buffer
  writeVarInt(v: number): KafkaEncoder
  writeInt8(v: number): KafkaEncoder
  writeVarLong(v: number): KafkaEncoder
  writeVarIntBytes(v: unknown): KafkaEncoder
  writeVarIntString(v: string): KafkaEncoder
  writeVarIntArray(v: KafkaEncoder[]): KafkaEncoder
}
type EncoderClass = {
  new (): KafkaEncoder
  sizeOfVarLong(v: number): number
  sizeOfVarInt(v: number): number
  sizeOfVarIntBytes(v: unknown): number
}

const Encoder = require('kafkajs/src/protocol/encoder') as EncoderClass
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as ((
  r: RecordInput,
) => KafkaEncoder) & { toString(): string }

/** kafkajs 2.2.4's record encoder, unpatched. */
function reference({
  offsetDelta = 0,
  timestampDelta = 0,
  key,
  value,
  headers = {},
}: RecordInput): Buffer {
  const list = Object.keys(headers).flatMap((k) => {
    const v = headers[k]
    return Array.isArray(v) ? v.map((x) => ({ key: k, value: x })) : [{ key: k, value: v }]
  })
  let sizeOfHeaders = Encoder.sizeOfVarInt(list.length)
  for (const h of list) {
    const keySize = Buffer.byteLength(h.key)
    const valueSize = Buffer.byteLength(h.value as string | Buffer)
    sizeOfHeaders += Encoder.sizeOfVarInt(keySize) + keySize
    sizeOfHeaders += Encoder.sizeOfVarInt(valueSize) + valueSize
  }
  const sizeOfBody =
    1 +
    Encoder.sizeOfVarLong(timestampDelta) +
    Encoder.sizeOfVarInt(offsetDelta) +
    Encoder.sizeOfVarIntBytes(key) +
    Encoder.sizeOfVarIntBytes(value) +
    sizeOfHeaders
  return new Encoder()
    .writeVarInt(sizeOfBody)
    .writeInt8(0)
    .writeVarLong(timestampDelta)
    .writeVarInt(offsetDelta)
    .writeVarIntBytes(key)
    .writeVarIntBytes(value)
    .writeVarIntArray(
      list.map((h) => new Encoder().writeVarIntString(h.key).writeVarIntBytes(h.value)),
    ).buffer
}

/** Buffers compared as text: jest compares a Buffer byte by byte as an object, slowly. */
const hex = (b: Buffer) => b.toString('hex')

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let a = seed
  const next = () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T
  return { next, int, pick }
}

const TEXTS = [
  '',
  'm-1',
  'machine-42',
  'äöü',
  '机器',
  '😀 emoji',
  'x'.repeat(200),
  'y'.repeat(5000),
]

describe('kafkajs record encoding (patched)', () => {
  it('is the patched encoder (npm ci applies patches/)', () => {
    expect(encodeRecord.toString()).toContain('exactSize')
  })

  it('writes the bytes kafkajs wrote for the relay records', () => {
    const record: RecordInput = {
      key: 'machine-7',
      value: Buffer.from([0xc3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 42]),
      headers: { 'event-type': 'PartProduced', 'event-id': '0190b6a0-0000-7000-8000-000000000004' },
      offsetDelta: 17,
      timestampDelta: 250,
    }
    expect(hex(encodeRecord(record).buffer)).toBe(hex(reference(record)))
  })

  it('writes the same bytes as kafkajs for generated records', () => {
    const r = random(20261201)
    const deltas = [
      0,
      1,
      -1,
      63,
      64,
      -64,
      -65,
      8191,
      8192,
      2 ** 20,
      2 ** 30 - 1,
      2 ** 30,
      -(2 ** 30),
      2 ** 40,
    ]
    const bytesOrText = (): string | Buffer | null | undefined => {
      const kind = r.int(5)
      if (kind === 0) return null
      if (kind === 1) return undefined
      if (kind === 2) return Buffer.from(Array.from({ length: r.int(300) }, () => r.int(256)))
      return r.pick(TEXTS) + String(r.int(1000))
    }
    for (let i = 0; i < 3000; i++) {
      const headers: Headers = {}
      const count = r.int(4)
      for (let h = 0; h < count; h++) {
        const v = r.int(6)
        headers[r.pick(TEXTS) + h] =
          v === 0 ? Buffer.from(r.pick(TEXTS)) : v === 1 ? [r.pick(TEXTS), 'b'] : r.pick(TEXTS)
      }
      const record: RecordInput = {
        key: bytesOrText(),
        value: bytesOrText(),
        headers: r.int(4) === 0 ? undefined : headers,
        offsetDelta:
          r.int(3) === 0 ? r.pick(deltas.filter((d) => d >= 0 && d < 2 ** 31)) : r.int(2000),
        timestampDelta: r.pick(deltas),
      }
      expect(hex(encodeRecord(record).buffer)).toBe(hex(reference(record)))
    }
  })
})
