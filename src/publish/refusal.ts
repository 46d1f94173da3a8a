import { KafkaJSProtocolError } from 'kafkajs'

/**
 * Broker error types that refuse a record for good: sending it again fails the same way until
 * an operator changes the topic or the broker (kafkajs marks each of them not retriable).
 */
export const REFUSED_FOR_GOOD = [
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
] as const

/** Why Kafka refused records for good: the broker's error type and its description. */
export type Refusal = { code: (typeof REFUSED_FOR_GOOD)[number]; reason: string }

const refusing = new Set<string>(REFUSED_FOR_GOOD)

/**
 * The refusal behind a failed produce, or undefined for any other failure (the broker down, a
 * timeout...), which is retried as before. kafkajs wraps the broker's protocol error in a
 * non-retriable error (`cause`) or, from several brokers, an aggregate (`errors`): both are
 * walked, and only the protocol error's type is read, never a message.
 */
export function refusalOf(error: unknown, depth = 0): Refusal | undefined {
  if (!(error instanceof Error) || depth > 8) return undefined
  if (error instanceof KafkaJSProtocolError && refusing.has(error.type)) {
    return { code: error.type as Refusal['code'], reason: error.message }
  }
  const nested: unknown[] = [error.cause]
  if ('errors' in error && Array.isArray(error.errors)) nested.push(...(error.errors as unknown[]))
  for (const inner of nested) {
    const found = refusalOf(inner, depth + 1)
    if (found) return found
  }
  return undefined
}
