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

const TOTAL = 20_000
const MAX_IN_FLIGHT = 200

describe('PostgreSQL stalls (SIGSTOP) while messages keep arriving', () => {
  it('stops taking messages with memory flat, then persists every one exactly once after SIGCONT', async () => {
    const databaseUrl = await createTestDatabase()
    const prefix = uniqueName('bp')
    const service = await ServiceProcess.start({
      DATABASE_URL: databaseUrl,
      MQTT_URL: services().mqttUrl,
      MQTT_TOPIC_PREFIX: prefix,
      MQTT_CLIENT_ID: uniqueName('ms-bp-'),
      MAX_IN_FLIGHT: String(MAX_IN_FLIGHT),
    })
    // ~1 KB per message, so 20,000 unbounded messages would be 20+ MB of payload alone.
    const padding = 'x'.repeat(900)
    const messages = productionMessages(prefix, 20, TOTAL).map((m) => ({
      topic: m.topic,
      payload: m.payload.replace('"var2":"', `"var2":"${padding}`),
    }))
    const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
    let paused = false
    try {
      await publisher.publishAll(messages.slice(0, 500))
      const committed = async () =>
        (
          await queryOnce<{ n: number }>(
            databaseUrl,
            "SELECT count(*)::int AS n FROM event_log WHERE type = 'PartProduced'",
          )
        )[0]?.n ?? 0
      await waitFor('the first messages', async () =>
        (await committed()) >= 500 ? true : undefined,
      )
      const baseline = service.rssBytes()

      controlService('pause', 'postgres')
      paused = true
      await publisher.publishAll(messages.slice(500))
      let peak = baseline
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 250))
        peak = Math.max(peak, service.rssBytes())
      }
      expect(service.running()).toBe(true)
      // Memory stays bounded by the in-flight limit, far below the 20 MB waiting at the broker.
      expect(peak - baseline).toBeLessThan(16 * 1024 * 1024)

      controlService('resume', 'postgres')
      paused = false
      const final = await waitFor(
        'every message persisted',
        async () => {
          const n = await committed()
          return n >= TOTAL ? n : undefined
        },
        180_000,
        500,
      )
      // Once nothing is in flight, every redelivery has been settled too.
      await service.drained()
      expect(final).toBe(TOTAL)
      expect(await committed()).toBe(TOTAL)
      const [distinct] = await queryOnce<{ n: number }>(
        databaseUrl,
        `SELECT count(DISTINCT payload->>'messageId')::int AS n FROM event_log WHERE type = 'PartProduced'`,
      )
      expect(distinct?.n).toBe(TOTAL)
    } finally {
      if (paused) controlService('resume', 'postgres')
      await publisher.close()
      await service.kill('SIGTERM')
    }
  })
})
