import { timestampSchema, timestampTextSchema } from '../../../src/domain/timestamps'

const FIRST = Date.parse('0000-01-01T00:00:00.000Z')
const LAST = Date.parse('9999-12-31T23:59:59.999Z')
/** The grammar the schema had before it was exact: every text it may accept has this shape. */
const SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/

/** Texts of that shape, with every field near its bounds (a fixed LCG: reproducible). */
function* isoShapedTexts(count: number): Generator<string> {
  let x = 42
  const next = (n: number) => {
    x = (x * 1103515245 + 12345) % 2 ** 31
    return Math.floor((x / 2 ** 31) * n)
  }
  const pick = <T>(xs: T[]) => xs[next(xs.length)] as T
  const two = () =>
    pick(['00', '01', '09', '12', '13', '23', '24', '29', '30', '31', '32', '59', '60', '99'])
  for (let i = 0; i < count; i++) {
    const year = pick(['0000', '0001', '1969', '1970', '2024', '9998', '9999'])
    const date = next(4) === 0 ? pick(['01-01', '12-31', '12-30', '01-02']) : `${two()}-${two()}`
    let text = `${year}-${date}T${two()}:${two()}`
    if (next(3) > 0) text += `:${two()}${pick(['', '.0', '.000', '.5', '.999999999', '.0000'])}`
    text += next(3) === 0 ? 'Z' : `${pick(['+', '-'])}${two()}${pick([':', ''])}${two()}`
    yield text
  }
}

describe('timestamps', () => {
  it('accepts exactly the ISO-8601 texts Date.parse reads inside the RFC 3339 years', () => {
    let accepted = 0
    const wrong: string[] = []
    for (const text of isoShapedTexts(30_000)) {
      if (!SHAPE.test(text)) wrong.push(`not of the shape: ${text}`)
      const ms = Date.parse(text)
      const readable = !Number.isNaN(ms) && ms >= FIRST && ms <= LAST
      const ok = timestampSchema.safeParse(text).success
      // Only the first and last day of the range refuse zones that could leave it.
      const edgeDay = /^(0000-01-01|9999-12-31)T/.test(text)
      if (edgeDay ? ok && !readable : ok !== readable) wrong.push(`${text}: ${ok}`)
      if (timestampTextSchema.safeParse(text).success !== ok) wrong.push(`as text: ${text}`)
      if (ok) accepted++
    }
    expect(wrong).toEqual([])
    expect(accepted).toBeGreaterThan(1000)
  })

  it('reads epoch milliseconds up to the end of year 9999, as numbers and as digits', () => {
    expect(timestampSchema.parse(LAST)).toBe(LAST)
    expect(timestampSchema.safeParse(LAST + 1).success).toBe(false)
    expect(timestampTextSchema.parse(String(LAST))).toBe(LAST)
    expect(timestampTextSchema.parse('0001709251200000')).toBe(1_709_251_200_000)
    for (const text of [String(LAST + 1), '', '1.5', '-1', '1e3', ' 1']) {
      expect({ text, ok: timestampTextSchema.safeParse(text).success }).toEqual({ text, ok: false })
    }
  })

  it('keeps 24:00, offsets without a colon and day roll-over as Date.parse reads them', () => {
    expect(timestampSchema.parse('2024-03-01T24:00Z')).toBe(Date.parse('2024-03-02T00:00Z'))
    expect(timestampSchema.parse('2024-03-01T00:00+0530')).toBe(Date.parse('2024-02-29T18:30Z'))
    expect(timestampSchema.parse('2023-02-31T00:00Z')).toBe(Date.parse('2023-03-03T00:00Z'))
    expect(timestampSchema.safeParse('2024-03-01T00:00+24:00').success).toBe(false)
  })
})
