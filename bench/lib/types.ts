/** Where the bench's real services listen (from scripts/services/up.sh's services.env). */
export type BenchServices = {
  databaseUrl: string
  mqttUrl: string
  kafkaBrokers: string
}

/** The fastest rate one part of the stack reaches alone on this machine. */
export type Ceiling = {
  /** What was measured, e.g. "Mosquitto QoS 1 publish → subscribe". */
  name: string
  unit: 'messages/s' | 'rows/s' | 'records/s' | 'encodes/s'
  perSecond: number
  /** How it was measured: batch sizes, payload bytes, counts, seconds. */
  detail: Record<string, number | string>
}

/** How long each measurement runs; the smoke variant shrinks every figure. */
export type BenchBudget = {
  /** Seconds each ceiling measurement runs. */
  ceilingSeconds: number
  smoke: boolean
}

/** One target of the bench: what was measured against which goal, and whether it was met. */
export type Target = { what: string; goal: string; measured: string; met: boolean }
