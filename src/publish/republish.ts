import type { KafkaEventProducer } from './event-producer.js'
import type { Logger } from '../logger.js'
import type { OutboxEntry, PgOutbox } from './outbox.js'

/**
 * Re-publishes the PostgreSQL event log to Kafka (possibly under another topic prefix), in
 * commit order, a batch at a time. Progress is saved after each batch under its own cursor, so
 * an interrupted run resumes where it stopped; `signal` interrupts it between batches.
 */
export async function republishLog(
  outbox: PgOutbox,
  producer: KafkaEventProducer,
  options: { batch: number; since: number; signal?: AbortSignal },
  log: Logger,
): Promise<number> {
  await producer.connect()
  let cursor = await outbox.cursor()
  const total = await outbox.lag(cursor)
  let published = 0
  try {
    while (!options.signal?.aborted) {
      const entries = await outbox.next(cursor, options.batch, options.since)
      if (entries.length === 0) break
      await producer.send(entries.map((e) => e.event))
      const last = entries[entries.length - 1] as OutboxEntry
      cursor = { txId: last.txId, position: last.position }
      await outbox.save(cursor)
      published += entries.length
      log.info({ published, ofAtMost: total }, 'replay publishing')
    }
  } finally {
    await producer.disconnect()
  }
  log.info({ published, interrupted: options.signal?.aborted ?? false }, 'replay publish done')
  return published
}
