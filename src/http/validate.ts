import type { z } from 'zod'
import { MillstreamError } from '../errors.js'

/** Parses input against a schema; a mismatch becomes a 400 with every problem listed. */
export function parseOr400<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.output<S> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const detail = parsed.error.issues
    .map((i) => `${[where, ...i.path].join('.')}: ${i.message}`)
    .join('; ')
  throw new MillstreamError('BAD_REQUEST', detail)
}
