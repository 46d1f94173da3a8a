import type { RunState } from '../oee.js'

/** ISA-18.2 priorities, most urgent first. */
export const SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const

export type Severity = (typeof SEVERITIES)[number]

/** What every rule has: an id unique in its set, a severity and the machines it watches. */
type RuleBase = {
  id: string
  severity: Severity
  /** Machine ids, or patterns where `*` stands for any run of characters; every machine if empty. */
  machines: readonly string[]
  /** Shown with the alarm; the rule's own description of its condition when absent. */
  message: string | null
}

/**
 * A telemetry metric past a limit. The alarm is raised once the value has been past `limit`
 * for `onDelayMs`, and cleared once it has been back by more than `deadband` for `offDelayMs`;
 * a value inside the deadband changes nothing (the hysteresis that stops a noisy reading at
 * the limit from raising and clearing the alarm on every sample).
 */
export type ThresholdRule = RuleBase & {
  kind: 'threshold'
  metric: string
  direction: 'above' | 'below'
  limit: number
  deadband: number
  onDelayMs: number
  offDelayMs: number
}

/** A machine in one run state (`down`, `offline`…) for longer than `forMs`. */
export type StateDurationRule = RuleBase & {
  kind: 'state-duration'
  state: RunState
  forMs: number
}

/** No message from the machine for longer than `afterMs`. */
export type SilentRule = RuleBase & { kind: 'silent'; afterMs: number }

/**
 * Scrapped over produced in the OEE window above `threshold`, once at least `minParts` parts
 * were produced in it; cleared when the rate is back at or below the threshold.
 */
export type ScrapRateRule = RuleBase & { kind: 'scrap-rate'; threshold: number; minParts: number }

export type AlarmRule = ThresholdRule | StateDurationRule | SilentRule | ScrapRateRule

/** Rules whose condition is tracked between inputs (a deadband or a delay needs history). */
export type TrackedRule = ThresholdRule | StateDurationRule

/** Whether a machine id is one a rule's `machines` names. */
export function watches(rule: Pick<AlarmRule, 'machines'>, machineId: string): boolean {
  if (rule.machines.length === 0) return true
  return rule.machines.some((m) => (m.includes('*') ? globMatch(m, machineId) : m === machineId))
}

function globMatch(pattern: string, id: string): boolean {
  const parts = pattern.split('*')
  const first = parts[0] ?? ''
  const last = parts[parts.length - 1] ?? ''
  if (!id.startsWith(first) || id.length < first.length + last.length || !id.endsWith(last)) {
    return false
  }
  let at = first.length
  for (const part of parts.slice(1, -1)) {
    const found = id.indexOf(part, at)
    if (found < 0 || found + part.length > id.length - last.length) return false
    at = found + part.length
  }
  return true
}

/** The text an alarm of this rule shows when the rule gives none. */
export function describeRule(rule: AlarmRule): string {
  switch (rule.kind) {
    case 'threshold':
      return `${rule.metric} ${rule.direction === 'above' ? '>' : '<'} ${rule.limit}`
    case 'state-duration':
      return `${rule.state} for more than ${rule.forMs / 1000} s`
    case 'silent':
      return `no message for more than ${rule.afterMs / 1000} s`
    case 'scrap-rate':
      return `scrap rate over ${rule.threshold} (at least ${rule.minParts} parts)`
  }
}
