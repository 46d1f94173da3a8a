import type { DomainEvent, EntityType } from './events.js'

/** What every part of the service must agree on about one event type. */
export type EventFacts = {
  /** The kind of entity whose stream the event belongs to. */
  entity: EntityType
  /** Kafka topic suffix, under the configured prefix (`millstream.production`). */
  topic: string
  /** Avro schema file in `schemas/avro/`. */
  schema: string
}

/**
 * The one table of event facts. The relay routes by it, the fold and rebuild group by it, the
 * events route lists it, dead letters take their entity from it, and `npm run catalog` writes
 * it to `schemas/event-catalog.json` for the Python client. A new event type that is missing
 * here is a compile error, not a silent guess.
 */
export const EVENT_CATALOG = {
  PartProduced: { entity: 'machine', topic: 'production', schema: 'PartProduced.avsc' },
  MachineStateChanged: {
    entity: 'machine',
    topic: 'machine-state',
    schema: 'MachineStateChanged.avsc',
  },
  MachineMetricsRecorded: {
    entity: 'machine',
    topic: 'telemetry',
    schema: 'MachineMetricsRecorded.avsc',
  },
  MachineAlertRaised: {
    entity: 'machine',
    topic: 'machine-state',
    schema: 'MachineAlertRaised.avsc',
  },
  MachineCountersReset: {
    entity: 'machine',
    topic: 'machine-state',
    schema: 'MachineCountersReset.avsc',
  },
  AlarmRaised: { entity: 'machine', topic: 'alarms', schema: 'AlarmRaised.avsc' },
  AlarmCleared: { entity: 'machine', topic: 'alarms', schema: 'AlarmCleared.avsc' },
  AlarmAcknowledged: { entity: 'machine', topic: 'alarms', schema: 'AlarmAcknowledged.avsc' },
  AlarmShelved: { entity: 'machine', topic: 'alarms', schema: 'AlarmShelved.avsc' },
  AlarmUnshelved: { entity: 'machine', topic: 'alarms', schema: 'AlarmUnshelved.avsc' },
  AlarmCommented: { entity: 'machine', topic: 'alarms', schema: 'AlarmCommented.avsc' },
  PartInfoUpdated: { entity: 'part', topic: 'parts', schema: 'PartInfoUpdated.avsc' },
  MaterialPriceRecorded: {
    entity: 'material',
    topic: 'materials',
    schema: 'MaterialPriceRecorded.avsc',
  },
  DeadLetter: { entity: 'deadletter', topic: 'deadletter', schema: 'DeadLetter.avsc' },
  DowntimeClassified: {
    entity: 'downtime',
    topic: 'downtime',
    schema: 'DowntimeClassified.avsc',
  },
} as const satisfies Record<DomainEvent['type'], EventFacts>

export type EventType = DomainEvent['type']

/** Every event type, in catalog order. */
export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as [EventType, ...EventType[]]

/** The kind of entity that owns an event of this type. */
export function entityOfType(type: EventType): EntityType {
  return EVENT_CATALOG[type].entity
}

/** The topic suffixes, each once, in catalog order. */
export function topicSuffixes(): string[] {
  return [...new Set(EVENT_TYPES.map((t) => EVENT_CATALOG[t].topic))]
}

/** The catalog as the JSON file the Python client reads (`npm run catalog` writes it). */
export function eventCatalogJson(): string {
  const document = {
    $comment: 'Written by `npm run catalog` from src/domain/event-catalog.ts: do not edit.',
    events: EVENT_CATALOG,
    topics: topicSuffixes(),
  }
  return `${JSON.stringify(document, null, 2)}\n`
}
