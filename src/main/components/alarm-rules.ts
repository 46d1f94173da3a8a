import { unwatchFile, watchFile } from 'node:fs'
import type { AlarmRuleSource } from '../../domain/alarms/alarm-book.js'
import type { AlarmRule } from '../../domain/alarms/alarm-rule.js'
import {
  builtInAlarmRules,
  checkAlarmRules,
  type CheckedRules,
} from '../../domain/alarms/alarm-rules-file.js'
import { readCheckedJson } from '../../json-file.js'
import type { Component } from '../../lifecycle.js'
import type { Logger } from '../../logger.js'
import { ConfigError, type Config } from '../config.js'

/** The rules in force, where they came from, and what the last reload found wrong, if anything. */
export type AlarmRuleStore = AlarmRuleSource & {
  readonly file: string | null
  /** When the rules in force were loaded (epoch ms). */
  loadedAt(): number
  /** The problems of the last reload that was refused (the rules before it stay), else empty. */
  problems(): readonly string[]
  /** Reads the file again; its rules apply from the next input on unless it has problems. */
  reload(): Promise<CheckedRules>
}

/** Reads and checks a rules file, every problem listed (unreadable, not JSON, each bad field). */
export function readAlarmRulesFile(path: string): Promise<CheckedRules> {
  return readCheckedJson(path, checkAlarmRules)
}

/**
 * The alarm rules of `ALARM_RULES_FILE`, or the built-in ones without it. A file with problems
 * stops the start with all of them listed; later, it is read again on SIGHUP and when it
 * changes (polled: an editor's save replaces the file, which a watch of its inode misses), and
 * a version with problems is refused with a warning while the rules before it stay in force.
 */
export function alarmRules(config: Config, log: Logger): Component<AlarmRuleStore> {
  const file = config.alarms.rulesFile ?? null
  const rulesLog = log.child({ module: 'alarm-rules' })
  let rules: readonly AlarmRule[] = builtInAlarmRules(config.rules)
  let loadedAt = Date.now()
  let problems: readonly string[] = []
  const reload = async (): Promise<CheckedRules> => {
    if (file === null) return { ok: true, rules: [...rules] }
    const checked = await readAlarmRulesFile(file)
    if (checked.ok) {
      rules = checked.rules
      loadedAt = Date.now()
      problems = []
      rulesLog.info({ file, rules: rules.length }, 'alarm rules loaded')
    } else {
      problems = checked.problems
      rulesLog.warn({ file, problems }, 'alarm rules file refused; the rules before it stay')
    }
    return checked
  }
  const store: AlarmRuleStore = {
    file,
    current: () => rules,
    loadedAt: () => loadedAt,
    problems: () => problems,
    reload,
  }
  const onSignal = () => void reload()
  return {
    name: 'alarm rules',
    start: async () => {
      if (file === null) return store
      const first = await reload()
      if (!first.ok)
        throw new ConfigError(first.problems.map((p) => `ALARM_RULES_FILE ${file}: ${p}`))
      process.on('SIGHUP', onSignal)
      watchFile(file, { interval: config.alarms.reloadPollMs, persistent: false }, onSignal)
      return store
    },
    stop: () => {
      process.off('SIGHUP', onSignal)
      if (file !== null) unwatchFile(file, onSignal)
      return Promise.resolve()
    },
  }
}
