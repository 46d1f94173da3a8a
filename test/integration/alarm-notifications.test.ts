import { createHmac } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { TestPublisher } from '../../harness/mqtt-publisher'
import { ServiceProcess } from '../../harness/service-process'
import { createTestDatabase, services, uniqueName, waitFor } from '../../harness/services'

const SECRET = 'andon-secret'
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
    },
  ],
}

type Call = { at: number; headers: IncomingMessage['headers']; body: string }

/** A webhook receiver in the test: `answer` decides each response (or none, to hang). */
async function receiver(
  answer: (call: Call, res: ServerResponse, n: number) => void,
): Promise<{ url: string; calls: Call[]; server: Server }> {
  const calls: Call[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      const call = { at: Date.now(), headers: req.headers, body }
      calls.push(call)
      answer(call, res, calls.length)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/alarms`, calls, server }
}

const typeOf = (c: Call) => (JSON.parse(c.body) as { type: string }).type

describe('alarm notifications, with real services', () => {
  it('reach each webhook signed and once, retry a failing one, are not held up by a silent one, and keep the andon topic retained', async () => {
    const databaseUrl = await createTestDatabase()
    const prefix = uniqueName('notify')
    const dir = mkdtempSync(join(tmpdir(), 'alarm-notify-'))
    writeFileSync(join(dir, 'rules.json'), JSON.stringify(RULES))
    writeFileSync(join(dir, 'secret'), `${SECRET}\n`)
    const good = await receiver((_, res) => res.writeHead(200).end())
    // Fails the first two tries, takes the third.
    const flaky = await receiver((_, res, n) => res.writeHead(n <= 2 ? 500 : 200).end())
    const silent = await receiver(() => undefined)
    const service = await ServiceProcess.start({
      DATABASE_URL: databaseUrl,
      MQTT_URL: services().mqttUrl,
      MQTT_TOPIC_PREFIX: prefix,
      MQTT_CLIENT_ID: uniqueName('ms-notify-'),
      ALARM_RULES_FILE: join(dir, 'rules.json'),
      ALARM_TICK_MS: '1000',
      ALARM_WEBHOOK_URLS: [silent.url, good.url, flaky.url].join(','),
      ALARM_WEBHOOK_SECRET_FILE: join(dir, 'secret'),
      ALARM_WEBHOOK_TIMEOUT_MS: '2000',
      ALARM_WEBHOOK_RETRY_BUDGET_MS: '20000',
      API_KEYS: 'shift-lead:command:alarm-key',
    })
    const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
    const andon = await mqtt.connectAsync(services().mqttUrl, { clientId: uniqueName('andon-') })
    const topic = `${prefix}/alarms/press-1/hot`
    const seen: { payload: string; retain: boolean }[] = []
    andon.on('message', (t, payload, packet) => {
      if (t === topic) seen.push({ payload: payload.toString(), retain: packet.retain })
    })
    await andon.subscribeAsync(topic, { qos: 1 })
    const reading = (temperature: number) => ({
      topic: `${prefix}/machines/press-1/telemetry`,
      payload: JSON.stringify({ at: new Date().toISOString(), metrics: { temperature } }),
    })
    try {
      // The followers take their place at the log's end at start: wait for it before raising.
      await waitFor(
        'every target following',
        async () => {
          const text = (await service.request('/metrics')).text
          const queues = text.match(/^millstream_alarm_notification_queue\{/gm)
          // Three webhooks and the MQTT topics.
          return queues?.length === 4 ? true : undefined
        },
        20_000,
      )
      const sentAt = Date.now()
      await publisher.publishAll([reading(85)])

      const raised = await waitFor(
        'the AlarmRaised webhook call',
        () => Promise.resolve(good.calls.find((c) => typeOf(c) === 'AlarmRaised')),
        20_000,
      )
      // The silent target, first in the list, hangs on its 2 s deadline meanwhile.
      expect(raised.at - sentAt).toBeLessThan(1500)
      const body = JSON.parse(raised.body) as Record<string, unknown>
      expect(body).toMatchObject({ type: 'AlarmRaised', machineId: 'press-1', ruleId: 'hot' })
      const expected = createHmac('sha256', SECRET).update(raised.body).digest('hex')
      expect(raised.headers['x-millstream-signature']).toBe(`sha256=${expected}`)
      expect(raised.headers['x-millstream-event-id']).toBe(body['eventId'])

      await waitFor(
        'the flaky target taking it on the third try',
        () => Promise.resolve(flaky.calls.length >= 3 ? true : undefined),
        20_000,
      )
      expect(flaky.calls.slice(0, 3).map((c) => c.headers['x-millstream-event-id'])).toEqual([
        body['eventId'],
        body['eventId'],
        body['eventId'],
      ])
      await waitFor(
        'the andon topic lit',
        () => Promise.resolve(seen.find((m) => m.payload.includes('"active-unacknowledged"'))),
        20_000,
      )

      const ack = await fetch(`${service.url}/api/v1/machines/press-1/alarms/hot/acknowledge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer alarm-key' },
        body: '{}',
      })
      expect(ack.status).toBe(202)
      await publisher.publishAll([reading(70)])
      await waitFor(
        'the andon topic cleared',
        () => Promise.resolve(seen.some((m) => m.payload === '') ? true : undefined),
        20_000,
      )
      // Exactly one AlarmRaised reached the good target.
      expect(good.calls.filter((c) => typeOf(c) === 'AlarmRaised')).toHaveLength(1)

      // A new subscriber finds no retained alarm: ask for it and a sentinel published after.
      const fresh = await mqtt.connectAsync(services().mqttUrl, { clientId: uniqueName('late-') })
      const late: string[] = []
      fresh.on('message', (t) => late.push(t))
      await fresh.subscribeAsync([topic, `${prefix}-sentinel`], { qos: 1 })
      await fresh.publishAsync(`${prefix}-sentinel`, 'after', { qos: 1 })
      await waitFor(
        'the sentinel',
        () => Promise.resolve(late.length > 0 ? true : undefined),
        10_000,
      )
      expect(late).toEqual([`${prefix}-sentinel`])
      await fresh.endAsync()

      const metrics = (await service.request('/metrics')).text
      expect(metrics).toMatch(
        /millstream_alarm_notifications_total\{[^}]*outcome="retried"[^}]*\} [2-9]/,
      )
      expect(metrics).toMatch(
        /millstream_alarm_notifications_total\{target="mqtt",outcome="delivered"\} [1-9]/,
      )
    } finally {
      await andon.endAsync()
      await publisher.close()
      await service.kill('SIGTERM')
      for (const r of [good, flaky, silent]) {
        r.server.closeAllConnections()
        r.server.close()
      }
    }
  })
})
