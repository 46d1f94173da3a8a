import { KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs'
import type { DomainEvent } from '../../src/domain/events'
import type { EventPublisher } from '../../src/publish/outbox-relay'

/** The error kafkajs's producer throws when the broker refuses a record batch as too large. */
export function tooLarge(): Error {
  const protocol = new KafkaJSProtocolError({
    type: 'MESSAGE_TOO_LARGE',
    code: 10,
    retriable: false,
    message:
      'The request included a message larger than the max message size the server will accept',
  } as unknown as Error)
  // As kafkajs's retrier gives up on it: wrapped, the broker's error as the cause.
  return Object.assign(new KafkaJSNonRetriableError(protocol), { cause: protocol })
}

/**
 * A publisher that refuses, as the broker does, any send holding an event it was told to
 * refuse, and fails every send while `down`; what it takes it keeps, with the headers.
 */
export class RefusingPublisher implements EventPublisher {
  readonly sent: { event: DomainEvent; headers: Record<string, string> }[] = []
  readonly refused = new Set<string>()
  down = false
  sends = 0
  renewals = 0
  connected = false

  connect(): Promise<void> {
    if (!this.connected) this.renewals += 1
    this.connected = true
    return Promise.resolve()
  }

  disconnect(): Promise<void> {
    this.connected = false
    return Promise.resolve()
  }

  send(events: DomainEvent[], headers: Record<string, string> = {}): Promise<void> {
    this.sends += 1
    if (this.down) return Promise.reject(new Error('connect ECONNREFUSED'))
    if (events.some((e) => this.refused.has(e.eventId))) return Promise.reject(tooLarge())
    this.sent.push(...events.map((event) => ({ event, headers })))
    return Promise.resolve()
  }
}
