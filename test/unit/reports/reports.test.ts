import ExcelJS from 'exceljs'
import { REPORT_TABLES, renderCsv, renderHtml, renderXlsx } from '../../../src/reports'
import { shiftReport } from './report-fixture'

/** An RFC 4180 reader: records of fields, quotes undone, CRLF between records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let field = ''
  let record: string[] = []
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string
    if (quoted && ch === '"' && text[i + 1] === '"') {
      field += '"'
      i++
    } else if (ch === '"') {
      quoted = !quoted
    } else if (quoted) {
      field += ch
    } else if (ch === ',') {
      record.push(field)
      field = ''
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field)
      records.push(record)
      record = []
      field = ''
      i++
    } else {
      field += ch
    }
  }
  return records
}

/** What a read-back XLSX cell says, as the CSV would print it. */
function asCsvText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value.toISOString().slice(0, 19)
  if (typeof value === 'number') return String(value)
  if (typeof value === 'string') return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  throw new Error(`unexpected cell ${JSON.stringify(value)}`)
}

describe('shift report as CSV', () => {
  it('is RFC 4180: a header, CRLF line ends, quoted fields holding commas, quotes and line breaks', () => {
    const csv = renderCsv(shiftReport(), 'lines')
    expect(csv.endsWith('\r\n')).toBe(true)
    expect(csv.replaceAll('\r\n', '')).not.toMatch(/\r/)
    const rows = parseCsv(csv)
    expect(rows[0]?.slice(0, 3)).toEqual(['Area', 'Line', 'Planned busy time (min)'])
    expect(rows.map((r) => r.length)).toEqual(rows.map(() => 23))
    expect(rows[2]?.[1]).toBe('Milling, "fast" line')
    expect(csv).toContain('"Milling, ""fast"" line"')
    // Minutes to 2 places, ratios to 4; a ratio without a basis is empty.
    expect(rows[1]?.slice(2, 9)).toEqual([
      '450',
      '382.5',
      '67.5',
      '0.85',
      '0.9123',
      '0.98',
      '0.7598',
    ])
    expect(rows[2]?.[5]).toBe('')
    expect(rows.at(-1)?.slice(0, 2)).toEqual(['', 'Plant total'])
  })

  it('defuses text a spreadsheet would run as a formula, and prints times in the plant time zone', () => {
    const rows = parseCsv(renderCsv(shiftReport(), 'downtime'))
    const hostile = rows[2] as string[]
    expect(hostile[6]).toBe(`'=HYPERLINK("http://evil.example","x")`)
    expect(hostile[7]).toBe('<script>alert(1)</script>\nsecond line')
    expect(hostile[10]).toBe("'@supervisor")
    expect(rows[1]?.slice(2, 4)).toEqual(['2026-12-07T08:12:30+01:00', '2026-12-07T08:27:30+01:00'])
    expect(hostile[3]).toBe('')
    expect(parseCsv(renderCsv(shiftReport(), 'losses'))[3]?.[0]).toBe("'-1+1")
  })

  it('gives the Pareto its shares and cumulative shares', () => {
    const rows = parseCsv(renderCsv(shiftReport(), 'losses'))
    expect(rows.slice(1).map((r) => r.slice(3))).toEqual([
      ['30', '3', '0.6', '0.6'],
      ['15', '1', '0.3', '0.9'],
      ['5', '2', '0.1', '1'],
    ])
  })
})

describe('shift report as XLSX', () => {
  it('holds one sheet per table, and each reads back as its CSV says', async () => {
    const report = shiftReport()
    const workbook = new ExcelJS.Workbook()
    // exceljs declares its own Buffer: an ArrayBuffer.
    await workbook.xlsx.load(new Uint8Array(await renderXlsx(report)).buffer)
    expect(workbook.worksheets.map((w) => w.name)).toEqual([
      'Summary',
      'Lines',
      'Loss Pareto',
      'Downtime',
    ])
    for (const [i, name] of REPORT_TABLES.entries()) {
      const csv = parseCsv(renderCsv(report, name))
      const sheet = workbook.worksheets[i] as ExcelJS.Worksheet
      const read: string[][] = []
      sheet.eachRow({ includeEmpty: true }, (row) => {
        const cells: string[] = []
        for (let c = 1; c <= (csv[0]?.length ?? 0); c++) cells.push(asCsvText(row.getCell(c).value))
        read.push(cells)
      })
      // Times: Excel holds the plant's wall time, the CSV adds the offset to it.
      const csvLocal = csv.map((r) =>
        r.map((x) => x.replace(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)[+-]\d\d:\d\d$/, '$1')),
      )
      expect(read).toEqual(name === 'summary' ? csv : csvLocal)
    }
  })
})

describe('shift report as a printable page', () => {
  it('is self-contained: no script, no external address, markup escaped, print CSS', () => {
    const html = renderHtml(shiftReport())
    expect(html).not.toMatch(/<script|src=|href=|@import|url\(/i)
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain("default-src 'none'")
    expect(html).toContain('@media print')
    expect(html).toContain('Milling, &quot;fast&quot; line')
    expect(html).toContain('<tr class="total"><td></td><td>Plant total</td>')
    // The Pareto's bars: the largest full width, the others relative to it.
    expect(html.match(/class="bar" style="width:[\d.]+%"/g)).toEqual([
      'class="bar" style="width:100.0%"',
      'class="bar" style="width:50.0%"',
      'class="bar" style="width:16.7%"',
    ])
  })
})
