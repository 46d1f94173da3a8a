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
}

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
  const eventsInLog = log?.events ?? 0
  return {
    published,
    eventsInLog,
    deadLetters: log?.dead ?? 0,
    kafkaRecords,
    lost: Math.max(0, published - eventsInLog - (log?.dead ?? 0), eventsInLog - kafkaRecords),
  }
}
