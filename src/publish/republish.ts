import type { Logger } from '../logger.js'
import type { KafkaEventProducer } from './event-producer.js'
import { OutboxRelay, type OutboxSource } from './outbox-relay.js'
import type { PgOutbox } from './outbox.js'
import type { ParkingLot } from './parking-lot.js'

/**
 * Re-publishes the PostgreSQL event log to Kafka (possibly under another topic prefix), in
 * commit order: the outbox relay's own loop, run once to the end of the log. Progress is saved
 * under the outbox's own cursor, so an interrupted run resumes where it stopped; `signal`
 * interrupts it after the batch in hand. Records Kafka refuses for good are parked under the
 * replay's own name, as the relay parks its own.
 */
export async function republishLog(
  outbox: PgOutbox,
  producer: KafkaEventProducer,
  options: { batch: number; since: number; signal?: AbortSignal; parking?: ParkingLot },
  log: Logger,
): Promise<number> {
  const source: OutboxSource = {
    acquire: () => outbox.acquire(),
    release: () => outbox.release(),
    cursor: () => outbox.cursor(),
    next: (after, limit) => outbox.next(after, limit, options.since),
    save: (cursor) => outbox.save(cursor),
    lag: (after) => outbox.lag(after),
  }
  log.info({ ofAtMost: await outbox.lag(await outbox.cursor()) }, 'replay publishing')
  const relay = new OutboxRelay(
    source,
    producer,
    { batch: options.batch, pollMs: 0, once: true, parking: options.parking },
    log,
  )
  const interrupt = () => void relay.stop()
  options.signal?.addEventListener('abort', interrupt, { once: true })
  try {
    const published = await relay.runToEnd()
    log.info({ published, interrupted: options.signal?.aborted ?? false }, 'replay publish done')
    return published
  } finally {
    options.signal?.removeEventListener('abort', interrupt)
  }
}
