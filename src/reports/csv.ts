import { ZonedTime } from '../zoned-time.js'
import { cellText, defuseFormula } from './cell-format.js'
import { reportTables, type ReportTableName } from './report-tables.js'
import type { ShiftReport } from './shift-report.js'

/** One field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
function field(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/**
 * One table of the report as CSV (RFC 4180: CRLF line ends, a header row). Text that a
 * spreadsheet would run as a formula is defused; times are the plant's local time with offset.
 */
export function renderCsv(report: ShiftReport, table: ReportTableName): string {
  const zone = new ZonedTime(report.plant.timeZone)
  const t = reportTables(report).find((x) => x.name === table)
  if (!t) return ''
  const lines = [
    t.columns.map((c) => field(defuseFormula(c.title))),
    ...t.rows.map((row) =>
      row.map((value, i) => {
        const kind = t.columns[i]?.kind ?? 'text'
        const text = cellText(kind, value, zone)
        return field(typeof value === 'string' ? defuseFormula(text) : text)
      }),
    ),
  ]
  return lines.map((l) => `${l.join(',')}\r\n`).join('')
}
