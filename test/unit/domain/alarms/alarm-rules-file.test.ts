import { builtInAlarmRules, checkAlarmRules } from '../../../../src/domain/alarms/alarm-rules-file'
import { DEFAULT_RULES } from '../../../../src/domain/rules'
import { hot } from './rules'

describe('alarm rules file', () => {
  it('turns the file’s rules into rules in milliseconds, with defaults filled in', () => {
    const checked = checkAlarmRules({
      rules: [
        {
          id: 'hot',
          kind: 'threshold',
          severity: 'major',
          metric: 'temperature',
          above: 80,
          deadband: 5,
          onDelaySeconds: 30,
          offDelaySeconds: 10,
        },
        {
          id: 'down',
          kind: 'state-duration',
          severity: 'critical',
          machines: ['press-*'],
          state: 'down',
          forSeconds: 600,
        },
      ],
    })
    expect(checked).toEqual({
      ok: true,
      rules: [
        hot,
        {
          id: 'down',
          kind: 'state-duration',
          severity: 'critical',
          machines: ['press-*'],
          message: null,
          state: 'down',
          forMs: 600_000,
        },
      ],
    })
  })

  it('lists every problem at once', () => {
    const checked = checkAlarmRules({
      rules: [
        {
          id: 'a',
          kind: 'threshold',
          severity: 'urgent',
          metric: 'temperature',
          above: 1,
        },
        { id: 'a2', kind: 'threshold', severity: 'minor', metric: 'rpm', above: 1, below: 0 },
        { id: 'b', kind: 'silent', severity: 'minor' },
        {
          id: 'c',
          kind: 'state-duration',
          severity: 'minor',
          state: 'down',
          forSeconds: 1,
          line: 'L1',
        },
        { id: 'd', kind: 'spooky', severity: 'minor' },
      ],
    })
    expect(checked.ok).toBe(false)
    const problems = checked.ok ? [] : checked.problems
    expect(problems.join('\n')).toMatch(/rules\.0\.severity/)
    expect(problems.join('\n')).toMatch(/exactly one of `above` and `below`/)
    expect(problems.join('\n')).toMatch(/rules\.2\.afterSeconds/)
    expect(problems.join('\n')).toMatch(/rules\.3.*line/)
    expect(problems.join('\n')).toMatch(/rules\.4\.kind/)
  })

  it('refuses two rules of one id', () => {
    const rule = { id: 'x', kind: 'silent', severity: 'minor', afterSeconds: 60 }
    expect(checkAlarmRules({ rules: [rule, rule] })).toEqual({
      ok: false,
      problems: ['rules.1.id: x is the id of an earlier rule'],
    })
  })

  it('has the two alerts machines always had as built-in rules, from their settings', () => {
    expect(builtInAlarmRules({ ...DEFAULT_RULES, heartbeatTimeoutMs: 1234 })).toMatchObject([
      { id: 'silent', kind: 'silent', afterMs: 1234 },
      { id: 'scrap-rate', kind: 'scrap-rate', threshold: 0.1, minParts: 20 },
    ])
  })
})
