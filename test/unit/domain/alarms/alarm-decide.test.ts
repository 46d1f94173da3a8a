import { alarmDueAt } from '../../../../src/domain/alarms/alarm-decide'
import { downLong, hot, HOT_RAISED, scrap, silent } from './rules'
import { Timeline, types } from './alarm-timeline'

const S = 1_000

describe('threshold rule: temperature > 80 for 30 s, clear below 75 for 10 s', () => {
  it('raises after the on delay and clears after the deadband and off delay', () => {
    const t = new Timeline([hot])
    expect(t.reading(0, { temperature: 85 })).toEqual([])
    expect(t.tick(29 * S)).toEqual([])
    expect(alarmDueAt(t.book, t.rules, t)).toBe(30 * S)
    const [raised] = t.tick(30 * S)
    expect(raised).toEqual(HOT_RAISED)
    expect(t.reading(40 * S, { temperature: 78 })).toEqual([]) // inside the deadband
    expect(t.reading(50 * S, { temperature: 70 })).toEqual([]) // off delay starts
    expect(t.tick(59 * S)).toEqual([])
    expect(types(t.tick(60 * S))).toEqual(['AlarmCleared:hot'])
    expect(t.book.alarms['hot']?.state).toBe('cleared-unacknowledged')
  })

  it('raises nothing when the value falls back before the on delay ends', () => {
    const t = new Timeline([hot])
    t.reading(0, { temperature: 85 })
    t.reading(20 * S, { temperature: 74 })
    expect(t.tick(40 * S)).toEqual([])
    expect(t.log).toEqual([])
  })

  it('raises on the reading that ends the on delay, with that reading as the value', () => {
    const t = new Timeline([hot])
    t.reading(0, { temperature: 81 })
    expect(t.reading(30 * S, { temperature: 92 })).toMatchObject([
      { type: 'AlarmRaised', value: 92 },
    ])
  })

  it('does not clear when the value comes back above the limit during the off delay', () => {
    const t = new Timeline([{ ...hot, onDelayMs: 0 }])
    expect(types(t.reading(0, { temperature: 85 }))).toEqual(['AlarmRaised:hot'])
    t.reading(1 * S, { temperature: 70 })
    t.reading(5 * S, { temperature: 82 })
    expect(t.tick(20 * S)).toEqual([])
    expect(t.book.alarms['hot']?.state).toBe('active-unacknowledged')
  })

  it('raises once however long the condition holds', () => {
    const t = new Timeline([{ ...hot, onDelayMs: 0 }])
    for (let i = 0; i < 10; i += 1) t.reading(i * S, { temperature: 90 + i })
    expect(types(t.log)).toEqual(['AlarmRaised:hot'])
  })
})

describe('state duration rule: a press down for more than 5 minutes', () => {
  it('raises only for machines its pattern names, once the state has lasted', () => {
    const press = new Timeline([downLong], 'press-7')
    const lathe = new Timeline([downLong], 'lathe-1')
    for (const t of [press, lathe]) t.status(0, 'down')
    expect(press.tick(299 * S)).toEqual([])
    expect(types(press.tick(300 * S))).toEqual(['AlarmRaised:down-long'])
    expect(lathe.tick(300 * S)).toEqual([])
    expect(types(press.status(310 * S, 'running'))).toEqual(['AlarmCleared:down-long'])
  })
})

describe('silent rule', () => {
  it('raises on a tick past the silence and clears on the next message', () => {
    const t = new Timeline([silent])
    t.reading(0, { temperature: 20 })
    expect(alarmDueAt(t.book, t.rules, t)).toBe(60 * S + 1)
    expect(t.tick(60 * S)).toEqual([])
    expect(types(t.tick(61 * S))).toEqual(['AlarmRaised:silent'])
    expect(t.tick(200 * S)).toEqual([])
    expect(types(t.reading(201 * S, { temperature: 20 }))).toEqual(['AlarmCleared:silent'])
  })
})

describe('scrap rate rule', () => {
  it('raises over the threshold once enough parts were made, and clears back at or under it', () => {
    const t = new Timeline([scrap])
    expect(t.production(1, 9, 5)).toEqual([]) // too few parts
    expect(types(t.production(2, 10, 8))).toEqual(['AlarmRaised:scrap-rate'])
    expect(t.production(3, 11, 9)).toEqual([])
    expect(types(t.production(4, 20, 18))).toEqual(['AlarmCleared:scrap-rate'])
  })
})

describe('shelving', () => {
  it('unshelves by itself when the period ends', () => {
    const t = new Timeline([{ ...hot, onDelayMs: 0 }])
    t.reading(0, { temperature: 90 })
    t.apply(1 * S, [
      { type: 'AlarmShelved', ruleId: 'hot', by: 'op', reason: 'swap', until: 60 * S },
    ])
    expect(alarmDueAt(t.book, t.rules, t)).toBe(60 * S)
    expect(t.tick(59 * S)).toEqual([])
    expect(t.tick(60 * S)).toEqual([{ type: 'AlarmUnshelved', ruleId: 'hot', by: null }])
    expect(t.book.shelves).toEqual({})
  })
})

describe('chattering', () => {
  it('shows in the raise times a rule keeps', () => {
    const t = new Timeline([{ ...hot, onDelayMs: 0, offDelayMs: 0, deadband: 0 }])
    for (let i = 0; i < 6; i += 1) t.reading(i * S, { temperature: i % 2 === 0 ? 90 : 70 })
    expect(types(t.log).filter((x) => x.startsWith('AlarmRaised'))).toHaveLength(3)
    expect(t.book.raises['hot']).toEqual([0, 2 * S, 4 * S])
  })
})
