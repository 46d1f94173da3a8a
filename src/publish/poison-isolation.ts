import { refusalOf, type Refusal } from './refusal.js'

/** What isolating refused records needs from the relay. */
export type IsolationPorts<T> = {
  /** Sends records in order; rejects as the producer does. */
  send(items: T[]): Promise<void>
  /**
   * A fresh producer before sending again: the refused request may have been written in part
   * (other partitions), and an idempotent producer that re-sent those records in other groupings
   * under its old sequence numbers is refused as out of order (measured: kafkajs rewinds the
   * sequences of every partition of a failed request, then OUT_OF_ORDER_SEQUENCE_NUMBER from the
   * broker on the next send). A new producer id starts
   * new sequences; what was written twice carries one event id, which consumers drop.
   */
  renew(): Promise<void>
  /** Keeps a record Kafka refused for good, with the reason, out of the way of the rest. */
  park(item: T, refusal: Refusal): Promise<void>
}

/**
 * After Kafka refused a batch for good, narrows the refusal down to its records: the batch is
 * sent again in halves, a refused half is halved again, down to the single record, which is
 * parked; everything else is published, in order. Any failure other than a refusal ends the
 * isolation with that failure (the caller retries the whole batch, as for any outage).
 * Resolves with how many records were parked.
 */
export async function publishIsolating<T>(
  items: T[],
  refusal: Refusal,
  ports: IsolationPorts<T>,
): Promise<number> {
  await ports.renew()
  const [only] = items
  if (items.length === 1 && only !== undefined) {
    await ports.park(only, refusal)
    return 1
  }
  const middle = Math.ceil(items.length / 2)
  let parked = 0
  for (const half of [items.slice(0, middle), items.slice(middle)]) {
    try {
      await ports.send(half)
    } catch (err) {
      const again = refusalOf(err)
      if (!again) throw err
      parked += await publishIsolating(half, again, ports)
    }
  }
  return parked
}
