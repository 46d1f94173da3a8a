// What the page reads of the service's answers: only the fields it uses, as JSON. The
// OpenAPI document at /api/v1/openapi.json describes each answer in full.

/**
 * A machine's run state; `unknown` until its first status report, `offline` while its edge
 * node or device is dead (set by the service, never reported by the machine). In display order.
 */
export const RUN_STATES = ['running', 'idle', 'down', 'maintenance', 'offline', 'unknown'] as const
export type RunState = (typeof RUN_STATES)[number]

export type OeeFactors = {
  availability: number | null
  performance: number | null
  quality: number | null
  oee: number | null
}

/** GET /machines/{id}, and each `machine` event of the stream (ISO times). */
export type MachineView = {
  machineId: string
  /** The machine's event sequence: orders two views of it. */
  sequence: number
  /** A run state; read through `runState`, so a state added later shows as unknown. */
  state: string
  stateSince: string | null
  oee: OeeFactors
  produced: number
  scrapped: number
  alerts: { silent: boolean; scrapRate: boolean }
  /** Its alarms not normal, or shelved (absent from a service without alarms). */
  alarms?: { ruleId: string; severity: string | null; state: string }[]
  lastSeenAt: string | null
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
  deadLetters: number
}

type Factor = (number | null)[]

/** Production and OEE per time bucket (`t`: bucket starts): oee/series and /plant/series. */
export type OeeSeries = {
  bucketMs: number
  t: number[]
  produced: number[]
  scrapped: number[]
  availability: Factor
  performance: Factor
  quality: Factor
  oee: Factor
}

/** GET /machines/{id}/telemetry: per metric, each bucket's average, minimum and maximum. */
export type TelemetrySeries = {
  series: Record<string, { t: number[]; avg: number[]; min: number[]; max: number[] }>
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
