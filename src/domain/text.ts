import { z } from 'zod'

const SURROGATE = /[\uD800-\uDFFF]/

/**
 * What PostgreSQL's jsonb, where every input ends up, cannot hold: U+0000, and a surrogate
 * without its other half (JSON text may spell either, `"\u0000"`, `"\ud800"`).
 */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

export const UNSTORABLE_TEXT = 'must not contain U+0000 or an unpaired surrogate'

/** True for a string the event log can store. */
export function isStorable(s: string): boolean {
  return !UNSTORABLE.test(s)
}

/**
 * A string of `min` to `max` characters, counted as JSON Schema counts them: by code point.
 * zod's `.min`/`.max` count UTF-16 units, so 300 emoji would pass a document saying
 * `maxLength: 512` and fail `.max(512)`. It must be storable: the document's pattern says so
 * of U+0000 (JSON Schema cannot name an unpaired surrogate).
 */
export function text(min: number, max: number) {
  return z
    .string()
    .refine(isStorable, UNSTORABLE_TEXT)
    .refine((s) => {
      const n = SURROGATE.test(s) ? [...s].length : s.length
      return n >= min && n <= max
    }, `must be ${min} to ${max} characters long`)
    .meta({ minLength: min, maxLength: max, pattern: '^[^\\u0000]*$' })
}
