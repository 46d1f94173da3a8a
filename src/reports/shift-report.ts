/** The six big losses, as time (ms), as the KPI answer gives them. */
export type LossTimes = {
  breakdown: number
  setupAdjustment: number
  smallStop: number
  reducedSpeed: number
  startupReject: number
  productionReject: number
}

/** One reason's share of the downtime: a bar of the loss Pareto. */
export type ParetoEntry = {
  code: string
  name: string
  category: string
  ms: number
  count: number
}

/** The KPIs of a machine, line, area or site over a period (`GET /api/v1/kpis`). */
export type KpiAnswer = {
  scope: 'machine' | 'line' | 'area' | 'site'
  id: string
  from: string
  to: string
  plannedBusyMs: number
  runMs: number
  downtimeMs: number
  /** Ratios 0..1, null where the period gives them no basis. */
  availability: number | null
  performance: number | null
  quality: number | null
  oee: number | null
  good: number
  scrap: number
  produced: number
  firstPassYield: number | null
  mtbfMs: number | null
  mttrMs: number | null
  failures: number
  losses: LossTimes
  downtimeByReason: ParetoEntry[]
  constraint: string | null
}

/** One stop (`GET /api/v1/downtime`). */
export type DowntimeRow = {
  id: string
  machineId: string
  lineId: string
  startedAt: string
  endedAt: string | null
  durationMs: number
  state: string
  reasonCode: string | null
  reasonName: string | null
  category: string
  planned: boolean
  classifiedBy: string | null
}

/** A shift's report: its lines' KPIs, the plant's, its stops and its loss Pareto. */
export type ShiftReport = {
  plant: { name: string; timeZone: string }
  /** The shift (or any named period) the report covers; ISO 8601 instants. */
  period: { name: string; from: string; to: string }
  lines: { id: string; name: string; area: string; kpis: KpiAnswer }[]
  totals: KpiAnswer
  downtime: DowntimeRow[]
  /** The plant's downtime by reason, largest first. */
  pareto: ParetoEntry[]
}
