import { z } from 'zod'
import { decimalRangePattern } from './decimal-range.js'

/**
 * The instants RFC 3339 can write, 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z. Beyond
 * them `toISOString()` writes six-digit years, which no date-time reader (nor PostgreSQL) takes.
 */
const EPOCH_MS_MIN = Date.parse('0000-01-01T00:00:00.000Z')
export const EPOCH_MS_MAX = Date.parse('9999-12-31T23:59:59.999Z')

const DAY = '(?:0[1-9]|[12][0-9]|3[01])'
const DATE = `(?:0[1-9]|1[0-2])-${DAY}`
const CLOCK = '(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{1,9})?)?'
const TIME = `(?:${CLOCK}|24:00(?::00(?:\\.0{1,9})?)?)`
const OFFSET = '(?:[01][0-9]|2[0-3]):?[0-5][0-9]'
/** Years 0001-9998, four digits. */
const INNER_YEAR =
  '(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])'

/**
 * ISO-8601 with a zone, exactly as far as `Date.parse` reads it (months 01-12; days 01-31, a
 * day past the month's end rolling over; 24:00 as the end of a day; offsets up to ±23:59), and
 * inside the RFC 3339 years: on their first and last day, only zones that keep it inside.
 * Being exact, the pattern alone tells an OpenAPI client which texts are accepted.
 */
const ISO_8601 = new RegExp(
  '^(?:' +
    [
      `(?:${INNER_YEAR}-${DATE}|0000-(?:01-(?:0[2-9]|[12][0-9]|3[01])|(?:0[2-9]|1[0-2])-${DAY})` +
        `|9999-(?:(?:0[1-9]|1[01])-${DAY}|12-(?:0[1-9]|[12][0-9]|30)))T${TIME}(?:Z|[+-]${OFFSET})`,
      `0000-01-01T${TIME}(?:Z|-${OFFSET}|\\+00:?00)`,
      `9999-12-31T${CLOCK}(?:Z|\\+${OFFSET}|-00:?00)`,
    ].join('|') +
    ')$',
)

/** Epoch milliseconds as decimal text, leading zeros allowed. */
const EPOCH_MS_TEXT = new RegExp(`^0*${decimalRangePattern(0, EPOCH_MS_MAX)}$`)

const isoTimestamp = z
  .string()
  .regex(ISO_8601, 'must be ISO-8601 with a time zone, e.g. 2023-12-10T00:00:00.000Z')
  .transform((s) => Date.parse(s))
  // The pattern admits only what Date.parse reads in range; this holds should they ever differ.
  .refine((ms) => ms >= EPOCH_MS_MIN && ms <= EPOCH_MS_MAX, 'not a valid date')
  .meta({ description: 'ISO-8601 with a time zone, years 0000-9999' })

/** A point in time given as ISO-8601 with a zone, or as epoch milliseconds; parsed to epoch ms. */
export const timestampSchema = z
  .union([
    z
      .number()
      .int('epoch milliseconds must be an integer')
      .min(0)
      .max(EPOCH_MS_MAX)
      .meta({ description: 'Epoch milliseconds, up to the end of year 9999' }),
    isoTimestamp,
  ])
  .transform((v) => Number(v))

/** The same as text (a query parameter): digits are epoch milliseconds. */
export const timestampTextSchema = z.union(
  [
    z
      .string()
      .regex(EPOCH_MS_TEXT)
      .transform((s) => Number(s))
      .meta({ description: 'Epoch milliseconds, up to the end of year 9999' }),
    isoTimestamp,
  ],
  {
    error: 'must be ISO-8601 with a time zone (e.g. 2024-03-01T00:00:00Z) or epoch milliseconds',
  },
)
