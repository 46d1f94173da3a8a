import type { AlarmEvent, EventEnvelope } from '../events.js'
import type { RunState } from '../oee.js'
import { describeRule, watches, type AlarmRule, type TrackedRule } from './alarm-rule.js'
import type { AlarmBook } from './alarm-book.js'
import { isActive } from './alarm-lifecycle.js'
import { nextTrack, pendingUntil, trackVerdict } from './condition-track.js'

/** An alarm event without its envelope and machine: what the machine's decide wraps. */
export type AlarmChange = AlarmEvent extends infer E
  ? E extends AlarmEvent
    ? Omit<E, Exclude<keyof EventEnvelope<string>, 'type'> | 'machineId'>
    : never
  : never

/** What about an input can change an alarm's condition. */
export type AlarmTrigger =
  /** A reading: its metrics. */
  | { kind: 'telemetry'; metrics: Readonly<Record<string, number>> }
  /** The run state changed (a status, or maintenance from a command). */
  | { kind: 'state' }
  /** A part was produced: the OEE window's counts with it. */
  | { kind: 'production'; produced: number; good: number }
  /** Time passed with no input (the sweep's tick), or an input that changes no condition. */
  | { kind: 'tick' }

/** What the rules read of the machine, as it is once the input is applied. */
export type AlarmMachineView = {
  machineId: string
  state: RunState
  /** The latest values before this input (a reading's own come with its trigger). */
  metrics: Readonly<Record<string, number>>
  /** Before this input: silence is measured up to it. */
  lastSeenAt: number | null
  /** Whether the input is a message from the machine (which ends any silence). */
  heard: boolean
}

/**
 * The alarm changes an input causes at `now` (service time): raises and clears by the rules that
 * watch the machine, and shelves whose period ended. Pure; the caller wraps each in an event.
 */
export function decideAlarms(
  book: AlarmBook,
  rules: readonly AlarmRule[],
  m: AlarmMachineView,
  trigger: AlarmTrigger,
  now: number,
): AlarmChange[] {
  const changes: AlarmChange[] = []
  for (const ruleId in book.shelves) {
    const shelf = book.shelves[ruleId]
    if (shelf && shelf.until <= now) changes.push({ type: 'AlarmUnshelved', ruleId, by: null })
  }
  for (const rule of rules) {
    if (!watches(rule, m.machineId)) continue
    const active = isActive(book.alarms[rule.id])
    const act = verdict(rule, book, m, trigger, active, now)
    if (act === 'raise') changes.push(raise(rule, m, trigger))
    else if (act === 'clear') {
      changes.push({
        type: 'AlarmCleared',
        ruleId: rule.id,
        detail: `${describeRule(rule)}: ended`,
      })
    }
  }
  return changes
}

function verdict(
  rule: AlarmRule,
  book: AlarmBook,
  m: AlarmMachineView,
  trigger: AlarmTrigger,
  active: boolean,
  now: number,
): 'raise' | 'clear' | null {
  switch (rule.kind) {
    case 'silent': {
      if (m.heard) return active ? 'clear' : null
      const silent =
        trigger.kind === 'tick' && m.lastSeenAt !== null && now - m.lastSeenAt > rule.afterMs
      return silent && !active ? 'raise' : null
    }
    case 'scrap-rate': {
      if (trigger.kind !== 'production') return null
      const over =
        trigger.produced >= rule.minParts &&
        (trigger.produced - trigger.good) / trigger.produced > rule.threshold
      return over === active ? null : over ? 'raise' : 'clear'
    }
    case 'threshold':
    case 'state-duration':
      return trackVerdict(rule, trackAfter(rule, book, m, trigger, now), active, now).act
  }
}

/** The rule's track once this input is applied: the same computation the fold makes. */
export function trackAfter(
  rule: TrackedRule,
  book: AlarmBook,
  m: Pick<AlarmMachineView, 'state'>,
  trigger: AlarmTrigger,
  now: number,
) {
  const track = book.tracks[rule.id]
  if (rule.kind === 'threshold' && trigger.kind === 'telemetry') {
    return nextTrack(track, rule, { state: m.state, metrics: trigger.metrics }, now)
  }
  if (rule.kind === 'state-duration' && trigger.kind === 'state') {
    return nextTrack(track, rule, { state: m.state, metrics: {} }, now)
  }
  return track
}

function raise(rule: AlarmRule, m: AlarmMachineView, trigger: AlarmTrigger): AlarmChange {
  const reading = trigger.kind === 'telemetry' ? trigger.metrics : undefined
  const value =
    rule.kind === 'threshold' ? (reading?.[rule.metric] ?? m.metrics[rule.metric] ?? null) : null
  const what = rule.message ?? describeRule(rule)
  return {
    type: 'AlarmRaised',
    ruleId: rule.id,
    ruleKind: rule.kind,
    severity: rule.severity,
    detail: value === null ? what : `${what} (value ${value})`,
    value,
  }
}

/**
 * When the machine next needs a tick with no input for an alarm to move (an on or off delay
 * running out, a shelf ending, a silence starting), or null when nothing waits on time.
 */
export function alarmDueAt(
  book: AlarmBook,
  rules: readonly AlarmRule[],
  m: Pick<AlarmMachineView, 'machineId' | 'lastSeenAt'>,
): number | null {
  let due = Number.POSITIVE_INFINITY
  for (const ruleId in book.shelves) due = Math.min(due, book.shelves[ruleId]?.until ?? due)
  for (const rule of rules) {
    if (!watches(rule, m.machineId)) continue
    const active = isActive(book.alarms[rule.id])
    if (rule.kind === 'silent' && !active && m.lastSeenAt !== null) {
      due = Math.min(due, m.lastSeenAt + rule.afterMs + 1)
    } else if (rule.kind === 'threshold' || rule.kind === 'state-duration') {
      const at = pendingUntil(rule, book.tracks[rule.id], active)
      if (at !== null) due = Math.min(due, at)
    }
  }
  return Number.isFinite(due) ? due : null
}
