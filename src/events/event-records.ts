import type { DomainEvent } from '../domain/events.js'

/** Kafka topic suffix for each event type. */
const TOPIC_OF_TYPE: Record<DomainEvent['type'], string> = {
  PartProduced: 'production',
  MachineStateChanged: 'machine-state',
  MachineAlertRaised: 'machine-state',
  MachineCountersReset: 'machine-state',
  MachineMetricsRecorded: 'telemetry',
  PartInfoUpdated: 'parts',
  MaterialPriceRecorded: 'materials',
  DeadLetter: 'deadletter',
}

/** The topic an event type goes to, under the configured prefix. */
export function topicFor(prefix: string, type: DomainEvent['type']): string {
  return `${prefix}.${TOPIC_OF_TYPE[type]}`
}

/** Every topic millstream publishes to, for creation at start-up. */
export function allTopics(prefix: string): string[] {
  return [...new Set(Object.values(TOPIC_OF_TYPE))].map((t) => `${prefix}.${t}`)
}

/** The topics whose events make up entity state (all but dead letters), for a rebuild. */
export function stateTopics(prefix: string): string[] {
  return allTopics(prefix).filter((t) => t !== `${prefix}.${TOPIC_OF_TYPE.DeadLetter}`)
}

/** The Avro record of an event: its fields as stored, with bytes restored where the schema has them. */
export function avroRecordOf(event: DomainEvent): unknown {
  if (event.type === 'DeadLetter') {
    const { payloadBase64, ...rest } = event
    return { ...rest, payload: Buffer.from(payloadBase64, 'base64') }
  }
  return event
}
