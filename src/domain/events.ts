import type { RunState } from './oee.js'

/** Fields every event carries. Times are epoch milliseconds. */
export type EventEnvelope<TType extends string> = {
  eventId: string
  type: TType
  key: string
  sequence: number
  occurredAt: number
  recordedAt: number
}

/** A machine produced one part. */
export type PartProduced = EventEnvelope<'PartProduced'> & {
  machineId: string
  partId: number
  order: number
  damaged: boolean
  var1: number | null
  var2: string | null
  var3: string | null
  var4: number | null
  messageId: string | null
  /** The part's ideal cycle time (timeToProduce) when it was produced, if known. */
  idealCycleSeconds: number | null
}

/** A machine reported a new run state. */
export type MachineStateChanged = EventEnvelope<'MachineStateChanged'> & {
  machineId: string
  state: RunState
  previousState: RunState
  reason: string | null
}

/** A machine reported sensor readings. */
export type MachineMetricsRecorded = EventEnvelope<'MachineMetricsRecorded'> & {
  machineId: string
  metrics: Record<string, number>
}

/** An operator reset a machine's produced and scrapped counters. */
export type MachineCountersReset = EventEnvelope<'MachineCountersReset'> & {
  machineId: string
  producedBefore: number
  scrappedBefore: number
  requestedBy: string | null
}

/** An alert condition began: silent past the heartbeat timeout, or scrap rate over the threshold. */
export type MachineAlertRaised = EventEnvelope<'MachineAlertRaised'> & {
  machineId: string
  alert: 'silent' | 'scrap-rate'
  detail: string
}

/** What every alarm event carries: the machine and the rule whose alarm it is. */
type AlarmFields = { machineId: string; ruleId: string }

/** A rule's condition was met on a machine: its alarm is active and unacknowledged. */
export type AlarmRaised = EventEnvelope<'AlarmRaised'> &
  AlarmFields & {
    ruleKind: 'threshold' | 'state-duration' | 'silent' | 'scrap-rate'
    severity: 'critical' | 'major' | 'minor' | 'warning'
    detail: string
    /** The reading that met the condition, for a threshold rule. */
    value: number | null
  }

/** An alarm's condition ended (past the deadband and off delay). */
export type AlarmCleared = EventEnvelope<'AlarmCleared'> & AlarmFields & { detail: string }

/** An operator acknowledged an alarm. */
export type AlarmAcknowledged = EventEnvelope<'AlarmAcknowledged'> &
  AlarmFields & { by: string | null }

/** An operator shelved an alarm until `until` (epoch ms), with a reason. */
export type AlarmShelved = EventEnvelope<'AlarmShelved'> &
  AlarmFields & { by: string | null; reason: string; until: number }

/** A shelved alarm came back: an operator unshelved it, or (`by` null) its period ended. */
export type AlarmUnshelved = EventEnvelope<'AlarmUnshelved'> & AlarmFields & { by: string | null }

/** An operator wrote a comment on an alarm. */
export type AlarmCommented = EventEnvelope<'AlarmCommented'> &
  AlarmFields & { by: string | null; text: string }

export type AlarmEvent =
  AlarmRaised | AlarmCleared | AlarmAcknowledged | AlarmShelved | AlarmUnshelved | AlarmCommented

/** A part's reference data was set. */
export type PartInfoUpdated = EventEnvelope<'PartInfoUpdated'> & {
  partId: number
  defaultPrice: number
  timeToProduce: number
  materials: string[]
}

/** A material's price was recorded. */
export type MaterialPriceRecorded = EventEnvelope<'MaterialPriceRecorded'> & {
  materialId: string
  name: string
  price: number
  /** The date the price applies from (epoch ms). */
  date: number
}

/** An input was rejected (published so downstream can watch data quality). */
export type DeadLetterRecorded = EventEnvelope<'DeadLetter'> & {
  source: string
  /** The raw input, base64 (bytes in Avro), cut to the dead-letter payload bound. */
  payloadBase64: string
  reason: string
  receivedAt: number
  /** The whole input's length (absent or null in letters recorded before it was kept). */
  payloadSize?: number | null
  /** SHA-256 of the whole input, hex (absent or null likewise). */
  payloadSha256?: string | null
  /** Whether `payloadBase64` holds only the input's first bytes. */
  payloadTruncated?: boolean
}

/** A supervisor gave a stop its reason (the record's id is the key). */
export type DowntimeClassified = EventEnvelope<'DowntimeClassified'> & {
  recordId: string
  machineId: string
  lineId: string
  reasonCode: string
  /** Who classified it: the API key's name, or `anonymous`. */
  classifiedBy: string
}

export type MachineEvent =
  | PartProduced
  | MachineStateChanged
  | MachineMetricsRecorded
  | MachineAlertRaised
  | MachineCountersReset
  | AlarmEvent

/** Every event millstream emits. */
export type DomainEvent =
  MachineEvent | PartInfoUpdated | MaterialPriceRecorded | DeadLetterRecorded | DowntimeClassified

/** The kind of entity whose actor owns an event stream. */
export type EntityType = 'machine' | 'part' | 'material' | 'deadletter' | 'downtime'
