import { MillstreamError } from '../../errors.js'

type ClientId = string
/** The part of aedes's persistence this module wraps (its promise form, as aedes calls it). */
type Queues = {
  outgoingEnqueue(sub: { clientId: ClientId }, packet: unknown): Promise<unknown>
  outgoingEnqueueCombi(subs: { clientId: ClientId }[], packet: unknown): Promise<unknown>
  outgoingClearMessageId(client: { id: ClientId }, packet: unknown): Promise<unknown>
}

export type SessionQueueBound = {
  /** Most QoS ≥ 1 messages queued for one session, sent and not acknowledged or not sent. */
  limit: number
  /** Sessions never bounded: the service's own, whose messages must never be dropped. */
  exempt: (clientId: ClientId) => boolean
  /** Told of each message not queued for a session at its bound. */
  onDrop: (clientId: ClientId) => void
}

function queuesOf(persistence: unknown): Queues {
  const p = persistence as Partial<Record<keyof Queues, unknown>> | null
  if (
    typeof p !== 'object' ||
    p === null ||
    typeof p.outgoingEnqueue !== 'function' ||
    typeof p.outgoingEnqueueCombi !== 'function' ||
    typeof p.outgoingClearMessageId !== 'function'
  )
    throw new MillstreamError(
      'PROCESSING_FAILED',
      'the embedded broker persistence has no outgoing queue to bound: aedes changed',
    )
  return p as Queues
}

/**
 * Bounds the queue aedes keeps per persistent session (QoS ≥ 1 messages for a subscriber that
 * is offline or has not acknowledged them). aedes's memory persistence has no such limit, so a
 * client that subscribes to everything with a persistent session and goes away would make the
 * service's process hold every later message. Past `limit`, a message is not queued for that
 * session (the publisher's PUBACK is unaffected: the other subscribers still get it); it is
 * counted and logged. The count goes up on each enqueue and down on each acknowledgement.
 */
export function boundSessionQueues(persistence: unknown, bound: SessionQueueBound): void {
  const queues = queuesOf(persistence)
  const held = new Map<ClientId, number>()
  const admits = (clientId: ClientId): boolean => {
    if (bound.exempt(clientId)) return true
    const n = held.get(clientId) ?? 0
    if (n >= bound.limit) {
      bound.onDrop(clientId)
      return false
    }
    held.set(clientId, n + 1)
    return true
  }
  const enqueue = queues.outgoingEnqueue.bind(queues)
  const enqueueCombi = queues.outgoingEnqueueCombi.bind(queues)
  const clear = queues.outgoingClearMessageId.bind(queues)
  queues.outgoingEnqueue = (sub, packet) =>
    admits(sub.clientId) ? enqueue(sub, packet) : Promise.resolve()
  queues.outgoingEnqueueCombi = (subs, packet) => {
    const kept = subs.filter((s) => admits(s.clientId))
    return kept.length > 0 ? enqueueCombi(kept, packet) : Promise.resolve()
  }
  queues.outgoingClearMessageId = async (client, packet) => {
    const cleared = await clear(client, packet)
    const n = held.get(client.id)
    if (cleared !== undefined && n !== undefined) {
      if (n <= 1) held.delete(client.id)
      else held.set(client.id, n - 1)
    }
    return cleared
  }
}
