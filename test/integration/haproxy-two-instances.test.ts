import type { MachineView } from '../../src/read/machine-queries'
import { HaproxyProcess } from '../../harness/haproxy'
import { SseClient, type SseEvent } from '../../harness/sse-client'
import { compareCursors, parseCursor } from '../../src/read/log-cursor'
import { TestPublisher } from '../../harness/mqtt-publisher'
import { ServiceProcess } from '../../harness/service-process'
import { createTestDatabase, services, uniqueName, waitFor } from '../../harness/services'

/** An ingesting and a query-only instance on one fresh database, behind a real HAProxy. */
async function startPair(extraEnv: Record<string, string> = {}) {
  const prefix = uniqueName('ha')
  const common = {
    DATABASE_URL: await createTestDatabase(),
    MQTT_URL: services().mqttUrl,
    MQTT_TOPIC_PREFIX: prefix,
    ...extraEnv,
  }
  const ingesting = await ServiceProcess.start({ ...common, MQTT_CLIENT_ID: uniqueName('ms-ha-') })
  const queryOnly = await ServiceProcess.start({ ...common, MQTT_INGEST: 'false' })
  const haproxy = HaproxyProcess.start([ingesting.httpPort, queryOnly.httpPort])
  const stop = async () => {
    haproxy.stop()
    await Promise.all([ingesting.kill('SIGTERM'), queryOnly.kill('SIGTERM')])
  }
  return { prefix, ingesting, queryOnly, haproxy, stop }
}

describe('two instances behind HAProxy', () => {
  it('serve the state committed by the ingesting instance through either backend', async () => {
    const { prefix, haproxy, stop } = await startPair()
    try {
      const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
      await publisher.publishAll([
        {
          topic: `${prefix}/machines/press-1/production`,
          payload: JSON.stringify({ timeOfProduction: Date.now(), order: 9, partId: 3 }),
        },
      ])
      await publisher.close()

      // Round robin: several requests reach both backends; each must see the committed part.
      const seen = await waitFor('the part through HAProxy', async () => {
        const res = await fetch(`${haproxy.url}/api/v1/machines/press-1`)
        return res.status === 200 ? ((await res.json()) as MachineView) : undefined
      })
      expect(seen).toMatchObject({ machineId: 'press-1', produced: 1, lastOrder: 9 })
      const statuses = await Promise.all(
        Array.from({ length: 10 }, () =>
          fetch(`${haproxy.url}/api/v1/machines/press-1`).then((r) => r.status),
        ),
      )
      expect(statuses).toEqual(Array.from({ length: 10 }, () => 200))
      const stats = await (await fetch(`${haproxy.statsUrl};csv`)).text()
      const servedBy = stats
        .split('\n')
        .filter((l) => /,app\d,/.test(l))
        .map((l) => Number(l.split(',')[7])) // stot: sessions each backend served
      expect(servedBy.length).toBe(2)
      expect(servedBy.every((n) => n > 0)).toBe(true)
    } finally {
      await stop()
    }
  })

  it('apply a command sent through one instance, visible through the other, and survive losing one mid-stream', async () => {
    const { ingesting, queryOnly, haproxy, stop } = await startPair({ API_KEYS: 'line-7-key' })
    try {
      const res = await fetch(`${queryOnly.url}/api/v1/machines/press-9/commands`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer line-7-key' },
        body: JSON.stringify({ type: 'maintenance-start', requestedBy: 'test' }),
      })
      expect(res.status).toBe(202)
      const seen = await waitFor('the command applied', async () => {
        const r = await ingesting.get<MachineView>('/api/v1/machines/press-9')
        return r.status === 200 && r.body.state === 'maintenance' ? r.body : undefined
      })
      expect(seen.state).toBe('maintenance')

      // A stream of GETs through HAProxy while one instance dies: every one must succeed.
      const statuses: number[] = []
      for (let i = 0; i < 300; i++) {
        if (i === 100) await queryOnly.kill('SIGKILL')
        statuses.push((await fetch(`${haproxy.url}/api/v1/machines/press-9`)).status)
      }
      expect(statuses.filter((s) => s !== 200)).toEqual([])
    } finally {
      await stop()
    }
  })

  it('resume a live stream on the other instance from the last id the first one sent', async () => {
    const { prefix, ingesting, queryOnly, stop } = await startPair()
    const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
    const produce = (machineId: string, order: number) =>
      publisher.publishAll([
        {
          topic: `${prefix}/machines/${machineId}/production`,
          payload: JSON.stringify({ timeOfProduction: Date.now(), order, partId: 3 }),
        },
      ])
    const machine = (e: SseEvent) =>
      e.event === 'machine' ? (JSON.parse(e.data) as { machine: MachineView }).machine : undefined
    try {
      const first = await SseClient.open(`${ingesting.url}/api/v1/stream?kind=machine`)
      await first.until('hello', (es) => es.some((e) => e.event === 'hello'))
      await produce('press-1', 1)
      await first.until('press-1', (es) => es.some((e) => machine(e)?.machineId === 'press-1'))
      const lastId = first.events[first.events.length - 1]?.id ?? ''
      await first.close()

      // While no stream is open: one more part on press-1, a first one on press-2.
      await produce('press-1', 2)
      await produce('press-2', 1)
      await waitFor('both committed', async () => {
        const r = await queryOnly.get<MachineView>('/api/v1/machines/press-2')
        return r.status === 200 ? true : undefined
      })

      // The other instance reads the same log: it sends what changed after that id, and only that.
      const second = await SseClient.open(`${queryOnly.url}/api/v1/stream?kind=machine`, {
        headers: { 'Last-Event-ID': lastId },
      })
      await second.until('both machines', (es) => {
        const seen = es.map(machine)
        return (
          seen.some((m) => m?.machineId === 'press-2') &&
          seen.some((m) => m?.machineId === 'press-1' && m.produced === 2)
        )
      })
      await second.close()
      const resumed = second.events.filter((e) => e.event === 'machine')
      for (const e of resumed)
        expect(compareCursors(parseCursor(lastId)!, parseCursor(e.id ?? '')!)).toBeLessThan(0)
      expect(second.events[0]?.event).toBe('hello')
      expect(second.events.some((e) => e.event === 'reset')).toBe(false)
    } finally {
      await publisher.close()
      await stop()
    }
  })
})
