import { productionMessages, TestPublisher } from '../../harness/mqtt-publisher'
import { ServiceProcess } from '../../harness/service-process'
import {
  createTestDatabase,
  queryOnce,
  services,
  uniqueName,
  waitFor,
} from '../../harness/services'
import type { Check } from '../../src/lifecycle'

/** The `mqtt` readiness check of an instance: `standby`, or the messages it has in flight. */
async function mqttCheck(service: ServiceProcess): Promise<Check | undefined> {
  const res = await service.get<{ checks: Record<string, Check> }>('/readyz')
  return res.body.checks.mqtt
}

const holds = async (service: ServiceProcess) => {
  const check = await mqttCheck(service)
  return check?.ok === true && check.detail !== 'standby'
}

describe('two instances with one MQTT client id', () => {
  it('hold the session one at a time; the standby takes it within 10 s of the holder dying, and every message counts once', async () => {
    const prefix = uniqueName('fo')
    const databaseUrl = await createTestDatabase()
    const env = {
      DATABASE_URL: databaseUrl,
      MQTT_URL: services().mqttUrl,
      MQTT_TOPIC_PREFIX: prefix,
      MQTT_CLIENT_ID: uniqueName('ms-fo-'),
    }
    const first = await ServiceProcess.start(env)
    await waitFor('the first instance to hold the session', async () =>
      (await holds(first)) ? true : undefined,
    )
    const second = await ServiceProcess.start(env)
    try {
      const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
      const messages = productionMessages(prefix, 10, 3000)
      await publisher.publishAll(messages.slice(0, 1000))
      await waitFor('the first thousand applied', async () => {
        const [row] = await queryOnce<{ produced: number }>(
          databaseUrl,
          'SELECT coalesce(sum(produced), 0)::int AS produced FROM machine_state',
        )
        return row && row.produced >= 1000 ? true : undefined
      })
      // The standby never connected: the holder was never thrown out of its session.
      expect(await mqttCheck(second)).toEqual({ ok: true, detail: 'standby' })
      expect(first.logs()).not.toContain('MQTT reconnecting')

      // Kill the holder with messages still arriving; the broker keeps them for the session.
      const publishing = publisher.publishAll(messages.slice(1000))
      await first.kill('SIGKILL')
      const killedAt = Date.now()
      const tookOverAt = await waitFor(
        'the standby to take the session',
        async () => ((await holds(second)) ? Date.now() : undefined),
        30_000,
        100,
      )
      console.log(`standby took the session ${tookOverAt - killedAt} ms after the kill`)
      expect(tookOverAt - killedAt).toBeLessThan(10_000)
      await publishing
      await publisher.close()

      // Redelivered messages (committed, not yet acknowledged at the kill) count once.
      const perMachine = await waitFor('every message applied', async () => {
        const rows = await queryOnce<{ machineId: string; produced: number }>(
          databaseUrl,
          'SELECT machine_id AS "machineId", produced::int AS produced FROM machine_state ORDER BY machine_id::int',
        )
        return rows.reduce((n, r) => n + r.produced, 0) >= 3000 ? rows : undefined
      })
      expect(perMachine.map((r) => r.produced)).toEqual(Array.from({ length: 10 }, () => 300))
      const [events] = await queryOnce<{ n: number; sequencesPerMachine: number }>(
        databaseUrl,
        `SELECT count(*)::int AS n, count(DISTINCT (entity_id, sequence))::int AS "sequencesPerMachine"
           FROM event_log WHERE type = 'PartProduced'`,
      )
      expect(events).toEqual({ n: 3000, sequencesPerMachine: 3000 })
    } finally {
      await first.kill('SIGKILL')
      await second.kill('SIGTERM')
    }
  })
})
