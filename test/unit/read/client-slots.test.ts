import { MillstreamError } from '../../../src/errors'
import { ClientSlots } from '../../../src/read/client-slots'

function refusal(take: () => unknown): MillstreamError {
  try {
    take()
  } catch (err) {
    if (err instanceof MillstreamError) return err
    throw err
  }
  throw new Error('the slot was given')
}

describe('client slots', () => {
  it('refuses a client past its own cap while others still get slots', () => {
    const slots = new ClientSlots('streams', 4, 2)
    slots.take('10.0.0.1')
    slots.take('10.0.0.1')
    const refused = refusal(() => slots.take('10.0.0.1'))
    expect(refused.code).toBe('READS_BUSY')
    expect(refused.retryAfterSeconds).toBeGreaterThan(0)
    expect(refused.message).toContain('from this client address')
    expect(() => slots.take('10.0.0.2')).not.toThrow()
  })

  it('refuses everyone past the instance cap, and gives the slot again once released', () => {
    const slots = new ClientSlots('streams', 2, 2)
    const first = slots.take('a')
    slots.take('b')
    expect(refusal(() => slots.take('c')).message).toContain('2 streams open on this instance')
    first.release()
    expect(slots.size).toBe(1)
    expect(() => slots.take('c')).not.toThrow()
  })

  it('counts a slot released twice once', () => {
    const slots = new ClientSlots('streams', 1, 1)
    const slot = slots.take('a')
    slot.release()
    slot.release()
    expect(slots.size).toBe(0)
    slots.take('a')
    expect(refusal(() => slots.take('b')).code).toBe('READS_BUSY')
  })
})
