import ExcelJS from 'exceljs'
import { ZonedTime } from '../zoned-time.js'
import { cellNumber } from './cell-format.js'
import { reportTables, type CellValue, type Column } from './report-tables.js'
import type { ShiftReport } from './shift-report.js'

const NUMBER_FORMATS: Partial<Record<Column['kind'], string>> = {
  ratio: '0.00%',
  minutes: '0.00',
  time: 'yyyy-mm-dd hh:mm:ss',
}

/**
 * A spreadsheet cell's value. Excel has no time zones: an instant is written as the plant's
 * local wall time, the time its people read.
 */
function xlsxValue(column: Column, value: CellValue, zone: ZonedTime): ExcelJS.CellValue {
  if (value === null || typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  if (column.kind === 'time') return new Date(`${zone.localIso(value).slice(0, 19)}Z`)
  return cellNumber(column.kind, value)
}

/** The report as an XLSX workbook: one worksheet per table, a header row, typed cells. */
export async function renderXlsx(report: ShiftReport): Promise<Buffer> {
  const zone = new ZonedTime(report.plant.timeZone)
  const workbook = new ExcelJS.Workbook()
  workbook.creator = 'millstream'
  workbook.title = `${report.plant.name}: ${report.period.name}`
  for (const t of reportTables(report)) {
    const sheet = workbook.addWorksheet(t.title, { views: [{ state: 'frozen', ySplit: 1 }] })
    sheet.columns = t.columns.map((c) => ({
      header: c.title,
      width: Math.max(10, Math.min(40, c.title.length + 2)),
      ...(NUMBER_FORMATS[c.kind] ? { style: { numFmt: NUMBER_FORMATS[c.kind] } } : {}),
    }))
    sheet.getRow(1).font = { bold: true }
    for (const row of t.rows)
      sheet.addRow(row.map((value, i) => xlsxValue(t.columns[i] as Column, value, zone)))
  }
  return Buffer.from(await workbook.xlsx.writeBuffer())
}
