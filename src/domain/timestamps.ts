import { z } from 'zod'

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/

/** A point in time given as ISO-8601 with a zone, or as epoch milliseconds; parsed to epoch ms. */
export const timestampSchema = z
  .union([
    z.number().int('epoch milliseconds must be an integer').min(0).max(8.64e15),
    z
      .string()
      .regex(ISO_8601, 'must be ISO-8601 with a time zone, e.g. 2023-12-10T00:00:00.000Z')
      .refine((s) => !Number.isNaN(Date.parse(s)), 'not a valid date')
      .transform((s) => Date.parse(s)),
  ])
  .transform((v) => Number(v))
