import { z } from 'zod'

const SURROGATE = /[\uD800-\uDFFF]/

/**
 * A string of `min` to `max` characters, counted as JSON Schema counts them: by code point.
 * zod's `.min`/`.max` count UTF-16 units, so 300 emoji would pass a document saying
 * `maxLength: 512` and fail `.max(512)`.
 */
export function text(min: number, max: number) {
  return z
    .string()
    .refine((s) => {
      const n = SURROGATE.test(s) ? [...s].length : s.length
      return n >= min && n <= max
    }, `must be ${min} to ${max} characters long`)
    .meta({ minLength: min, maxLength: max })
}
