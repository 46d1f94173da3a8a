import type { RunState } from '../oee.js'
import type { TrackedRule } from './alarm-rule.js'

/**
 * A tracked rule's condition as last seen: whether it holds and since when (service time).
 * The on and off delays count from `since`, so the track is all a tick needs to raise or
 * clear an alarm whose delay has run out with no new input.
 */
export type ConditionTrack = { on: boolean; since: number }

/**
 * What a condition reads of the machine: its run state, and the metrics of the reading at hand
 * only (a metric it does not carry leaves its rule's track as it was).
 */
export type ConditionInputs = { state: RunState; metrics: Readonly<Record<string, number>> }

const OFF: ConditionTrack = { on: false, since: 0 }

/**
 * The track after the machine's inputs changed at `at`: the same object when the condition did
 * not flip (a value inside the deadband, or a metric the reading did not carry, leaves it).
 */
export function nextTrack(
  track: ConditionTrack | undefined,
  rule: TrackedRule,
  m: ConditionInputs,
  at: number,
): ConditionTrack {
  const was = track ?? OFF
  const on = conditionHolds(rule, m, was.on)
  return on === was.on ? was : { on, since: at }
}

function conditionHolds(rule: TrackedRule, m: ConditionInputs, wasOn: boolean): boolean {
  if (rule.kind === 'state-duration') return m.state === rule.state
  const value = m.metrics[rule.metric]
  if (value === undefined) return wasOn
  const past = rule.direction === 'above' ? value > rule.limit : value < rule.limit
  if (past) return true
  const back =
    rule.direction === 'above'
      ? value < rule.limit - rule.deadband
      : value > rule.limit + rule.deadband
  return back ? false : wasOn
}

/** How long the condition must hold before the alarm is raised, and be gone before it clears. */
export function delaysOf(rule: TrackedRule): { onMs: number; offMs: number } {
  return rule.kind === 'threshold'
    ? { onMs: rule.onDelayMs, offMs: rule.offDelayMs }
    : { onMs: rule.forMs, offMs: 0 }
}

/**
 * When an alarm whose condition is `active` (raised and not cleared) is due to be raised or
 * cleared by its delay, or null when the condition agrees with the alarm.
 */
export function pendingUntil(
  rule: TrackedRule,
  track: ConditionTrack | undefined,
  active: boolean,
): number | null {
  const t = track ?? OFF
  if (t.on === active) return null
  const { onMs, offMs } = delaysOf(rule)
  return t.since + (t.on ? onMs : offMs)
}

/** Whether the alarm must now be raised or cleared, and when that is due (see `pendingUntil`). */
export function trackVerdict(
  rule: TrackedRule,
  track: ConditionTrack | undefined,
  active: boolean,
  now: number,
): { act: 'raise' | 'clear' | null; dueAt: number | null } {
  const dueAt = pendingUntil(rule, track, active)
  if (dueAt === null || now < dueAt) return { act: null, dueAt }
  return { act: track?.on ? 'raise' : 'clear', dueAt }
}
