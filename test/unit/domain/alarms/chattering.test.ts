import { isChattering, rememberRaise } from '../../../../src/domain/alarms/chattering'

describe('chattering detection', () => {
  const raisesAt = (...times: number[]) => times.reduce<number[]>((r, t) => rememberRaise(r, t), [])

  it('calls three raises within a minute chattering', () => {
    expect(isChattering(raisesAt(0, 20_000, 60_000), 60_000)).toBe(true)
  })

  it('does not for two raises, nor for three spread over more than a minute', () => {
    expect(isChattering(raisesAt(0, 1_000), 1_000)).toBe(false)
    expect(isChattering(raisesAt(0, 30_000, 60_001), 60_001)).toBe(false)
  })

  it('stops once a minute has passed since the last raise', () => {
    const r = raisesAt(0, 1_000, 2_000)
    expect(isChattering(r, 62_000)).toBe(true)
    expect(isChattering(r, 62_001)).toBe(false)
  })

  it('keeps only the last three raise times', () => {
    expect(raisesAt(1, 2, 3, 4, 5)).toEqual([3, 4, 5])
  })
})
