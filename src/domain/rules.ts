import type { AlarmRuleSource } from './alarms/alarm-book.js'

/** Plant-wide settings the machine behaviour depends on (from configuration). */
export type MachineRules = {
  /** OEE window and its bucket size. */
  oeeWindowMs: number
  oeeBucketMs: number
  /** A machine not heard from for this long raises a `silent` alert. */
  heartbeatTimeoutMs: number
  /** A `scrap-rate` alert is raised when scrapped/produced in the OEE window exceeds this... */
  scrapRateThreshold: number
  /** ...once at least this many parts were produced in the window. */
  scrapRateMinParts: number
  /** Most distinct telemetry metric names a machine keeps; a reading past it is refused. */
  maxMetricsPerMachine: number
  /** The alarm rules in force; the built-in silent and scrap-rate rules when absent. */
  alarms?: AlarmRuleSource
}

export const DEFAULT_RULES: MachineRules = {
  oeeWindowMs: 60 * 60_000,
  oeeBucketMs: 60_000,
  heartbeatTimeoutMs: 5 * 60_000,
  scrapRateThreshold: 0.1,
  scrapRateMinParts: 20,
  maxMetricsPerMachine: 200,
}
