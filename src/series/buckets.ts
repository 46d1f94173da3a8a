/** The rollup grains the follower keeps, finest first. */
export const GRAINS = [
  { name: 'minute', ms: 60_000 },
  { name: 'hour', ms: 3_600_000 },
] as const

export type GrainName = (typeof GRAINS)[number]['name']

/** Where a series is read from: one of the rollups, or the raw readings (telemetry only). */
export type SeriesSource = GrainName | 'raw'

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/**
 * A duration as text: a positive whole number and a unit, s, m, h or d (`90s`, `5m`, `2d`).
 * Six digits at most, so every value is an exact number of milliseconds.
 */
export const DURATION_TEXT = '^[1-9][0-9]{0,5}(s|m|h|d)$'

/** Milliseconds of a duration in the {@link DURATION_TEXT} grammar; undefined if it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = new RegExp(DURATION_TEXT).exec(text)
  if (!match) return undefined
  return Number.parseInt(text, 10) * UNIT_MS[match[1] as keyof typeof UNIT_MS]
}

/** The start of the bucket of width `bucketMs` that holds `at`, aligned to the epoch (UTC). */
export function bucketStart(at: number, bucketMs: number): number {
  return Math.floor(at / bucketMs) * bucketMs
}

/** The most buckets one request may ask for. */
export const MAX_BUCKETS = 20_000

/** Buckets a chart gets when it names none: about this many over its range. */
const TARGET_BUCKETS = 720

const DAY_MS = UNIT_MS.d
const AUTO_BUCKETS_MS = [60_000, 300_000, 900_000, 3_600_000, 21_600_000, DAY_MS]

/**
 * A bucket for a chart of `spanMs`: the first of 1m, 5m, 15m, 1h, 6h, 1d that gives at most
 * about 720 buckets, or whole days beyond that.
 */
export function autoBucketMs(spanMs: number): number {
  const fits = AUTO_BUCKETS_MS.find((b) => spanMs / b <= TARGET_BUCKETS)
  return fits ?? Math.ceil(spanMs / TARGET_BUCKETS / DAY_MS) * DAY_MS
}

/** A range asked for: epoch ms, each part optional. */
export type RangeRequest = { from?: number; to?: number; bucketMs?: number }

/** A range as read: widened to whole buckets, and the table that serves that bucket. */
export type ResolvedRange = { from: number; to: number; bucketMs: number; source: SeriesSource }

const DEFAULT_SPAN_MS = 3_600_000

/**
 * The buckets a request covers: `to` defaults to `now`, `from` to an hour before `to`, the
 * bucket to {@link autoBucketMs}. The range is widened to whole buckets (a bucket always holds
 * all of its data). A bucket of whole hours reads the hour rollup, of whole minutes the minute
 * rollup, anything finer the raw readings. Returns why not when the range is empty or too
 * finely cut.
 */
export function resolveRange(
  request: RangeRequest,
  now: number,
): { ok: true; range: ResolvedRange } | { ok: false; problem: string } {
  const to = request.to ?? now
  const from = request.from ?? to - DEFAULT_SPAN_MS
  if (from >= to) return { ok: false, problem: 'query.from: must be before query.to' }
  const bucketMs = request.bucketMs ?? autoBucketMs(to - from)
  const first = bucketStart(from, bucketMs)
  const end = bucketStart(to - 1, bucketMs) + bucketMs
  const buckets = (end - first) / bucketMs
  if (buckets > MAX_BUCKETS)
    return {
      ok: false,
      problem: `query.bucket: ${buckets} buckets over this range; at most ${MAX_BUCKETS}`,
    }
  const grain = [...GRAINS].reverse().find((g) => bucketMs % g.ms === 0)
  return { ok: true, range: { from: first, to: end, bucketMs, source: grain?.name ?? 'raw' } }
}
