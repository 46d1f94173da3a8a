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
  options: {
    batch: number
    since: number
    signal?: AbortSignal
    parking?: ParkingLot
    /** How often progress is logged (default 2 s). */
    progressEveryMs?: number
  },
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
  const ofAtMost = await outbox.lag(await outbox.cursor())
  log.info({ ofAtMost }, 'replay publishing')
  const relay = new OutboxRelay(
    source,
    producer,
    { batch: options.batch, pollMs: 0, once: true, parking: options.parking },
    log,
  )
  const interrupt = () => void relay.stop()
  options.signal?.addEventListener('abort', interrupt, { once: true })
  const startedAt = Date.now()
  const progress = setInterval(() => {
    log.info(
      replayProgress(relay.status().published, ofAtMost, Date.now() - startedAt),
      'replay progress',
    )
  }, options.progressEveryMs ?? PROGRESS_EVERY_MS)
  progress.unref()
  try {
    const published = await relay.runToEnd()
    log.info({ published, interrupted: options.signal?.aborted ?? false }, 'replay publish done')
    return published
  } finally {
    clearInterval(progress)
    options.signal?.removeEventListener('abort', interrupt)
  }
}

/** How often a running replay says how far it has come. */
const PROGRESS_EVERY_MS = 2000

/** A replay's progress as a log line's fields: done, of how many, the rate and what remains. */
export function replayProgress(
  published: number,
  ofAtMost: number,
  elapsedMs: number,
): {
  published: number
  ofAtMost: number
  percent: number
  perSecond: number
  etaSeconds: number | null
} {
  const perSecond = elapsedMs > 0 ? Math.round((published * 1000) / elapsedMs) : 0
  const remaining = Math.max(0, ofAtMost - published)
  return {
    published,
    ofAtMost,
    percent: ofAtMost > 0 ? Math.min(100, Math.round((published * 1000) / ofAtMost) / 10) : 100,
    perSecond,
    etaSeconds: perSecond > 0 ? Math.ceil(remaining / perSecond) : null,
  }
}
