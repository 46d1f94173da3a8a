import {
  EVENT_CATALOG,
  EVENT_TYPES,
  entityOfType,
  topicSuffixes,
  type EventType,
} from '../../domain/event-catalog.js'
import type { DomainEvent } from '../../domain/events.js'

/** The topic an event type goes to, under the configured prefix. */
export function topicFor(prefix: string, type: EventType): string {
  return `${prefix}.${EVENT_CATALOG[type].topic}`
}

/** Every topic millstream publishes to, for creation at start-up. */
export function allTopics(prefix: string): string[] {
  return topicSuffixes().map((t) => `${prefix}.${t}`)
}

/** The topics whose events make up entity state (all but dead letters and classifications), for a rebuild. */
export function stateTopics(prefix: string): string[] {
  const stateless = new Set(['deadletter', 'downtime'])
  const deadLetters = new Set(
    EVENT_TYPES.filter((t) => stateless.has(entityOfType(t))).map((t) => topicFor(prefix, t)),
  )
  return allTopics(prefix).filter((t) => !deadLetters.has(t))
}

/** The Avro record of an event: its fields as stored, with bytes restored where the schema has them. */
export function avroRecordOf(event: DomainEvent): unknown {
  if (event.type === 'DeadLetter') {
    const { payloadBase64, payloadSize, payloadSha256, payloadTruncated, ...rest } = event
    return {
      ...rest,
      payload: Buffer.from(payloadBase64, 'base64'),
      // Letters logged before these were kept have none of them.
      payloadSize: payloadSize ?? null,
      payloadSha256: payloadSha256 ?? null,
      payloadTruncated: payloadTruncated ?? false,
    }
  }
  return event
}
