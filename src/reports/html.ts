import { ZonedTime } from '../zoned-time.js'
import { cellText } from './cell-format.js'
import { reportTables, type ReportTable } from './report-tables.js'
import type { ShiftReport } from './shift-report.js'

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Text made safe inside HTML, in an element or an attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch)
}

// Inline only: a printed report must not depend on the network (a plant network may have none).
const STYLE = `
body { font: 10pt/1.35 system-ui, sans-serif; margin: 16px; color: #111; }
h1 { font-size: 15pt; margin: 0 0 4px; } h2 { font-size: 12pt; margin: 18px 0 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: 2px 5px; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #eee; }
tr.total td { font-weight: bold; border-top: 2px solid #333; }
.bar { background: #c0392b; height: 10px; }
@media print {
  @page { size: A4 landscape; margin: 10mm; }
  body { margin: 0; }
  h2 { break-after: avoid; }
  tr { break-inside: avoid; }
  thead { display: table-header-group; }
  th { background: #eee !important; print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  .bar { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}`

function tableHtml(t: ReportTable, zone: ZonedTime, totalRow: boolean): string {
  const head = t.columns.map((c) => `<th>${escapeHtml(c.title)}</th>`).join('')
  const body = t.rows
    .map((row, r) => {
      const cls = totalRow && r === t.rows.length - 1 ? ' class="total"' : ''
      const cells = row.map((value, i) => {
        const kind = t.columns[i]?.kind ?? 'text'
        const numeric = kind === 'integer' || kind === 'ratio' || kind === 'minutes'
        return `<td${numeric ? ' class="n"' : ''}>${escapeHtml(cellText(kind, value, zone))}</td>`
      })
      return `<tr${cls}>${cells.join('')}</tr>`
    })
    .join('\n')
  return `<h2>${escapeHtml(t.title)}</h2>\n<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`
}

/** The loss Pareto as bars, widths relative to the largest. */
function paretoBars(report: ShiftReport): string {
  const largest = Math.max(0, ...report.pareto.map((p) => p.ms))
  if (largest === 0) return ''
  const rows = report.pareto.map((p) => {
    const width = ((100 * p.ms) / largest).toFixed(1)
    const label = `${p.code}: ${p.name}`
    return `<tr><td>${escapeHtml(label)}</td><td style="width:60%"><div class="bar" style="width:${width}%"></div></td></tr>`
  })
  return `<table aria-label="Loss Pareto">${rows.join('')}</table>`
}

/**
 * The report as one printable HTML page: no script, no external fetch (a Content Security
 * Policy forbids both), print CSS for A4 landscape.
 */
export function renderHtml(report: ShiftReport): string {
  const zone = new ZonedTime(report.plant.timeZone)
  const tables = reportTables(report)
  const title = `${report.plant.name}: ${report.period.name}`
  const sections = tables.map((t) => {
    const html = tableHtml(t, zone, t.name === 'lines')
    return t.name === 'losses' ? `${html}\n${paretoBars(report)}` : html
  })
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${STYLE}
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(`${zone.localIso(Date.parse(report.period.from))} to ${zone.localIso(Date.parse(report.period.to))} (${report.plant.timeZone})`)}</p>
${sections.join('\n')}
</body>
</html>
`
}
