import { from, map, mergeMap, type Observable, type OperatorFunction } from 'rxjs'
import { contentKey, decodeInput, type DecodeResult, type ValidInput } from '../domain/inputs.js'
import type { InboundMessage } from './inbound.js'

/** A message paired with what decoding made of it. */
export type Decoded = { message: InboundMessage; result: DecodeResult }

/** What happened to one message in the end. */
export type Processed = {
  message: InboundMessage
  outcome: 'applied' | 'duplicate' | 'dead-lettered' | 'unacknowledged'
}

/** Decode and validate: never throws; a bad message becomes a rejection with a reason. */
export function decodeMessages(
  topicPrefix: string,
  maxPayloadBytes: number,
): OperatorFunction<InboundMessage, Decoded> {
  return map((message) => ({ message, result: decodeInput(message, topicPrefix, maxPayloadBytes) }))
}

export type Handlers = {
  /** Hands a valid input to its actor; resolves after the commit. Rejects if processing failed. */
  dispatch(input: ValidInput): Promise<'applied' | 'duplicate'>
  /** Stores a rejected input with its reason; resolves once stored. */
  deadLetter(letter: {
    source: string
    payload: Buffer
    reason: string
    idempotencyKey: string
    receivedAt: number
  }): Promise<void>
  /** Told when a message could neither be processed nor dead-lettered. */
  onUnstorable?(message: InboundMessage, error: unknown): void
}

/**
 * Dispatch with at most `concurrency` messages in flight. Dispatch order is arrival order, and
 * each actor's mailbox keeps it, so per-entity order holds. Each message is acknowledged only
 * once it is committed or dead-lettered.
 */
export function dispatchAll(
  handlers: Handlers,
  concurrency: number,
): OperatorFunction<Decoded, Processed> {
  return mergeMap(({ message, result }) => from(settle(handlers, message, result)), concurrency)
}

async function settle(
  handlers: Handlers,
  message: InboundMessage,
  result: DecodeResult,
): Promise<Processed> {
  let reason: string
  if (result.ok) {
    try {
      const outcome = await handlers.dispatch(result.input)
      message.ack()
      return { message, outcome }
    } catch (err) {
      reason = `processing failed: ${(err as Error).message}`
    }
  } else {
    reason = result.reason
  }
  try {
    await handlers.deadLetter(letter(message, reason))
  } catch (err) {
    // Not even a dead letter could be stored: leave it unacknowledged so the broker keeps it.
    handlers.onUnstorable?.(message, err)
    return { message, outcome: 'unacknowledged' }
  }
  message.ack()
  return { message, outcome: 'dead-lettered' }
}

function letter(message: InboundMessage, reason: string) {
  return {
    source: withoutNul(message.topic),
    payload: message.payload,
    reason: withoutNul(reason),
    idempotencyKey: contentKey(message),
    receivedAt: message.receivedAt,
  }
}

/** The whole ingest pipeline: decode → validate → bounded dispatch → acknowledge. */
export function ingestPipeline(
  source: Observable<InboundMessage>,
  options: { topicPrefix: string; maxPayloadBytes: number; maxInFlight: number },
  handlers: Handlers,
): Observable<Processed> {
  return source.pipe(
    decodeMessages(options.topicPrefix, options.maxPayloadBytes),
    dispatchAll(handlers, options.maxInFlight),
  )
}

/** PostgreSQL text cannot hold NUL; a reason may quote the bad input. */
function withoutNul(s: string): string {
  return s.replaceAll('\u0000', '\\u0000')
}
