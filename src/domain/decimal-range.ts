/**
 * A regular expression source (no anchors) matching exactly the decimal integers `lo..hi`,
 * written without leading zeros. A JSON Schema `pattern` is the only bound a document can put
 * on a number sent as text, e.g. a query parameter; this keeps that bound exact. Digits are
 * spelled `[0-9]` because `\d` means any Unicode digit to some schema consumers.
 */
export function decimalRangePattern(lo: number, hi: number): string {
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo < 0 || lo > hi) {
    throw new RangeError(`decimalRangePattern: not a range of non-negative integers: ${lo}..${hi}`)
  }
  const parts: string[] = []
  let full: { from: number; to: number } | undefined
  const flush = () => {
    if (full)
      parts.push(`[1-9][0-9]{${full.from === full.to ? full.to : `${full.from},${full.to}`}}`)
    full = undefined
  }
  // One run per length, so that no run needs leading zeros; lengths taken whole share one run.
  for (let digits = String(lo).length; digits <= String(hi).length; digits++) {
    const from = Math.max(lo, digits === 1 ? 0 : 10 ** (digits - 1))
    const to = Math.min(hi, 10 ** digits - 1)
    if (digits > 1 && from === 10 ** (digits - 1) && to === 10 ** digits - 1) {
      full = { from: full?.from ?? digits - 1, to: digits - 1 }
      continue
    }
    flush()
    parts.push(...sameLength(String(from), String(to)))
  }
  flush()
  return parts.length === 1 ? (parts[0] as string) : `(?:${parts.join('|')})`
}

/** Alternatives matching the digit strings `a..b`, both of the same length (zeros allowed). */
function sameLength(a: string, b: string): string[] {
  if (a.length === 0) return ['']
  const first = Number(a[0])
  const last = Number(b[0])
  const restA = a.slice(1)
  const restB = b.slice(1)
  if (first === last) return sameLength(restA, restB).map((tail) => `${first}${tail}`)
  const out: string[] = []
  const any = restA.length === 0 ? '' : `[0-9]${restA.length > 1 ? `{${restA.length}}` : ''}`
  // The first digit's own range is partial unless its tail starts at 0…0; likewise the last's.
  const lowFull = /^0*$/.test(restA)
  const highFull = /^9*$/.test(restB)
  if (!lowFull) out.push(...sameLength(restA, '9'.repeat(restA.length)).map((t) => `${first}${t}`))
  const midFrom = lowFull ? first : first + 1
  const midTo = highFull ? last : last - 1
  if (midFrom <= midTo) out.push(`${digitClass(midFrom, midTo)}${any}`)
  if (!highFull) out.push(...sameLength('0'.repeat(restB.length), restB).map((t) => `${last}${t}`))
  return out
}

function digitClass(from: number, to: number): string {
  if (from === to) return String(from)
  return from === 0 && to === 9 ? '[0-9]' : `[${from}-${to}]`
}
