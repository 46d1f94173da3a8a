/** A half-open span of time [from, to), epoch ms. */
export type Interval = { from: number; to: number }

/** Sorted, merged, non-empty spans: the form the functions below return. */
export function normalise(spans: readonly Interval[]): Interval[] {
  const sorted = spans.filter((s) => s.to > s.from).sort((a, b) => a.from - b.from)
  const out: Interval[] = []
  for (const s of sorted) {
    const last = out[out.length - 1]
    if (last && s.from <= last.to) last.to = Math.max(last.to, s.to)
    else out.push({ from: s.from, to: s.to })
  }
  return out
}

/** The parts of `spans` inside `within`. */
export function intersect(spans: readonly Interval[], within: readonly Interval[]): Interval[] {
  const a = normalise(spans)
  const b = normalise(within)
  const out: Interval[] = []
  let i = 0
  let j = 0
  for (;;) {
    const x = a[i]
    const y = b[j]
    if (!x || !y) return out
    const from = Math.max(x.from, y.from)
    const to = Math.min(x.to, y.to)
    if (to > from) out.push({ from, to })
    if (x.to < y.to) i++
    else j++
  }
}

/** The parts of `spans` outside `cut`. */
export function subtract(spans: readonly Interval[], cut: readonly Interval[]): Interval[] {
  const holes = normalise(cut)
  const out: Interval[] = []
  for (const s of normalise(spans)) {
    let from = s.from
    for (const h of holes) {
      if (h.to <= from || h.from >= s.to) continue
      if (h.from > from) out.push({ from, to: h.from })
      from = Math.max(from, h.to)
    }
    if (from < s.to) out.push({ from, to: s.to })
  }
  return out
}

/** Total length of the spans, ms (overlaps counted once). */
export function totalMs(spans: readonly Interval[]): number {
  return normalise(spans).reduce((sum, s) => sum + s.to - s.from, 0)
}

/** Whether an instant falls in one of the spans. */
export function covers(spans: readonly Interval[], at: number): boolean {
  return spans.some((s) => s.from <= at && at < s.to)
}
