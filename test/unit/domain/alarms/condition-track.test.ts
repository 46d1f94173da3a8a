import { nextTrack, trackVerdict } from '../../../../src/domain/alarms/condition-track'
import { hot } from './rules'

const reading = (temperature: number) => ({ state: 'running' as const, metrics: { temperature } })

describe('threshold condition with a deadband', () => {
  it('turns on only past the limit, not at it', () => {
    expect(nextTrack(undefined, hot, reading(80), 1).on).toBe(false)
    expect(nextTrack(undefined, hot, reading(80.1), 2)).toEqual({ on: true, since: 2 })
  })

  it('stays on inside the deadband and turns off only below limit minus deadband', () => {
    let t = nextTrack(undefined, hot, reading(85), 0)
    for (const [at, v] of [
      [1, 79],
      [2, 76],
      [3, 75],
    ] as const) {
      t = nextTrack(t, hot, reading(v), at)
      expect(t).toEqual({ on: true, since: 0 })
    }
    t = nextTrack(t, hot, reading(74.9), 4)
    expect(t).toEqual({ on: false, since: 4 })
  })

  it('keeps the same object when the condition does not flip, so a reading costs no copy', () => {
    const t = nextTrack(undefined, hot, reading(85), 0)
    expect(nextTrack(t, hot, reading(90), 5)).toBe(t)
    expect(nextTrack(t, hot, { state: 'running', metrics: { pressure: 1 } }, 6)).toBe(t)
  })

  it('mirrors for a lower limit', () => {
    const cold = { ...hot, direction: 'below' as const, limit: 10, deadband: 2 }
    let t = nextTrack(undefined, cold, reading(9), 0)
    expect(t.on).toBe(true)
    t = nextTrack(t, cold, reading(11.5), 1)
    expect(t.on).toBe(true)
    t = nextTrack(t, cold, reading(12.5), 2)
    expect(t).toEqual({ on: false, since: 2 })
  })
})

describe('on and off delays', () => {
  it('raises once the condition has held for the on delay, and says when that is due', () => {
    const t = { on: true, since: 1_000 }
    expect(trackVerdict(hot, t, false, 30_999)).toEqual({ act: null, dueAt: 31_000 })
    expect(trackVerdict(hot, t, false, 31_000)).toEqual({ act: 'raise', dueAt: 31_000 })
  })

  it('clears once the condition has been gone for the off delay', () => {
    const t = { on: false, since: 50_000 }
    expect(trackVerdict(hot, t, true, 59_999).act).toBeNull()
    expect(trackVerdict(hot, t, true, 60_000).act).toBe('clear')
  })

  it('has nothing pending when the condition agrees with the alarm', () => {
    expect(trackVerdict(hot, { on: true, since: 0 }, true, 99_000)).toEqual({
      act: null,
      dueAt: null,
    })
    expect(trackVerdict(hot, undefined, false, 99_000)).toEqual({ act: null, dueAt: null })
  })
})
