import type { KpiRecords } from '../plant/kpi-records.js'
import type { PlantTree } from '../plant/plant-model.js'
import type { Readable } from 'node:stream'
import type { AlarmBook } from '../domain/alarms/alarm-book.js'
import type { AlarmState } from '../domain/alarms/alarm-lifecycle.js'
import type { AlarmRule, Severity } from '../domain/alarms/alarm-rule.js'
import type { RunState } from '../domain/oee.js'
import type { EntityType } from '../domain/events.js'
import type { StreamFilter } from './coalescer.js'
import type { EventSchema, HistoricalSchema } from '../publish/avro/schema-registry.js'

// What the HTTP layer reads, and nothing more: each port holds only the calls a route makes, so
// the API depends on no store and a test fakes a port with plain functions.

/** Machine state as the API returns it. */
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
  oee: {
    availability: number | null
    performance: number | null
    quality: number | null
    oee: number | null
  }
  alerts: { silent: boolean; scrapRate: boolean }
  /** Its alarms not normal, or shelved. */
  alarms: AlarmView[]
  sequence: number
}

export type MachineFilters = { state?: RunState; alert?: 'silent' | 'scrap-rate' }

/** Live state of machines. */
export interface MachineReads {
  get(machineId: string): Promise<MachineView | undefined>
  list(limit: number, offset: number, filters?: MachineFilters): Promise<MachineView[]>
  /** The machines of `machineIds` that exist, in no particular order: one query for many. */
  many(machineIds: readonly string[]): Promise<MachineView[]>
}

/** A part as the API returns it: reference data, totals, and unit material cost. */
export type PartView = {
  partId: number
  defaultPrice: number | null
  timeToProduce: number | null
  materials: string[]
  produced: number
  scrapped: number
  /** Σ latest price of its materials; null while a material has no price yet. */
  unitMaterialCost: number | null
  infoUpdatedAt: string | null
}

export type MaterialView = {
  materialId: string
  name: string
  price: number
  priceDate: string
  sequence: number
}

export type PricePoint = { price: number; date: string; recordedAt: string }

/** The plant at a glance: every machine summed. OEE factors are means over machines with one. */
export type PlantSummary = {
  machines: number
  byState: Record<RunState, number>
  oee: MachineView['oee']
  produced: number
  scrapped: number
  /** Machines with each alert raised. */
  alerts: { silent: number; scrapRate: number }
}

export interface PlantReads {
  summary(): Promise<PlantSummary>
  /** The plant model's hierarchy, each line holding the machines it places there now. */
  tree(): Promise<PlantTree>
}

/** Parts and materials, with a material's price history. */
export interface CatalogReads {
  part(partId: number): Promise<PartView | undefined>
  parts(limit: number, offset: number): Promise<PartView[]>
  material(materialId: string): Promise<MaterialView | undefined>
  materials(limit: number, offset: number): Promise<MaterialView[]>
  /** The parts of `partIds` that exist, in no particular order. */
  manyParts(partIds: readonly number[]): Promise<PartView[]>
  /** The materials of `materialIds` that exist, in no particular order. */
  manyMaterials(materialIds: readonly string[]): Promise<MaterialView[]>
  /** Newest first. */
  priceHistory(materialId: string, limit: number): Promise<PricePoint[]>
}

/** A stored dead letter, as the API lists it. */
export type DeadLetterRow = {
  id: number
  source: string
  reason: string
  receivedAt: Date
  recordedAt: Date
}

/** A dead letter's summary: its reason and the sizes of its input, not the input itself. */
export type DeadLetterSummary = DeadLetterRow & {
  /** The whole input's length in bytes. */
  payloadSize: number
  /** SHA-256 of the whole input, hex. */
  payloadSha256: string
  /** Bytes of the input kept (its first ones). */
  keptBytes: number
}

/** Rejected inputs, oldest first, a page at a time. */
export interface DeadLetterReads {
  /** Letters with an id above `afterId`, without their payloads. */
  list(limit: number, afterId?: number): Promise<DeadLetterSummary[]>
  /** The kept payload of one letter, or undefined for an unknown id. */
  payload(id: number): Promise<Buffer | undefined>
  /** The letters of `ids` that exist, without their payloads, in no particular order. */
  many(ids: readonly number[]): Promise<DeadLetterRow[]>
}

/** A record Kafka refused for good, parked by the relay. */
export type ParkedRecordRow = {
  id: number
  eventId: string
  type: string
  key: string
  /** The broker's error type, e.g. MESSAGE_TOO_LARGE. */
  code: string
  reason: string
  /** The event's size as JSON. */
  jsonBytes: number
  parkedAt: Date
  republishRequestedAt: Date | null
  republishedAt: Date | null
}

/** The relay's parked records, and the command that republishes them. */
export interface ParkedRecords {
  /** Records with an id above `afterId`, oldest first. */
  list(limit: number, afterId: number): Promise<ParkedRecordRow[]>
  /**
   * Asks the relay to publish again one parked record (`id`) or every one not yet republished;
   * resolves with how many were asked for.
   */
  requestRepublish(id?: number): Promise<number>
}

/** Which events to read; every condition given must hold. Times are epoch ms over occurred_at. */
export type EventQuery = {
  types?: readonly string[]
  /** Entity id (the event's `key`). */
  key?: string
  /** Inclusive. */
  from?: number
  /** Exclusive. */
  to?: number
  limit?: number
  /** Fields the event must hold with these values, e.g. `{ partId: 4 }`. */
  contains?: Record<string, string | number | boolean>
  /** Only events after this one in log order (its `eventId`): where a cut-short answer goes on. */
  after?: string
}

/**
 * A streamed answer. `continueAfter` is set once it has ended cut short by a cap on rows or
 * duration: the `eventId` of its last event, where the next request goes on.
 */
export type HistoryStream = Readable & { readonly continueAfter?: string; readonly rows?: number }

/**
 * The event log, read as a stream. The stream is in object mode; each chunk is one batch: the
 * JSON text of each event (the stored payload), in log order.
 */
export interface EventHistory {
  /** `client` is the caller's address, for the per-client cap on open streams. */
  open(query: EventQuery, client?: string): Promise<HistoryStream>
}

/** The Avro event schemas: the ones written now and the released versions. */
export interface SchemaReads {
  all(): EventSchema[]
  historical(): HistoricalSchema[]
}

/** One message of the live stream; `data` is JSON text, written once for every subscriber. */
export type StreamMessage = {
  event: 'hello' | 'reset' | EntityType
  /** A cursor in the committed log's commit order (`<txId>-<position>`). */
  id: string
  data: string
}

/** Where a subscription writes. `send` false: the client is slow; wait for `onDrain`. */
export interface StreamSink {
  /** Writes the messages in order, in one write: a flush's updates cost one socket write. */
  send(messages: readonly StreamMessage[]): boolean
  /** A line that keeps idle proxies from closing the connection. */
  keepalive(): boolean
  onDrain(resume: () => void): void
  /** Ends the response (the subscription is over: shutdown, or a failed resume). */
  end(): void
  /** Cuts the response off, dropping what is buffered (a client that stopped reading). */
  abort(): void
}

export type StreamRequest = {
  filter: StreamFilter
  /** The id of the last message the client received, as it sent it (unchecked). */
  resumeFrom?: string
  /** The client's address, for the per-client cap on subscribers. */
  client?: string
}

/** Committed changes as they happen, coalesced per entity. */
export interface LiveUpdates {
  /** Sends `hello` (and `reset` if the resume point is unusable) before it resolves. */
  subscribe(request: StreamRequest, sink: StreamSink): Promise<{ close(): void }>
}

/** A chart's range, widened to whole buckets, and the table that serves its bucket. */
export type SeriesRange = {
  /** Start of the first bucket, epoch ms. */
  from: number
  /** End of the last bucket, epoch ms (exclusive). */
  to: number
  bucketMs: number
  /** The rollup read (`minute`, `hour`) or `raw` readings (telemetry only). */
  source: 'minute' | 'hour' | 'raw'
}

/** One metric per bucket; buckets without readings are left out. `t` is each bucket's start. */
export type MetricSeries = {
  t: number[]
  avg: number[]
  min: number[]
  max: number[]
  last: number[]
  count: number[]
}

/** OEE inputs and factors per bucket; a factor without a basis in its bucket is null. */
export type OeeSeries = {
  t: number[]
  produced: number[]
  scrapped: number[]
  plannedMs: number[]
  runningMs: number[]
  availability: (number | null)[]
  performance: (number | null)[]
  quality: (number | null)[]
  oee: (number | null)[]
}

/**
 * The JSON text of a `T`, built by the store and sent as it is: parsing and writing again a
 * week of minutes cost a chart's answer a third of its time.
 */
export type JsonText<T> = string & { readonly jsonOf?: T }

/** Time series for charts, from the rollup tables (never the event log). */
export interface SeriesReads {
  /**
   * A machine's metrics (every one it has reported when `metrics` is absent; a named one
   * without readings has empty arrays); undefined for an unknown machine.
   */
  telemetry(
    machineId: string,
    metrics: readonly string[] | undefined,
    range: SeriesRange,
  ): Promise<JsonText<Record<string, MetricSeries>> | undefined>
  /** A machine's OEE per bucket (`source` minute or hour); undefined for an unknown machine. */
  machineOee(machineId: string, range: SeriesRange): Promise<OeeSeries | undefined>
  /** The plant's OEE per bucket, summed over every machine. */
  plantOee(range: SeriesRange): Promise<OeeSeries>
}

/** One audit record: which API key did what, to what, and how it ended. */
export type AuditEntry = {
  /** The key's name from `API_KEYS` (never the key). */
  key: string
  action: string
  target: string
  /** The HTTP status, or the error's code. */
  outcome: string
}

/** An audit record as stored. */
export type AuditRow = AuditEntry & { id: number; recordedAt: Date }

/** The audit records of commands, ingest and raw publishes. */
export interface AuditTrail {
  record(entry: AuditEntry): Promise<void>
  /** Records with an id above `afterId`, oldest first. */
  list(limit: number, afterId: number): Promise<AuditRow[]>
}

/** Which downtime records to list: of a line or a machine, overlapping [from, to). */
export type DowntimeFilter = {
  lineId?: string
  machineId?: string
  from: number
  to: number
  /** Only stops still going on. */
  openOnly: boolean
  limit: number
}

/** A downtime record as the follower keeps it (its category is the catalogue's, at read time). */
export type DowntimeRecordRow = {
  id: string
  machineId: string
  lineId: string
  state: RunState
  startedAt: number
  endedAt: number | null
  reasonCode: string | null
  /** Who gave the reason, when a supervisor did. */
  classifiedBy: string | null
}

/** The plant's downtime records. */
export interface DowntimeReads {
  list(filter: DowntimeFilter): Promise<DowntimeRecordRow[]>
}

/** One alarm that is not normal, or is shelved, as the API shows it. */
export type AlarmView = {
  machineId: string
  ruleId: string
  ruleKind: AlarmRule['kind'] | null
  severity: Severity | null
  /** normal for an alarm shown only because it is shelved. */
  state: AlarmState | 'normal'
  raisedAt: string | null
  detail: string | null
  acknowledgedAt: string | null
  acknowledgedBy: string | null
  clearedAt: string | null
  shelved: { by: string | null; reason: string; until: string } | null
}

/** A machine's alarms as its row keeps them: what a command is checked against first. */
export type MachineAlarms = Pick<AlarmBook, 'alarms' | 'shelves'>

/** The alarms the API lists, and a machine's own for checking a command. */
export interface AlarmReads {
  active(filter: { machineId?: string; severity?: Severity }): Promise<AlarmView[]>
  ofMachine(machineId: string): Promise<MachineAlarms | undefined>
}

/** How often one machine's alarm of one rule was raised. */
export type AlarmCount = { machineId: string; ruleId: string; raised: number }

/** ISA-18.2 alarm-system health over a period (`periodMs` back from now). */
export type AlarmHealth = {
  periodMs: number
  raisedLast10Minutes: number
  /** Alarms whose condition holds now, and those of them raised more than a day ago. */
  active: number
  standing: number
  /** The ten alarms raised most often in the period. */
  mostFrequent: AlarmCount[]
  /** Alarms raised three times within a minute in the period, with their raises in such runs. */
  chattering: AlarmCount[]
}

export interface AlarmHealthReads {
  health(periodMs: number): Promise<AlarmHealth>
}

/** The alarm rules in force, where they came from and what the last refused reload found. */
export interface AlarmRuleReads {
  readonly file: string | null
  current(): readonly AlarmRule[]
  loadedAt(): number
  problems(): readonly string[]
}

/** Whose records the KPIs need: the machines of some lines, or one machine. */
export type KpiRecordFilter = ({ lineIds: string[] } | { machineId: string }) & {
  from: number
  to: number
}

/** The follower's tables as the KPIs read them. */
export interface KpiReads {
  records(filter: KpiRecordFilter): Promise<KpiRecords>
}

export type { Classification, DowntimeClassifier } from '../journal/downtime-classifications.js'
