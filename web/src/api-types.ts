// The shapes of the service's answers the page reads (the API's own types, as JSON).

/** A machine's run state; `unknown` until its first status report. */
export const RUN_STATES = ['running', 'idle', 'down', 'maintenance', 'unknown'] as const
export type RunState = (typeof RUN_STATES)[number]

export type OeeFactors = {
  availability: number | null
  performance: number | null
  quality: number | null
  oee: number | null
}

/** GET /machines/{id}, and each `machine` event of the stream. */
export type MachineView = {
  machineId: string
  state: string
  stateSince: string | null
  lastSeenAt: string | null
  produced: number
  scrapped: number
  lastOrder: number | null
  lastPartId: number | null
  lastProducedAt: string | null
  metrics: Record<string, number>
  metricsAt: string | null
  oee: OeeFactors
  alerts: { silent: boolean; scrapRate: boolean }
  sequence: number
}

export type MachinePage = { items: MachineView[]; limit: number; offset: number }

/** GET /plant. */
export type PlantSummary = {
  at: string
  machines: number
  byState: Record<RunState, number>
  oee: OeeFactors
  produced: number
  scrapped: number
  alerts: { silent: number; scrapRate: number }
}

/** GET /pipeline. */
export type PipelineHealth = {
  at: string
  inFlight: number
  commitLatencyMs: { p50: number; p99: number } | null
  relay: { lagEvents: number; published: number } | null
  /** Events not yet in the chart tables. */
  series: { lagEvents: number } | null
  stream: { subscribers: number }
  messagesProcessed: number
  deadLettered: number
}

/** Production and OEE per time bucket: GET /machines/{id}/oee/series and /plant/series. */
export type OeeSeries = {
  from: number
  to: number
  bucketMs: number
  t: number[]
  produced: number[]
  scrapped: number[]
  availability: (number | null)[]
  performance: (number | null)[]
  quality: (number | null)[]
  oee: (number | null)[]
}

export type MetricSeries = {
  t: number[]
  avg: number[]
  min: number[]
  max: number[]
  last: number[]
  count: number[]
}

/** GET /machines/{id}/telemetry. */
export type TelemetrySeries = {
  machineId: string
  from: number
  to: number
  bucketMs: number
  series: Record<string, MetricSeries>
}

/** A rejected input: GET /dead-letters items and the stream's `deadletter` events. */
export type DeadLetter = {
  id: number
  source: string
  reason: string
  receivedAt: string
  recordedAt: string
}

export type DeadLetterPage = { items: DeadLetter[]; next: number | null }

/** One line of GET /events (NDJSON): the envelope, then the event's own fields. */
export type LoggedEvent = {
  eventId: string
  type: string
  key: string
  sequence: number
  occurredAt: number
  recordedAt: number
  [field: string]: unknown
}

export type StateChange = LoggedEvent & {
  type: 'MachineStateChanged'
  state: RunState
  previousState: RunState
  reason: string | null
}
