import type { PartInfoUpdated } from '../../../src/domain/events'
import {
  applyMaterialEvent,
  decideMaterial,
  initialMaterialState,
  PRICE_HISTORY_IN_STATE,
} from '../../../src/domain/material'
import { applyPartEvent, countOutput, decidePart, initialPartState } from '../../../src/domain/part'

describe('part', () => {
  const info = {
    kind: 'part-info' as const,
    defaultPrice: 9.5,
    timeToProduce: 42,
    materials: ['steel', 'paint'],
    at: 1000,
  }

  it('records reference data, and nothing when the same data comes again', () => {
    const events = decidePart(initialPartState(4), info, 5)
    expect(events).toMatchObject([
      { type: 'PartInfoUpdated', key: '4', sequence: 1, defaultPrice: 9.5, timeToProduce: 42 },
    ])
    const state = applyPartEvent(initialPartState(4), events[0] as PartInfoUpdated)
    expect(state).toMatchObject({
      sequence: 1,
      defaultPrice: 9.5,
      timeToProduce: 42,
      materials: ['steel', 'paint'],
    })
    expect(decidePart(state, info, 6)).toEqual([])
    expect(decidePart(state, { ...info, timeToProduce: 40 }, 6)).toHaveLength(1)
  })

  it('adds up the parts machines report, scrap included', () => {
    const s = [false, true, false].reduce(
      (acc, damaged) => countOutput(acc, damaged),
      initialPartState(4),
    )
    expect(s).toMatchObject({ produced: 3, scrapped: 1 })
  })
})

describe('material', () => {
  const price = (p: number, date: number) => ({
    kind: 'material-price' as const,
    name: 'Steel',
    price: p,
    date,
  })
  const record = (state: ReturnType<typeof initialMaterialState>, p: number, date: number) =>
    decideMaterial(state, price(p, date), 0).reduce((s, e) => applyMaterialEvent(s, e), state)

  it('takes the price with the latest date as current, whatever order prices arrive in', () => {
    let s = initialMaterialState('steel')
    s = record(s, 3, 2000)
    s = record(s, 2, 1000)
    expect(s).toMatchObject({ name: 'Steel', price: 3, priceDate: 2000, sequence: 2 })
    expect(s.history.map((h) => h.price)).toEqual([2, 3])
  })

  it('keeps a bounded history in memory (the log keeps all of it)', () => {
    let s = initialMaterialState('steel')
    for (let i = 0; i < PRICE_HISTORY_IN_STATE + 5; i++) s = record(s, i, i)
    expect(s.history).toHaveLength(PRICE_HISTORY_IN_STATE)
    expect(s.price).toBe(PRICE_HISTORY_IN_STATE + 4)
  })
})
