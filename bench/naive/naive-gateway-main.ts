import { Kafka, logLevel } from 'kafkajs'
import mqtt from 'mqtt'
import pg from 'pg'

/*
 * The naive gateway the bench compares against, written the way the original NestJS gateway
 * worked: per MQTT message, one INSERT and one awaited producer.send of the JSON, and mqtt.js
 * acknowledges on receipt. `ordered` handles one message after the other, which keeps each
 * machine's messages in order on Kafka (the job millstream does); otherwise every message is
 * handled as soon as it arrives, concurrently, and order is lost. A process of its own,
 * started with its settings as JSON in argv[2]; it reports messages done over IPC.
 */

type NaiveSettings = {
  mqttUrl: string
  databaseUrl: string
  kafkaBrokers: string
  topicPrefix: string
  kafkaTopic: string
  ordered: boolean
}

async function main(settings: NaiveSettings): Promise<void> {
  const pool = new pg.Pool({ connectionString: settings.databaseUrl })
  await pool.query(
    `CREATE TABLE IF NOT EXISTS naive_messages (
       id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       topic text NOT NULL,
       payload jsonb NOT NULL,
       received_at timestamptz NOT NULL DEFAULT now())`,
  )
  const kafka = new Kafka({
    clientId: 'naive-gateway',
    brokers: settings.kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    topics: [{ topic: settings.kafkaTopic, numPartitions: 6 }],
    waitForLeaders: true,
  })
  await admin.disconnect()
  const producer = kafka.producer()
  await producer.connect()

  let done = 0
  let failed = 0
  const client = await mqtt.connectAsync(settings.mqttUrl, {
    clientId: `naive-${process.pid}`,
    protocolVersion: 4,
  })
  client.on('message', (topic, payload) => {
    void (async () => {
      try {
        const text = payload.toString()
        await pool.query('INSERT INTO naive_messages (topic, payload) VALUES ($1, $2)', [
          topic,
          text,
        ])
        await producer.send({
          topic: settings.kafkaTopic,
          messages: [{ key: topic.split('/')[2] ?? null, value: text }],
        })
        done++
      } catch {
        failed++
      }
    })()
  })
  await client.subscribeAsync(`${settings.topicPrefix}/machines/+/+`, { qos: 1 })
  // The bench may have let go of us already (it stops listening once the run is over).
  const report = () => process.connected && process.send?.({ done, failed })
  setInterval(report, 100).unref()
  report()
  process.on('disconnect', () => {
    void Promise.allSettled([client.endAsync(), producer.disconnect(), pool.end()]).then(() =>
      process.exit(0),
    )
  })
}

main(JSON.parse(process.argv[2] ?? '{}') as NaiveSettings).catch((err: unknown) => {
  console.error('naive gateway failed', err)
  process.exit(1)
})
