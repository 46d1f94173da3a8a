import type { RunState, StateChange } from './api-types.js'
import { el } from './dom.js'
import { runState } from './fleet.js'
import { when } from './format.js'

/** A stretch of time in one state. */
export type Segment = { state: RunState; from: number; to: number }

/**
 * The states over `[from, to)`: the state before the range (the first change's previous state,
 * or `stateNow` when nothing changed in the range), then one segment per change.
 */
export function segmentsOf(
  changes: readonly StateChange[],
  range: { from: number; to: number },
  stateNow: RunState,
): Segment[] {
  const segments: Segment[] = []
  let state: RunState = changes[0] ? runState(changes[0].previousState) : stateNow
  let since = range.from
  for (const change of changes) {
    const at = Math.min(Math.max(change.occurredAt, range.from), range.to)
    if (at > since) segments.push({ state, from: since, to: at })
    state = runState(change.state)
    since = at
  }
  if (range.to > since) segments.push({ state, from: since, to: range.to })
  return segments
}

/** Draws segments as coloured stretches of one bar, each with its state and times on hover. */
export function drawTimeline(bar: HTMLElement, segments: readonly Segment[], now: number): void {
  const first = segments[0]
  const last = segments[segments.length - 1]
  const span = first && last ? last.to - first.from : 0
  const nodes = segments.map((s) => {
    const node = el('span', 'timeline-segment')
    node.dataset.state = s.state
    node.style.left = `${((s.from - (first?.from ?? 0)) / span) * 100}%`
    node.style.width = `${((s.to - s.from) / span) * 100}%`
    node.title = `${s.state}: ${when(s.from, now)} – ${when(s.to, now)}`
    return node
  })
  bar.replaceChildren(...nodes)
  bar.dataset.segments = String(segments.length)
}
