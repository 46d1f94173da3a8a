import { createHash } from 'node:crypto'

/** What one partition's archive holds: its name and `[rangeFrom, rangeTo)`, epoch ms. */
export type ArchiveMeta = {
  partition: string
  /** null: no lower bound. */
  rangeFrom: number | null
  rangeTo: number
}

/** File metadata keys (the Avro header's map; `avro.*` are the format's own). */
const PARTITION = 'millstream.partition'
const RANGE_FROM = 'millstream.range_from'
const RANGE_TO = 'millstream.range_to'

/** The header metadata: partition and range, the range as decimal epoch ms (no lower bound: no key). */
export function headerMetadataOf(meta: ArchiveMeta): Record<string, Buffer> {
  return {
    [PARTITION]: Buffer.from(meta.partition, 'utf8'),
    ...(meta.rangeFrom === null ? {} : { [RANGE_FROM]: Buffer.from(String(meta.rangeFrom)) }),
    [RANGE_TO]: Buffer.from(String(meta.rangeTo)),
  }
}

/** The partition and range a header names; throws when it is not a millstream archive's. */
export function metaOfHeader(metadata: Record<string, Buffer>): ArchiveMeta {
  const partition = metadata[PARTITION]?.toString('utf8')
  if (!partition) throw new Error(`not a millstream archive: no ${PARTITION} in its header`)
  const from = metadata[RANGE_FROM]
  return {
    partition,
    rangeFrom: from === undefined ? null : epochMs(RANGE_FROM, from),
    rangeTo: epochMs(RANGE_TO, metadata[RANGE_TO]),
  }
}

/**
 * Derived from the partition and range instead of drawn at random, so writing the same
 * events again gives the same bytes (and the same checksum). It only has to be unlikely to
 * appear in block data, which a hash is as much as a random draw.
 */
export function syncMarkerFor(meta: ArchiveMeta): Buffer {
  return createHash('sha256')
    .update(`millstream archive\0${meta.partition}\0${meta.rangeFrom ?? ''}\0${meta.rangeTo}`)
    .digest()
    .subarray(0, 16)
}

function epochMs(key: string, value: Buffer | undefined): number {
  const text = value?.toString('utf8') ?? ''
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new Error(`${key} in the header is not epoch milliseconds: ${JSON.stringify(text)}`)
  return Number(text)
}
