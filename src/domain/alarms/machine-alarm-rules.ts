import type { MachineRules } from '../rules.js'
import type { AlarmRuleSource } from './alarm-book.js'
import { watches, type AlarmRule, type TrackedRule } from './alarm-rule.js'
import { builtInAlarmRules } from './alarm-rules-file.js'

/** The rules that watch one machine, split the way the fold reads them. */
export type MachineAlarmRules = {
  all: readonly AlarmRule[]
  threshold: readonly TrackedRule[]
  stateDuration: readonly TrackedRule[]
}

const builtIns = new WeakMap<MachineRules, AlarmRuleSource>()
const perMachine = new WeakMap<readonly AlarmRule[], Map<string, MachineAlarmRules>>()

/** Where a machine's alarm rules come from: the configured source, else the built-in rules. */
export function alarmRuleSource(rules: MachineRules): AlarmRuleSource {
  if (rules.alarms) return rules.alarms
  let source = builtIns.get(rules)
  if (!source) {
    const fixed = builtInAlarmRules(rules)
    source = { current: () => fixed }
    builtIns.set(rules, source)
  }
  return source
}

/**
 * The rules in force that watch `machineId`. Kept per rule set and machine, so the fold of a
 * reading does not match patterns again; a reload is a new rule set and starts afresh.
 */
export function machineAlarmRules(rules: MachineRules, machineId: string): MachineAlarmRules {
  const current = alarmRuleSource(rules).current()
  let byMachine = perMachine.get(current)
  if (!byMachine) {
    byMachine = new Map()
    perMachine.set(current, byMachine)
  }
  let found = byMachine.get(machineId)
  if (!found) {
    const all = current.filter((r) => watches(r, machineId))
    found = {
      all,
      threshold: all.filter((r): r is TrackedRule => r.kind === 'threshold'),
      stateDuration: all.filter((r): r is TrackedRule => r.kind === 'state-duration'),
    }
    byMachine.set(machineId, found)
  }
  return found
}
