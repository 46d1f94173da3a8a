import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AlarmHealth, AlarmView } from '../../src/read/ports'
import { readTopic } from '../support/kafka-reader'
import { TestPublisher } from '../../harness/mqtt-publisher'
import { SseClient } from '../../harness/sse-client'
import { ServiceProcess } from '../../harness/service-process'
import {
  createTestDatabase,
  queryOnce,
  services,
  uniqueName,
  waitFor,
} from '../../harness/services'

const RULES = {
  rules: [
    {
      id: 'hot',
      kind: 'threshold',
      severity: 'major',
      machines: ['press-*'],
      metric: 'temperature',
      above: 80,
      deadband: 5,
      onDelaySeconds: 1,
    },
    // No deadband, no delay: a reading that swings about the limit makes it chatter.
    { id: 'flicker', kind: 'threshold', severity: 'warning', metric: 'vibration', above: 5 },
  ],
}

describe('an alarm on a machine’s temperature, with real services', () => {
  it('is raised once, survives a SIGKILL unacknowledged, is acknowledged through the API and clears', async () => {
    const databaseUrl = await createTestDatabase()
    const mqttPrefix = uniqueName('alarms')
    const kafkaPrefix = uniqueName('ms-alarms-')
    const dir = mkdtempSync(join(tmpdir(), 'alarm-rules-'))
    const rulesFile = join(dir, 'rules.json')
    writeFileSync(rulesFile, JSON.stringify(RULES))
    const service = await ServiceProcess.start({
      DATABASE_URL: databaseUrl,
      MQTT_URL: services().mqttUrl,
      KAFKA_BROKERS: services().kafkaBrokers,
      MQTT_TOPIC_PREFIX: mqttPrefix,
      MQTT_CLIENT_ID: uniqueName('ms-alarms-'),
      KAFKA_TOPIC_PREFIX: kafkaPrefix,
      ALARM_RULES_FILE: rulesFile,
      ALARM_TICK_MS: '1000',
      API_KEYS: 'shift-lead:command:alarm-key',
    })
    const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
    const reading = (temperature: number) => ({
      topic: `${mqttPrefix}/machines/press-1/telemetry`,
      payload: JSON.stringify({ at: new Date().toISOString(), metrics: { temperature } }),
    })
    const raisedInLog = async () =>
      (
        await queryOnce<{ n: number }>(
          databaseUrl,
          "SELECT count(*)::int AS n FROM event_log WHERE type = 'AlarmRaised'",
        )
      )[0]?.n ?? 0
    const alarms = async () =>
      (await service.get<{ items: AlarmView[] }>('/api/v1/alarms?machineId=press-1')).body.items

    try {
      const started = Date.now()
      await publisher.publishAll([reading(85)])
      // Raised by the sweep's tick once the 1 s on delay has passed.
      await waitFor(
        'the alarm raised',
        async () => ((await raisedInLog()) === 1 ? true : undefined),
        20_000,
      )
      const raisedAfterMs = Date.now() - started
      expect(raisedAfterMs).toBeGreaterThanOrEqual(1000)

      await service.kill('SIGKILL')
      await service.restart()
      // A few of the sweep's ticks: an alarm lost in the restart would be raised again.
      await new Promise((r) => setTimeout(r, 2500))
      expect(await raisedInLog()).toBe(1)
      expect(await alarms()).toMatchObject([
        {
          ruleId: 'hot',
          severity: 'major',
          state: 'active-unacknowledged',
          detail: 'temperature > 80 (value 85)',
        },
      ])

      const live = await SseClient.open(`${service.url}/api/v1/stream`)
      const ack = await fetch(`${service.url}/api/v1/machines/press-1/alarms/hot/acknowledge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer alarm-key' },
        body: '{}',
      })
      expect(ack.status).toBe(202)
      const acked = await waitFor(
        'the alarm acknowledged',
        async () => (await alarms()).find((a) => a.state === 'active-acknowledged'),
        20_000,
      )
      expect(acked.acknowledgedBy).toBe('shift-lead')
      // The change reaches the live stream: the machine, its alarms, and what changed it.
      await live.until('the acknowledgement on the live stream', (events) =>
        events.some(
          (e) => e.data.includes('"AlarmAcknowledged"') && e.data.includes('"active-acknowledged"'),
        ),
      )
      await live.close()

      await publisher.publishAll([reading(78)]) // inside the deadband: still active
      await publisher.publishAll([reading(70)])
      await waitFor(
        'the alarm cleared',
        async () => ((await alarms()).length === 0 ? true : undefined),
        20_000,
      )

      const records = await readTopic(services().kafkaBrokers, `${kafkaPrefix}.alarms`, 3, 60_000)
      const byType = new Map<string, Set<string>>()
      for (const r of records) byType.set(r.type, (byType.get(r.type) ?? new Set()).add(r.eventId))
      expect([...byType.keys()].sort()).toEqual([
        'AlarmAcknowledged',
        'AlarmCleared',
        'AlarmRaised',
      ])
      expect(byType.get('AlarmRaised')?.size).toBe(1)
      const ackRecord = records.find((r) => r.type === 'AlarmAcknowledged')
      expect(ackRecord?.value).toMatchObject({
        machineId: 'press-1',
        ruleId: 'hot',
        by: 'shift-lead',
      })
      expect(ackRecord?.key).toBe('press-1')

      // Alarm-system health: the raise above, then a rule that chatters.
      // Each its own time: equal payloads would be one message to the pipeline.
      const swing = [9, 1, 9, 1, 9].map((vibration, i) => ({
        topic: `${mqttPrefix}/machines/press-1/telemetry`,
        payload: JSON.stringify({
          at: new Date(Date.now() + i).toISOString(),
          metrics: { vibration },
        }),
      }))
      await publisher.publishAll(swing)
      const health = await waitFor(
        'the chattering alarm in the health figures',
        async () => {
          const { body } = await service.get<AlarmHealth>('/api/v1/alarms/health')
          return body.chattering.length > 0 ? body : undefined
        },
        20_000,
      )
      expect(health.chattering).toEqual([{ machineId: 'press-1', ruleId: 'flicker', raised: 1 }])
      expect(health.mostFrequent).toEqual([
        { machineId: 'press-1', ruleId: 'flicker', raised: 3 },
        { machineId: 'press-1', ruleId: 'hot', raised: 1 },
      ])
      expect(health.raisedLast10Minutes).toBe(4)
      expect(health.active).toBe(1)
      expect(health.standing).toBe(0)
      const metrics = await (await fetch(`${service.url}/metrics`)).text()
      expect(metrics).toMatch(/^millstream_alarms_chattering 1$/m)
      expect(metrics).toMatch(/^millstream_alarms_active 1$/m)
    } finally {
      await publisher.close()
      await service.kill('SIGTERM')
    }
  })
})
