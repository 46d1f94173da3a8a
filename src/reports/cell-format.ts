import { ZonedTime } from '../zoned-time.js'
import type { CellValue, ColumnKind } from './report-tables.js'

const RATIO_DECIMALS = 4
const MINUTE_DECIMALS = 2

const round = (x: number, decimals: number) => {
  const f = 10 ** decimals
  return Math.round(x * f) / f
}

/**
 * The number a cell holds in a spreadsheet: ratios to 4 places, durations in minutes to 2;
 * the CSV prints the same number, so both say the same.
 */
export function cellNumber(kind: ColumnKind, value: number): number {
  if (kind === 'ratio') return round(value, RATIO_DECIMALS)
  if (kind === 'minutes') return round(value / 60_000, MINUTE_DECIMALS)
  return value
}

/** A text cell a spreadsheet would read as a formula (`= + - @`, tab, CR) gets a leading `'`. */
export function defuseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}

/** A cell as text: what the CSV and the printable page show. */
export function cellText(kind: ColumnKind, value: CellValue, zone: ZonedTime): string {
  if (value === null) return ''
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  if (typeof value === 'string') return value
  if (kind === 'time') return zone.localIso(value)
  return String(cellNumber(kind, value))
}
