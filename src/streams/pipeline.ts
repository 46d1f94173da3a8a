import { map, Observable, type OperatorFunction } from 'rxjs'
import { contentKey, decodeInput, type DecodeResult, type ValidInput } from '../domain/inputs.js'
import type { CommitOutcome } from '../actors/ports.js'
import { BoundReached, type BoundName } from '../domain/bounds.js'
import type { MachineAllowList } from '../domain/machine-allow-list.js'
import type { InboundMessage } from './inbound.js'

/** A message paired with what decoding made of it. */
export type Decoded = { message: InboundMessage; result: DecodeResult }

/** What happened to one message in the end. */
export type Processed = {
  message: InboundMessage
  /** `fenced`: not committed, as its partition moved to another instance (left unacknowledged). */
  outcome: 'applied' | 'duplicate' | 'fenced' | 'dead-lettered' | 'unacknowledged'
}

/** Decode and validate: never throws; a bad message becomes a rejection with a reason. */
export function decodeMessages(
  topicPrefix: string,
  maxPayloadBytes: number,
): OperatorFunction<InboundMessage, Decoded> {
  return map((message) => ({ message, result: decodeInput(message, topicPrefix, maxPayloadBytes) }))
}

export type Handlers = {
  /**
   * Hands a valid input (and where it was read, in cluster mode) to its actor; resolves after
   * the commit. Rejects if processing failed.
   */
  dispatch(input: ValidInput, origin: InboundMessage['origin']): Promise<CommitOutcome>
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
  /**
   * The machines inputs may address (default: all). Checked here, where every source's inputs
   * (MQTT, HTTP ingest through the broker, Sparkplug, the cluster's ingest topic) meet, so an
   * unknown machine becomes a dead letter before any actor exists for it.
   */
  allowed?: MachineAllowList
  /** Told when an input is refused at a bound (it is dead-lettered with the reason). */
  onBound?(bound: BoundName): void
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
  return settleBounded(({ message, result }) => settle(handlers, message, result), concurrency)
}

/**
 * Decodes one message and settles it as the pipeline does (for sources that bound their work
 * themselves, as the partition consumer does per batch). Never rejects.
 */
export function settleMessage(
  options: { topicPrefix: string; maxPayloadBytes: number },
  handlers: Handlers,
): (message: InboundMessage) => Promise<Processed> {
  return (message) =>
    settle(handlers, message, decodeInput(message, options.topicPrefix, options.maxPayloadBytes))
}

/**
 * `mergeMap(x => from(work(x)), concurrency)` for promise-returning work, in constant time per
 * item: mergeMap keeps its inner subscriptions in an array and removes each with a linear
 * search, which at thousands in flight cost more than the work it schedules. Items beyond
 * `concurrency` wait in arrival order; it completes once the source has and all work settled.
 */
function settleBounded<T, R>(
  work: (item: T) => Promise<R>,
  concurrency: number,
): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const waiting: T[] = []
      let head = 0
      let active = 0
      let sourceDone = false
      const start = (item: T) => {
        active += 1
        work(item).then(
          (r) => {
            active -= 1
            subscriber.next(r)
            if (head < waiting.length) {
              const next = waiting[head] as T
              head += 1
              // Drop what has been taken now and then, so the queue does not grow for ever.
              if (head > 1024 && head * 2 > waiting.length) {
                waiting.splice(0, head)
                head = 0
              }
              start(next)
            } else if (sourceDone && active === 0) subscriber.complete()
          },
          (err: unknown) => subscriber.error(err),
        )
      }
      const subscription = source.subscribe({
        next: (item) => (active < concurrency ? start(item) : waiting.push(item)),
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          sourceDone = true
          if (active === 0 && head >= waiting.length) subscriber.complete()
        },
      })
      return () => subscription.unsubscribe()
    })
}

async function settle(
  handlers: Handlers,
  message: InboundMessage,
  result: DecodeResult,
): Promise<Processed> {
  let reason: string
  if (result.ok && !allowed(handlers, result.input)) {
    handlers.onBound?.('machine-allow-list')
    reason = `machine ${result.input.entityKey} is not in MACHINE_ALLOW_LIST`
  } else if (result.ok) {
    try {
      const outcome = await handlers.dispatch(result.input, message.origin)
      // Fenced: the partition's new owner reads the message again.
      if (outcome !== 'fenced') message.ack()
      return { message, outcome }
    } catch (err) {
      if (err instanceof BoundReached) {
        handlers.onBound?.(err.bound)
        reason = err.message
      } else reason = `processing failed: ${(err as Error).message}`
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

function allowed(handlers: Handlers, input: ValidInput): boolean {
  return input.entity !== 'machine' || (handlers.allowed?.(input.entityKey) ?? true)
}

/** The dead letter of a message refused for `reason` (keyed by its content, as redelivered). */
export function letter(message: InboundMessage, reason: string) {
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
