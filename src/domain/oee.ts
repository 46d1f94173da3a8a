/** Run states a machine's own controller reports (a Sparkplug state metric maps to these). */
export const REPORTED_RUN_STATES = ['running', 'idle', 'down', 'maintenance'] as const

/** Run states a status input may carry: the reported ones, and `offline`, said by a gateway. */
export const STATUS_RUN_STATES = [...REPORTED_RUN_STATES, 'offline'] as const

/**
 * Every run state: `unknown` before the first report, the reported ones, and `offline`.
 *
 * `offline` is said of the machine by what connects it, not by the machine: the Sparkplug B
 * host sets it when the machine's edge node or device dies (NDEATH/DDEATH), through the status
 * input any gateway may send too. For OEE it is planned time that is not running, exactly
 * like `down`: the plant expected the machine to run and no one can tell that it did. It comes
 * last, as in the Avro RunState enum, which only appends symbols (older readers read a symbol
 * they do not know as the enum's default, `unknown`).
 */
export const RUN_STATES = ['unknown', ...REPORTED_RUN_STATES, 'offline'] as const

export type RunState = (typeof RUN_STATES)[number]

/**
 * Time-bucketed OEE inputs over a sliding window. Arrays (not objects per bucket) keep a live
 * actor small and its snapshot compact. Times are epoch ms of the machine's own clock.
 */
export type OeeTracker = {
  bucketMs: number
  /** Start of each bucket, ascending. */
  starts: number[]
  /** Planned production time: running, idle, down or offline (maintenance and unknown are not). */
  planned: number[]
  running: number[]
  produced: number[]
  good: number[]
  /** Σ ideal cycle time of the parts produced, ms. */
  idealMs: number[]
  /** Time up to which state durations are counted. */
  accountedUntil: number | null
}

export type Oee = {
  availability: number | null
  performance: number | null
  quality: number | null
  oee: number | null
}

export function emptyTracker(bucketMs: number): OeeTracker {
  return {
    bucketMs,
    starts: [],
    planned: [],
    running: [],
    produced: [],
    good: [],
    idealMs: [],
    accountedUntil: null,
  }
}

/**
 * The states whose time is planned production time (availability = running / planned):
 * `offline` counts like `down`; `maintenance` and `unknown` are not planned. The time series
 * (src/series/plan.ts) counts the same states.
 */
export const PLANNED_RUN_STATES: ReadonlySet<RunState> = new Set([
  'running',
  'idle',
  'down',
  'offline',
])

const isPlanned = (s: RunState) => PLANNED_RUN_STATES.has(s)

/**
 * Counts the time from `accountedUntil` to `to` as spent in `state`. Out-of-order times count
 * nothing. Time before the `windowMs` that ends at `to` is not counted at all: it would land in
 * buckets that are pruned or weigh nothing.
 */
export function advance(
  t: OeeTracker,
  state: RunState,
  to: number,
  windowMs = Number.POSITIVE_INFINITY,
): OeeTracker {
  if (t.accountedUntil === null || to <= t.accountedUntil) {
    return t.accountedUntil === null ? { ...t, accountedUntil: to } : t
  }
  const next = copy(t)
  advanceInPlace(next, state, to, windowMs)
  return next
}

/**
 * What a machine's part changes in its tracker, in one copy: the time up to `at` counted in
 * `state`, the part counted, and buckets out of the window dropped.
 */
export function recordPart(
  t: OeeTracker,
  state: RunState,
  part: { at: number; good: boolean; idealMs: number | null },
  windowMs: number,
): OeeTracker {
  const next = copy(t)
  if (next.accountedUntil === null) next.accountedUntil = part.at
  else if (part.at > next.accountedUntil) advanceInPlace(next, state, part.at, windowMs)
  countPartInPlace(next, part.at, part.good, part.idealMs)
  return prune(next, part.at, windowMs)
}

function advanceInPlace(next: OeeTracker, state: RunState, to: number, windowMs: number): void {
  // Time more than the window and two buckets (whatever the sign of the times) before `to` can
  // only land in buckets that are pruned or weigh nothing. Skipping it keeps a clock that jumps
  // years ahead from filling, and spinning through, millions of buckets.
  let from = Math.max(next.accountedUntil ?? to, to - windowMs - 2 * next.bucketMs)
  const t = next
  while (from < to) {
    const start = from - (from % t.bucketMs)
    const end = Math.min(to, start + t.bucketMs)
    const i = bucketIndex(next, start)
    if (isPlanned(state)) next.planned[i] = (next.planned[i] as number) + (end - from)
    if (state === 'running') next.running[i] = (next.running[i] as number) + (end - from)
    from = end
  }
  next.accountedUntil = to
}

/** Counts one part produced at `at`, good or not, with its ideal cycle time (if known). */
export function countPart(
  t: OeeTracker,
  at: number,
  good: boolean,
  idealMs: number | null,
): OeeTracker {
  const next = copy(t)
  countPartInPlace(next, at, good, idealMs)
  return next
}

function countPartInPlace(next: OeeTracker, at: number, good: boolean, idealMs: number | null) {
  const i = bucketIndex(next, at - (at % next.bucketMs))
  next.produced[i] = (next.produced[i] as number) + 1
  if (good) next.good[i] = (next.good[i] as number) + 1
  if (idealMs !== null) next.idealMs[i] = (next.idealMs[i] as number) + idealMs
}

/** Parts produced and good in the buckets still inside the window at `now`, without copying. */
export function windowCounts(
  t: OeeTracker,
  now: number,
  windowMs: number,
): { produced: number; good: number } {
  let produced = 0
  let good = 0
  for (let i = 0; i < t.starts.length; i++) {
    if ((t.starts[i] as number) + t.bucketMs > now - windowMs) {
      produced += t.produced[i] as number
      good += t.good[i] as number
    }
  }
  return { produced, good }
}

/** Drops buckets that ended before `now - windowMs`. */
export function prune(t: OeeTracker, now: number, windowMs: number): OeeTracker {
  const keepFrom = t.starts.findIndex((s) => s + t.bucketMs > now - windowMs)
  if (keepFrom <= 0)
    return keepFrom === -1 && t.starts.length > 0
      ? { ...emptyTracker(t.bucketMs), accountedUntil: t.accountedUntil }
      : t
  return {
    bucketMs: t.bucketMs,
    starts: t.starts.slice(keepFrom),
    planned: t.planned.slice(keepFrom),
    running: t.running.slice(keepFrom),
    produced: t.produced.slice(keepFrom),
    good: t.good.slice(keepFrom),
    idealMs: t.idealMs.slice(keepFrom),
    accountedUntil: t.accountedUntil,
  }
}

/**
 * OEE over the `windowMs` before `now`, counting the current state up to `now`.
 * availability = running / planned; performance = Σ ideal cycle time / running;
 * quality = good / produced. A factor with no basis (e.g. no planned time yet) is null.
 */
export function computeOee(t: OeeTracker, state: RunState, now: number, windowMs: number): Oee {
  // Buckets before the window weigh 0 below, so no pruned copy is needed.
  const live = advance(t, state, now, windowMs)
  let planned = 0
  let running = 0
  let produced = 0
  let good = 0
  let ideal = 0
  live.starts.forEach((start, i) => {
    // Whole buckets only partly inside the window count in proportion.
    const inside = Math.min(
      1,
      Math.max(0, (start + live.bucketMs - (now - windowMs)) / live.bucketMs),
    )
    planned += (live.planned[i] as number) * inside
    running += (live.running[i] as number) * inside
    produced += (live.produced[i] as number) * inside
    good += (live.good[i] as number) * inside
    ideal += (live.idealMs[i] as number) * inside
  })
  const availability = planned > 0 ? running / planned : null
  const performance = running > 0 && ideal > 0 ? ideal / running : null
  const quality = produced > 0 ? good / produced : null
  const oee =
    availability !== null && performance !== null && quality !== null
      ? availability * performance * quality
      : null
  return {
    availability: round(availability),
    performance: round(performance),
    quality: round(quality),
    oee: round(oee),
  }
}

function round(x: number | null): number | null {
  return x === null ? null : Math.round(x * 1e6) / 1e6
}

/** A literal of every field and slice(): spreading the tracker and its arrays cost more. */
function copy(t: OeeTracker): OeeTracker {
  return {
    bucketMs: t.bucketMs,
    starts: t.starts.slice(),
    planned: t.planned.slice(),
    running: t.running.slice(),
    produced: t.produced.slice(),
    good: t.good.slice(),
    idealMs: t.idealMs.slice(),
    accountedUntil: t.accountedUntil,
  }
}

/**
 * Index of the bucket starting at `start`, inserting it (in order) if missing. Mutates `t`.
 * New arrays of the exact length (`toSpliced`), where `splice` would leave a live machine's
 * six arrays with room for a dozen more buckets each: about 0.8 KB per machine.
 */
function bucketIndex(t: OeeTracker, start: number): number {
  let i = t.starts.length
  while (i > 0 && (t.starts[i - 1] as number) > start) i--
  if (t.starts[i - 1] === start) return i - 1
  t.starts = t.starts.toSpliced(i, 0, start)
  t.planned = t.planned.toSpliced(i, 0, 0)
  t.running = t.running.toSpliced(i, 0, 0)
  t.produced = t.produced.toSpliced(i, 0, 0)
  t.good = t.good.toSpliced(i, 0, 0)
  t.idealMs = t.idealMs.toSpliced(i, 0, 0)
  return i
}
