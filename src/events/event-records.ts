import type { DomainEvent } from '../domain/events.js'

/** Kafka topic suffix for each event type (DESIGN §4). */
const TOPIC_OF_TYPE: Record<DomainEvent['type'], string> = {
  PartProduced: 'production',
  MachineStateChanged: 'machine-state',
  MachineAlertRaised: 'machine-state',
  MachineMetricsRecorded: 'telemetry',
  PartInfoUpdated: 'parts',
  MaterialPriceRecorded: 'materials',
}

/** The topic an event type goes to, under the configured prefix. */
export function topicFor(prefix: string, type: DomainEvent['type']): string {
  return `${prefix}.${TOPIC_OF_TYPE[type]}`
}

/** Every topic millstream publishes to, for creation at start-up. */
export function allTopics(prefix: string): string[] {
  return [...new Set(Object.values(TOPIC_OF_TYPE))].map((t) => `${prefix}.${t}`)
}
