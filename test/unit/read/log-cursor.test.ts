import { compareCursors, formatCursor, LOG_START, parseCursor } from '../../../src/read/log-cursor'

describe('log cursors', () => {
  it('reads back the text it writes', () => {
    const cursor = { txId: 18_446_744_073_709_551_615n, position: 9_007_199_254_740_991 }
    expect(parseCursor(formatCursor(cursor))).toEqual(cursor)
    expect(formatCursor(LOG_START)).toBe('0-0')
    expect(parseCursor('1234-56')).toEqual({ txId: 1234n, position: 56 })
  })

  it.each([
    '',
    '12',
    '12-',
    '-12',
    '12-34-56',
    ' 12-34',
    '12-34 ',
    '012-34',
    '12-034',
    '1e3-4',
    '0x10-4',
    '+1-2',
    '1.5-2',
    '18446744073709551616-1',
    '1-9007199254740992',
    '99999999999999999999999-1',
  ])('names no cursor in %j', (text) => {
    expect(parseCursor(text)).toBeUndefined()
  })

  it('orders by transaction first, then by position', () => {
    const at = (txId: bigint, position: number) => ({ txId, position })
    expect(compareCursors(at(5n, 100), at(6n, 1))).toBeLessThan(0)
    expect(compareCursors(at(6n, 1), at(5n, 100))).toBeGreaterThan(0)
    expect(compareCursors(at(6n, 1), at(6n, 2))).toBeLessThan(0)
    expect(compareCursors(at(6n, 2), at(6n, 2))).toBe(0)
    // Beyond 2^53 the transaction ids still compare exactly.
    expect(compareCursors(at(2n ** 60n, 1), at(2n ** 60n + 1n, 1))).toBeLessThan(0)
  })
})
