import { MosquittoProcess } from '../support/mosquitto-process'
import { ServiceProcess } from '../../harness/service-process'
import { createTestDatabase, services, uniqueName, waitFor } from '../../harness/services'

const KEY = 'edge-key'
const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }

async function startService(mqttUrl: string, extra: Record<string, string> = {}) {
  const prefix = uniqueName('edge')
  const service = await ServiceProcess.start({
    DATABASE_URL: await createTestDatabase(),
    MQTT_URL: mqttUrl,
    MQTT_TOPIC_PREFIX: prefix,
    MQTT_CLIENT_ID: uniqueName('ms-edge-'),
    API_KEYS: KEY,
    ...extra,
  })
  const post = (path: string, body: unknown) =>
    fetch(`${service.url}/api/v1${path}`, { method: 'POST', headers, body: JSON.stringify(body) })
  const command = (machineId: string, type: string) =>
    post(`/machines/${machineId}/commands`, { type })
  const metric = async (name: string) => {
    const text = await (await fetch(`${service.url}/metrics`)).text()
    return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN)
  }
  return { prefix, service, post, command, metric }
}

describe('publishing from the HTTP edge, against a real service and Mosquitto', () => {
  it('answers each kind of bad topic with 400, and the next command within a second', async () => {
    const { prefix, service, post, command } = await startService(services().mqttUrl)
    try {
      const bad = ['factory/#', 'factory/+/x', 'factory/a\u0000b', '$SYS/x', '']
      for (const topic of bad) {
        const res = await post('/mqtt/publish', { topic, payload: { v: 1 } })
        expect(res.status).toBe(400)
        expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/)
        const ingest = await post('/ingest', [{ topic, payload: {} }])
        expect(ingest.status).toBe(400)
        const started = Date.now()
        expect((await command('m1', 'maintenance-start')).status).toBe(202)
        expect(Date.now() - started).toBeLessThan(1000)
      }
      const wrongPrefix = await post('/ingest', [
        { topic: 'elsewhere/machines/m1/status', payload: {} },
      ])
      expect(wrongPrefix.status).toBe(400)
      expect(
        (await post('/ingest', [{ topic: `${prefix}/parts/4/info`, payload: {} }])).status,
      ).toBe(202)
      const state = await waitFor('the command to reach the machine', async () => {
        const res = await service.get<{ state: string }>('/api/v1/machines/m1')
        return res.status === 200 && res.body.state === 'maintenance' ? res.body : undefined
      })
      expect(state.state).toBe('maintenance')
    } finally {
      await service.kill('SIGTERM')
    }
  })

  it('drops a message the broker refuses, counts it, and takes the next command', async () => {
    const broker = await MosquittoProcess.start({ max_packet_size: 16_384 })
    const { service, post, command, metric } = await startService(broker.url)
    try {
      const refused = await post('/mqtt/publish', {
        topic: 'edge/big',
        payload: 'x'.repeat(20_000),
      })
      expect(refused.status).toBe(422)
      expect(await refused.json()).toMatchObject({ code: 'PUBLISH_REFUSED' })
      expect(await metric('millstream_mqtt_publish_refused_total')).toBe(1)

      expect((await command('m2', 'maintenance-start')).status).toBe(202)
      await waitFor('the command to reach the machine', async () => {
        const res = await service.get<{ state: string }>('/api/v1/machines/m2')
        return res.status === 200 && res.body.state === 'maintenance' ? true : undefined
      })
      // The refused packet is not re-sent behind the scenes: mqtt.js re-sends what it keeps on
      // connecting, before anything newer, so the command above reaching the machine on the
      // connection after the refusal shows that connection carried no second copy to be cut for.
      expect((await command('m2', 'maintenance-end')).status).toBe(202)
      expect(await metric('millstream_mqtt_publish_refused_total')).toBe(1)
      expect((await service.get('/readyz')).status).toBe(200)
    } finally {
      await service.kill('SIGTERM')
      await broker.stop()
    }
  })

  it('answers 503 with Retry-After while the broker is stopped, is not ready, and shuts down at once', async () => {
    const broker = await MosquittoProcess.start()
    const { service, command, metric } = await startService(broker.url, {
      MQTT_PUBLISH_TIMEOUT_MS: '1500',
    })
    try {
      broker.pause()
      const started = Date.now()
      const res = await command('m3', 'reset-counters')
      expect(Date.now() - started).toBeLessThan(3000)
      expect(res.status).toBe(503)
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(await metric('millstream_mqtt_publish_timeouts_total')).toBe(1)
      const ready = await service.get<{ checks: Record<string, { ok: boolean }> }>('/readyz')
      expect(ready.status).toBe(503)
      expect(ready.body.checks.mqttPublisher?.ok).toBe(false)

      broker.resume()
      await waitFor('readiness after the broker is back', async () =>
        (await service.get('/readyz')).status === 200 ? true : undefined,
      )
      expect((await command('m3', 'reset-counters')).status).toBe(202)

      broker.pause()
      const stopping = Date.now()
      await service.kill('SIGTERM')
      expect(Date.now() - stopping).toBeLessThan(5000)
    } finally {
      await service.kill('SIGKILL')
      await broker.stop()
    }
  })
})
