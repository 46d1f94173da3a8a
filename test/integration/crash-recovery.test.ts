import type { MachineView } from '../../src/read/machine-queries'
import { readTopic } from '../support/kafka-reader'
import { productionMessages, TestPublisher } from '../../harness/mqtt-publisher'
import { ServiceProcess } from '../../harness/service-process'
import {
  createTestDatabase,
  queryOnce,
  services,
  uniqueName,
  waitFor,
} from '../../harness/services'

const MACHINES = 10
const TOTAL = 3000

describe('the service is killed with SIGKILL mid-stream and started again', () => {
  it('counts every published message exactly once after it drains', async () => {
    const databaseUrl = await createTestDatabase()
    const mqttPrefix = uniqueName('crash')
    const kafkaPrefix = uniqueName('ms-crash-')
    const service = await ServiceProcess.start({
      DATABASE_URL: databaseUrl,
      MQTT_URL: services().mqttUrl,
      KAFKA_BROKERS: services().kafkaBrokers,
      MQTT_TOPIC_PREFIX: mqttPrefix,
      MQTT_CLIENT_ID: uniqueName('ms-crash-'),
      KAFKA_TOPIC_PREFIX: kafkaPrefix,
      // Small batches so the kill lands between commits, relay batches and PUBACKs.
      COMMIT_MAX_BATCH: '20',
      RELAY_BATCH: '50',
    })
    const messages = productionMessages(mqttPrefix, MACHINES, TOTAL)
    const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
    const events = async () =>
      (
        await queryOnce<{ n: number }>(
          databaseUrl,
          "SELECT count(*)::int AS n FROM event_log WHERE type = 'PartProduced'",
        )
      )[0]?.n ?? 0

    try {
      // First third while the service runs; kill it once part of that is committed.
      const firstPart = publisher.publishAll(messages.slice(0, 1000))
      await waitFor(
        'some events committed',
        async () => ((await events()) >= 200 ? true : undefined),
        60_000,
        20,
      )
      await service.kill('SIGKILL')
      await firstPart
      const committedAtKill = await events()
      expect(committedAtKill).toBeLessThan(TOTAL)

      // The rest while it is down: Mosquitto must queue all of it for the persistent session
      // (more than Mosquitto's default max_queued_messages of 1000, which would drop QoS 1).
      await publisher.publishAll(messages.slice(1000))
      await service.restart()

      const final = await waitFor(
        'all events committed',
        async () => {
          const n = await events()
          return n >= TOTAL ? n : undefined
        },
        120_000,
      )
      // The broker sends its redeliveries first on reconnect: once nothing is in flight they
      // have all been settled, and nothing may have been counted twice.
      await service.drained()
      expect(final).toBe(TOTAL)
      expect(await events()).toBe(TOTAL)

      const [keys] = await queryOnce<{ n: number }>(
        databaseUrl,
        `SELECT count(DISTINCT payload->>'messageId')::int AS n FROM event_log`,
      )
      expect(keys?.n).toBe(TOTAL)
      const gaps = await queryOnce<{ entity_id: string }>(
        databaseUrl,
        `SELECT entity_id FROM event_log GROUP BY entity_id HAVING max(sequence) <> count(*) OR min(sequence) <> 1`,
      )
      expect(gaps).toEqual([])

      const { body } = await service.get<{ items: MachineView[] }>('/api/v1/machines')
      expect(body.items.reduce((sum, m) => sum + m.produced, 0)).toBe(TOTAL)
      expect(body.items.every((m) => m.produced === TOTAL / MACHINES)).toBe(true)

      // Kafka: every event arrives; a batch re-sent after the kill repeats the same eventId.
      const records = await readTopic(
        services().kafkaBrokers,
        `${kafkaPrefix}.production`,
        TOTAL,
        120_000,
      )
      const byId = new Map<string, unknown>()
      for (const r of records) {
        const seen = byId.get(r.eventId)
        if (seen) expect(r.value).toEqual(seen)
        byId.set(r.eventId, r.value)
      }
      expect(byId.size).toBe(TOTAL)
    } finally {
      await publisher.close()
      await service.kill('SIGTERM')
    }
  })
})
