import { readTopic } from '../support/kafka-reader'
import { pythonCount } from '../support/python-client'
import { productionMessages, TestPublisher } from '../../harness/mqtt-publisher'
import { controlService } from '../support/service-control'
import { ServiceProcess } from '../../harness/service-process'
import {
  createTestDatabase,
  queryOnce,
  services,
  uniqueName,
  waitFor,
} from '../../harness/services'

const MACHINES = 10
const OUTAGE_MS = 30_000

describe('Kafka is down for 30 s while messages keep arriving', () => {
  it('delivers every event once it is back, in order per key, and the Python client sees them all', async () => {
    const databaseUrl = await createTestDatabase()
    const mqttPrefix = uniqueName('kdown')
    const kafkaPrefix = uniqueName('ms-kdown-')
    const service = await ServiceProcess.start({
      DATABASE_URL: databaseUrl,
      MQTT_URL: services().mqttUrl,
      KAFKA_BROKERS: services().kafkaBrokers,
      MQTT_TOPIC_PREFIX: mqttPrefix,
      MQTT_CLIENT_ID: uniqueName('ms-kdown-'),
      KAFKA_TOPIC_PREFIX: kafkaPrefix,
    })
    const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
    let kafkaStopped = false
    let sent = 0
    try {
      // The relay has created its topics before the outage.
      await waitFor('the relay connected', async () => {
        const { body } = await service.get<{ checks: { kafka?: { ok: boolean } } }>('/readyz')
        return body.checks.kafka?.ok ? true : undefined
      })
      controlService('stop', 'kafka')
      kafkaStopped = true
      const started = Date.now()
      while (Date.now() - started < OUTAGE_MS) {
        await publisher.publishAll(productionMessages(mqttPrefix, MACHINES, 50, sent))
        sent += 50
        await new Promise((r) => setTimeout(r, 500))
      }
      const committed = async () =>
        (
          await queryOnce<{ n: number }>(
            databaseUrl,
            "SELECT count(*)::int AS n FROM event_log WHERE type = 'PartProduced'",
          )
        )[0]?.n ?? 0
      await waitFor('all committed while Kafka is down', async () =>
        (await committed()) === sent ? true : undefined,
      )
      const { status: readyWhileDown } = await service.get('/readyz')
      expect(readyWhileDown).toBe(503)
      const metrics = await (await fetch(`${service.url}/metrics`)).text()
      expect(
        Number(/^millstream_relay_lag_events (\d+)/m.exec(metrics)?.[1]),
      ).toBeGreaterThanOrEqual(sent)

      controlService('start', 'kafka')
      kafkaStopped = false
      const records = await readTopic(
        services().kafkaBrokers,
        `${kafkaPrefix}.production`,
        sent,
        120_000,
      )
      const unique = new Map(records.map((r) => [r.eventId, r]))
      expect(unique.size).toBe(sent)
      for (let m = 1; m <= MACHINES; m++) {
        const mine = records.filter((r) => r.key === String(m)).sort((a, b) => a.offset - b.offset)
        const sequences = [
          ...new Map(mine.map((r) => [r.eventId, r.value.sequence as number])).values(),
        ]
        expect(sequences).toEqual([...sequences].sort((a, b) => a - b))
      }

      const summary = await pythonCount(`${kafkaPrefix}.production`)
      expect(summary).toMatchObject({ count: sent, keys_in_order_ok: true })
    } finally {
      if (kafkaStopped) controlService('start', 'kafka')
      await publisher.close()
      await service.kill('SIGTERM')
    }
  })
})
