import type { AlarmChange } from '../../../../src/domain/alarms/alarm-decide'
import type { AlarmRule, ThresholdRule } from '../../../../src/domain/alarms/alarm-rule'

/** "temperature > 80 for 30 s, clear below 75" (and 10 s below before it clears). */
export const hot: ThresholdRule = {
  id: 'hot',
  kind: 'threshold',
  severity: 'major',
  machines: [],
  message: null,
  metric: 'temperature',
  direction: 'above',
  limit: 80,
  deadband: 5,
  onDelayMs: 30_000,
  offDelayMs: 10_000,
}

export const silent: AlarmRule = {
  id: 'silent',
  kind: 'silent',
  severity: 'minor',
  machines: [],
  message: null,
  afterMs: 60_000,
}

export const scrap: AlarmRule = {
  id: 'scrap-rate',
  kind: 'scrap-rate',
  severity: 'warning',
  machines: [],
  message: null,
  threshold: 0.1,
  minParts: 10,
}

export const downLong: AlarmRule = {
  id: 'down-long',
  kind: 'state-duration',
  severity: 'critical',
  machines: ['press-*'],
  message: 'press down',
  state: 'down',
  forMs: 5 * 60_000,
}

/** What `hot` raises on a reading of 85. */
export const HOT_RAISED: AlarmChange = {
  type: 'AlarmRaised',
  ruleId: 'hot',
  ruleKind: 'threshold',
  severity: 'major',
  detail: 'temperature > 80 (value 85)',
  value: 85,
}
