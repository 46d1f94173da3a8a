/**
 * Splits `items` in order into runs whose sizes add up to at most `maxBytes`. An item larger
 * than `maxBytes` on its own makes a run of its own: the broker, not this estimate, decides
 * whether it is too large (its limit may have been raised past the setting).
 */
export function splitByBytes<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  maxBytes: number,
): T[][] {
  const runs: T[][] = []
  let run: T[] = []
  let bytes = 0
  for (const item of items) {
    const size = sizeOf(item)
    if (run.length > 0 && bytes + size > maxBytes) {
      runs.push(run)
      run = []
      bytes = 0
    }
    run.push(item)
    bytes += size
  }
  if (run.length > 0) runs.push(run)
  return runs
}

/** Per record, what its key and value leave out: attributes, offsets, lengths (varints). */
const RECORD_OVERHEAD_BYTES = 32
/** Per request, the record batch's header (61 bytes) and some room for the estimate's error. */
const REQUEST_MARGIN_BYTES = 1024

/** A Kafka record's size in a record batch, estimated from above. */
export function recordBytes(
  key: string,
  value: Buffer,
  headers: Readonly<Record<string, string>> = {},
): number {
  let bytes = RECORD_OVERHEAD_BYTES + Buffer.byteLength(key) + value.length
  for (const [k, v] of Object.entries(headers)) bytes += Buffer.byteLength(k) + Buffer.byteLength(v)
  return bytes
}

/** Bytes of records one produce request may hold under the broker's `message.max.bytes`. */
export function requestBudget(maxMessageBytes: number): number {
  return Math.max(1, maxMessageBytes - REQUEST_MARGIN_BYTES)
}
