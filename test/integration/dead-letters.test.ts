import type { MachineView } from '../../src/read/machine-queries'
import { TestPublisher } from '../../harness/mqtt-publisher'
import { ServiceProcess } from '../../harness/service-process'
import {
  createTestDatabase,
  queryOnce,
  services,
  uniqueName,
  waitFor,
} from '../../harness/services'

describe('malformed messages', () => {
  it('end in dead letters with a reason while valid messages around them still flow', async () => {
    const databaseUrl = await createTestDatabase()
    const prefix = uniqueName('dl')
    const service = await ServiceProcess.start({
      DATABASE_URL: databaseUrl,
      MQTT_URL: services().mqttUrl,
      MQTT_TOPIC_PREFIX: prefix,
      MQTT_CLIENT_ID: uniqueName('ms-dl-'),
    })
    const topic = `${prefix}/machines/m1/production`
    const good = (order: number) => ({
      topic,
      payload: JSON.stringify({ timeOfProduction: Date.now(), order, partId: 1 }),
    })
    const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
    try {
      await publisher.publishAll([
        good(1),
        { topic, payload: 'this is not JSON' },
        good(2),
        { topic, payload: JSON.stringify({ timeOfProduction: Date.now(), order: 3 }) },
        good(4),
        { topic, payload: JSON.stringify({ timeOfProduction: Date.now(), order: 4.5, partId: 1 }) },
        good(5),
      ])
      const letters = await waitFor('three dead letters', async () => {
        const rows = await queryOnce<{ source: string; reason: string; payload: Buffer }>(
          databaseUrl,
          'SELECT source, reason, payload FROM dead_letters ORDER BY id',
        )
        return rows.length >= 3 ? rows : undefined
      })
      expect(letters.map((l) => l.source)).toEqual([topic, topic, topic])
      expect(letters[0]?.reason).toMatch(/not UTF-8 JSON/)
      expect(letters[0]?.payload.toString()).toBe('this is not JSON')
      expect(letters[1]?.reason).toMatch(/partId/)
      expect(letters[2]?.reason).toMatch(/order: must be an integer/)

      const machine = await waitFor('four good parts', async () => {
        const { status, body } = await service.get<MachineView>('/api/v1/machines/m1')
        return status === 200 && body.produced === 4 ? body : undefined
      })
      expect(machine.lastOrder).toBe(5)
      expect(service.running()).toBe(true)
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200)
    } finally {
      await publisher.close()
      await service.kill('SIGTERM')
    }
  })
})
