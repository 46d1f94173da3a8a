const DASH = '–'

const counts = new Intl.NumberFormat('en', { maximumFractionDigits: 0 })
const decimals = new Intl.NumberFormat('en', { maximumFractionDigits: 1 })
const compacts = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 })
const clock = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
})
const dateTime = new Intl.DateTimeFormat('en-GB', {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
})

/** A share (0..1) as a whole percentage; a dash when there is none. */
export const percent = (share: number | null | undefined): string =>
  share === null || share === undefined || !Number.isFinite(share)
    ? DASH
    : `${Math.round(share * 100)}%`

export const count = (n: number | null | undefined): string =>
  n === null || n === undefined ? DASH : counts.format(n)

/** A count that fits a key figure's box: 98,765 in full, 210,725 as 210.7K. */
export const compact = (n: number | null | undefined): string =>
  n === null || n === undefined ? DASH : n < 100_000 ? counts.format(n) : compacts.format(n)

export const decimal = (n: number | null | undefined): string =>
  n === null || n === undefined ? DASH : decimals.format(n)

/** Milliseconds, to one decimal below 10 ms. */
export const millis = (ms: number | null | undefined): string =>
  ms === null || ms === undefined ? DASH : `${ms < 10 ? decimals.format(ms) : counts.format(ms)} ms`

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago"; a dash for never. */
export function ago(iso: string | null, now: number): string {
  if (iso === null) return DASH
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000))
  if (seconds < 60) return `${seconds} s ago`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`
  return `${Math.floor(seconds / 86_400)} d ago`
}

/** A time of day, or a date and time when it is not today. */
export function when(epochMs: number, now: number): string {
  return now - epochMs < 20 * 3600_000 ? clock.format(epochMs) : dateTime.format(epochMs)
}
