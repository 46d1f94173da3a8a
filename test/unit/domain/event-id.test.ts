import { newEventId } from '../../../src/domain/event-id'

describe('event ids', () => {
  it('are version 7 UUIDs', () => {
    expect(newEventId()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
  })

  it('sort in the order they were made, so the log index is appended to', () => {
    const ids = Array.from({ length: 10_000 }, () => newEventId())
    expect(new Set(ids).size).toBe(ids.length)
    expect([...ids].sort()).toEqual(ids)
  })

  it('carry the time they were made in their first 48 bits', () => {
    const before = Date.now()
    const id = newEventId()
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16)
    expect(ms).toBeGreaterThanOrEqual(before)
    expect(ms).toBeLessThanOrEqual(Date.now())
  })
})
