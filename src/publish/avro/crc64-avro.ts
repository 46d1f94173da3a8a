/** CRC-64-AVRO ("Rabin") fingerprint, as specified in the Avro specification. */
const EMPTY = 0xc15d213aa4d7a795n
const MASK = 0xffffffffffffffffn

const TABLE: bigint[] = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i)
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n) & MASK)
  return fp
})

/** The 64-bit fingerprint of `bytes` (for a schema: of its Parsing Canonical Form). */
export function crc64Avro(bytes: Uint8Array): bigint {
  let fp = EMPTY
  for (const b of bytes) fp = (fp >> 8n) ^ (TABLE[Number((fp ^ BigInt(b)) & 0xffn)] as bigint)
  return fp
}

/** The fingerprint as the 8 little-endian bytes the single-object encoding carries. */
export function fingerprintBytes(fp: bigint): Buffer {
  const buf = Buffer.alloc(8)
  buf.writeBigUInt64LE(fp)
  return buf
}
