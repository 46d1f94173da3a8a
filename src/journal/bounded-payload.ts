import { createHash } from 'node:crypto'

/** What a dead letter keeps of its input: a prefix, and the whole input's size and digest. */
export type BoundedPayload = {
  /** The first bytes of the input, at most the bound. */
  kept: Buffer
  /** The whole input's length in bytes. */
  size: number
  /** SHA-256 of the whole input, hex. */
  sha256: string
  /** Whether `kept` is shorter than the input. */
  truncated: boolean
}

/**
 * Cuts an input down to `maxBytes`, summarising the rest by its size and SHA-256: a rejected
 * input of any size then costs the store and the dead-letter topic a bounded record, and the
 * digest still tells one oversized input from another.
 */
export function boundedPayload(payload: Buffer, maxBytes: number): BoundedPayload {
  const truncated = payload.length > maxBytes
  return {
    // A copy, so the letter does not pin the whole input's buffer while it waits to be stored.
    kept: truncated ? Buffer.from(payload.subarray(0, maxBytes)) : payload,
    size: payload.length,
    sha256: createHash('sha256').update(payload).digest('hex'),
    truncated,
  }
}
