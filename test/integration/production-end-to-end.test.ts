import type { MachineView } from '../../src/read/machine-queries'
import { readTopic } from '../support/kafka-reader'
import { pythonCount } from '../support/python-client'
import { productionMessages, TestPublisher } from '../../harness/mqtt-publisher'
import { ServiceProcess } from '../../harness/service-process'
import {
  createTestDatabase,
  queryOnce,
  services,
  uniqueName,
  waitFor,
} from '../../harness/services'

describe('production messages end to end: MQTT → actors → PostgreSQL → Kafka → Python', () => {
  const mqttPrefix = uniqueName('e2e')
  const kafkaPrefix = uniqueName('ms-e2e-')
  const messages = productionMessages(mqttPrefix, 10, 1000)
  let service: ServiceProcess
  let databaseUrl: string

  beforeAll(async () => {
    databaseUrl = await createTestDatabase()
    service = await ServiceProcess.start({
      DATABASE_URL: databaseUrl,
      MQTT_URL: services().mqttUrl,
      KAFKA_BROKERS: services().kafkaBrokers,
      MQTT_TOPIC_PREFIX: mqttPrefix,
      MQTT_CLIENT_ID: uniqueName('ms-e2e-'),
      KAFKA_TOPIC_PREFIX: kafkaPrefix,
    })
    const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
    await publisher.publishAll(messages)
    await publisher.close()
  })

  afterAll(async () => {
    await service?.kill('SIGTERM')
  })

  it('commits exactly one event per message to PostgreSQL', async () => {
    const count = await waitFor('1000 events', async () => {
      const [row] = await queryOnce<{ n: number }>(
        databaseUrl,
        "SELECT count(*)::int AS n FROM event_log WHERE type = 'PartProduced'",
      )
      return row && row.n >= 1000 ? row.n : undefined
    })
    expect(count).toBe(1000)
    const [distinct] = await queryOnce<{ n: number }>(
      databaseUrl,
      `SELECT count(DISTINCT payload->>'messageId')::int AS n FROM event_log`,
    )
    expect(distinct?.n).toBe(1000)
  })

  it('serves each machine’s counts over HTTP, matching what was published', async () => {
    const { status, body } = await service.get<{ items: MachineView[] }>('/api/v1/machines')
    expect(status).toBe(200)
    expect(body.items).toHaveLength(10)
    for (const machine of body.items) {
      const mine = messages.filter((m) => m.machineId === machine.machineId)
      expect(machine.produced).toBe(mine.length)
      expect(machine.scrapped).toBe(mine.filter((m) => m.damaged).length)
      expect(machine.lastOrder).toBe(mine[mine.length - 1]?.order)
      expect(machine.lastSeenAt).not.toBeNull()
    }
    const one = await service.get<MachineView>('/api/v1/machines/3')
    expect(one.body).toMatchObject({ machineId: '3', produced: 100 })
  })

  it('publishes 1000 Avro records, each machine in one partition in publish order, over several partitions', async () => {
    const records = await readTopic(services().kafkaBrokers, `${kafkaPrefix}.production`, 1000)
    const unique = new Map(records.map((r) => [r.eventId, r]))
    expect(unique.size).toBe(1000)
    expect(records.every((r) => r.type === 'PartProduced')).toBe(true)
    const partitions = new Set(records.map((r) => r.partition))
    expect(partitions.size).toBeGreaterThanOrEqual(2)
    for (const machineId of new Set(messages.map((m) => m.machineId))) {
      const mine = records.filter((r) => r.key === machineId).sort((a, b) => a.offset - b.offset)
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1)
      // Sequences rise in offset order (an alert on machine-state may take a number in between).
      const sequences = mine.map((r) => r.value.sequence as number)
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b))
      expect(new Set(sequences).size).toBe(100)
      expect(mine.map((r) => r.value.messageId)).toEqual(
        messages
          .filter((m) => m.machineId === machineId)
          .map((m) => (JSON.parse(m.payload) as { messageId: string }).messageId),
      )
    }
  })

  it('lets the Python client decode all 1000 records by fingerprint', async () => {
    const summary = await pythonCount(`${kafkaPrefix}.production`)
    expect(summary.count).toBe(1000)
    expect(summary.by_type).toEqual({ PartProduced: 1000 })
    expect(summary.keys_in_order_ok).toBe(true)
    expect(summary.errors).toEqual([])
  })
})
