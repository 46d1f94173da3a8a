import { ZonedTime } from '../zoned-time.js'
import type { KpiAnswer, ShiftReport } from './shift-report.js'

/**
 * How a column's values read: text, a whole number, a ratio 0..1, a duration (kept in ms,
 * shown in minutes), an instant (kept in epoch ms, shown in the plant's time), or yes/no.
 */
export type ColumnKind = 'text' | 'integer' | 'ratio' | 'minutes' | 'time' | 'boolean'

export type Column = { title: string; kind: ColumnKind }

/** A value before it is formatted: strings for text, numbers for the rest; null is empty. */
export type CellValue = string | number | boolean | null

/** One table of a report: a CSV file, a worksheet, a table of the printable page. */
export type ReportTable = {
  name: ReportTableName
  title: string
  columns: Column[]
  rows: CellValue[][]
}

export const REPORT_TABLES = ['summary', 'lines', 'losses', 'downtime'] as const
export type ReportTableName = (typeof REPORT_TABLES)[number]

const c = (title: string, kind: ColumnKind): Column => ({ title, kind })

const LINE_COLUMNS: Column[] = [
  c('Area', 'text'),
  c('Line', 'text'),
  c('Planned busy time (min)', 'minutes'),
  c('Run time (min)', 'minutes'),
  c('Downtime (min)', 'minutes'),
  c('Availability', 'ratio'),
  c('Performance', 'ratio'),
  c('Quality', 'ratio'),
  c('OEE', 'ratio'),
  c('Produced', 'integer'),
  c('Good', 'integer'),
  c('Scrap', 'integer'),
  c('First-pass yield', 'ratio'),
  c('MTBF (min)', 'minutes'),
  c('MTTR (min)', 'minutes'),
  c('Failures', 'integer'),
  c('Breakdowns (min)', 'minutes'),
  c('Setup and adjustments (min)', 'minutes'),
  c('Small stops (min)', 'minutes'),
  c('Reduced speed (min)', 'minutes'),
  c('Start-up rejects (min)', 'minutes'),
  c('Production rejects (min)', 'minutes'),
  c('Constraint', 'text'),
]

const kpiCells = (k: KpiAnswer): CellValue[] => [
  k.plannedBusyMs,
  k.runMs,
  k.downtimeMs,
  k.availability,
  k.performance,
  k.quality,
  k.oee,
  k.produced,
  k.good,
  k.scrap,
  k.firstPassYield,
  k.mtbfMs,
  k.mttrMs,
  k.failures,
  k.losses.breakdown,
  k.losses.setupAdjustment,
  k.losses.smallStop,
  k.losses.reducedSpeed,
  k.losses.startupReject,
  k.losses.productionReject,
  k.constraint,
]

const instant = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso))

/** The report as tables, in the order a reader takes them: every renderer reads these. */
export function reportTables(report: ShiftReport): ReportTable[] {
  const totalMs = report.pareto.reduce((sum, p) => sum + p.ms, 0)
  let cumulative = 0
  return [
    {
      name: 'summary',
      title: 'Summary',
      columns: [c('Item', 'text'), c('Value', 'text')],
      rows: [
        ['Plant', report.plant.name],
        ['Time zone', report.plant.timeZone],
        ['Shift', report.period.name],
        ['From', new ZonedTime(report.plant.timeZone).localIso(Date.parse(report.period.from))],
        ['To', new ZonedTime(report.plant.timeZone).localIso(Date.parse(report.period.to))],
      ],
    },
    {
      name: 'lines',
      title: 'Lines',
      columns: LINE_COLUMNS,
      rows: [
        ...report.lines.map((l) => [l.area, l.name, ...kpiCells(l.kpis)]),
        ['', 'Plant total', ...kpiCells(report.totals)],
      ],
    },
    {
      name: 'losses',
      title: 'Loss Pareto',
      columns: [
        c('Reason code', 'text'),
        c('Reason', 'text'),
        c('Category', 'text'),
        c('Downtime (min)', 'minutes'),
        c('Stops', 'integer'),
        c('Share', 'ratio'),
        c('Cumulative share', 'ratio'),
      ],
      rows: report.pareto.map((p) => {
        cumulative += p.ms
        const share = (x: number) => (totalMs > 0 ? x / totalMs : null)
        return [p.code, p.name, p.category, p.ms, p.count, share(p.ms), share(cumulative)]
      }),
    },
    {
      name: 'downtime',
      title: 'Downtime',
      columns: [
        c('Machine', 'text'),
        c('Line', 'text'),
        c('Started', 'time'),
        c('Ended', 'time'),
        c('Duration (min)', 'minutes'),
        c('State', 'text'),
        c('Reason code', 'text'),
        c('Reason', 'text'),
        c('Category', 'text'),
        c('Planned', 'boolean'),
        c('Classified by', 'text'),
      ],
      rows: report.downtime.map((d) => [
        d.machineId,
        d.lineId,
        instant(d.startedAt),
        instant(d.endedAt),
        d.durationMs,
        d.state,
        d.reasonCode,
        d.reasonName,
        d.category,
        d.planned,
        d.classifiedBy,
      ]),
    },
  ]
}
