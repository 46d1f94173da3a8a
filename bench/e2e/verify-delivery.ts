import { Kafka, logLevel } from 'kafkajs'
import { allTopics } from '../../src/publish/avro/event-records'
import { queryOnce } from '../../harness/services'

/** Every message the broker acknowledged is in the event log and on Kafka. */
export type Delivery = {
  published: number
  eventsInLog: number
  deadLetters: number
  kafkaRecords: number
  lost: number
  /** The event log and the idempotency keys on disk (indexes included), per million events. */
  logBytesPerMillionEvents: number
}

/*
 * Each table and its partitions, so the figure is the same whether the log is partitioned (its
 * parent is empty) or not.
 */
const LOG_BYTES = `
SELECT (SELECT count(*) FROM event_log)::float8 AS events,
       (SELECT coalesce(sum(pg_total_relation_size(t)), 0) FROM (
          SELECT 'event_log'::regclass AS t UNION ALL SELECT 'processed_inputs'::regclass
          UNION ALL SELECT inhrelid FROM pg_inherits
           WHERE inhparent IN ('event_log'::regclass, 'processed_inputs'::regclass)) tables)::float8 AS bytes`

/** Counts what landed: events in the log, dead letters, and records on the Kafka topics. */
export async function verifyDelivery(
  databaseUrl: string,
  brokers: string,
  kafkaPrefix: string,
  published: number,
): Promise<Delivery> {
  const [log] = await queryOnce<{ events: number; dead: number }>(
    databaseUrl,
    `SELECT (SELECT count(*) FROM event_log WHERE type <> 'DeadLetter')::int AS events,
            (SELECT count(*) FROM dead_letters)::int AS dead`,
  )
  const admin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  let kafkaRecords = 0
  try {
    for (const topic of allTopics(kafkaPrefix)) {
      const offsets = await admin.fetchTopicOffsets(topic).catch(() => [])
      for (const p of offsets) kafkaRecords += Number(p.high) - Number(p.low)
    }
  } finally {
    await admin.disconnect()
  }
  const [disk] = await queryOnce<{ events: number; bytes: number }>(databaseUrl, LOG_BYTES)
  const eventsInLog = log?.events ?? 0
  return {
    published,
    eventsInLog,
    deadLetters: log?.dead ?? 0,
    kafkaRecords,
    lost: Math.max(0, published - eventsInLog - (log?.dead ?? 0), eventsInLog - kafkaRecords),
    logBytesPerMillionEvents: disk?.events ? Math.round((disk.bytes / disk.events) * 1e6) : 0,
  }
}
