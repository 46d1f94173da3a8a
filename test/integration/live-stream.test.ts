import { TestPublisher } from '../../harness/mqtt-publisher'
import { ServiceProcess } from '../../harness/service-process'
import { SseClient, type SseEvent } from '../../harness/sse-client'
import { createTestDatabase, services, uniqueName, waitFor } from '../../harness/services'
import type { MachineView } from '../../src/read/machine-queries'
import { compareCursors, parseCursor } from '../../src/read/log-cursor'

type MachineUpdate = { machine: MachineView; types: string[] }

/**
 * The live stream against the real service process: MQTT in, PostgreSQL commits, the event
 * log read back in commit order and sent as Server-Sent Events.
 */
describe('GET /api/v1/stream against the real service', () => {
  let service: ServiceProcess
  let publisher: TestPublisher
  const prefix = uniqueName('live')
  let sent = 0

  beforeAll(async () => {
    service = await ServiceProcess.start({
      DATABASE_URL: await createTestDatabase(),
      MQTT_URL: services().mqttUrl,
      MQTT_TOPIC_PREFIX: prefix,
      MQTT_CLIENT_ID: uniqueName('ms-live-'),
      LOG_LEVEL: 'warn',
    })
    publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
  })
  afterAll(async () => {
    await publisher.close()
    await service.kill('SIGTERM')
  })

  /** `count` parts produced, round-robin over `machines`; every 10th scrapped. */
  const produce = (machines: string[], count: number) =>
    publisher.publishAll(
      Array.from({ length: count }, (_, i) => {
        const n = sent++
        return {
          topic: `${prefix}/machines/${machines[i % machines.length]}/production`,
          payload: JSON.stringify({
            timeOfProduction: new Date(1_702_166_400_000 + n * 1000).toISOString(),
            order: 7,
            partId: 3,
            var5: n % 10 === 0,
            messageId: `live-${n}`,
          }),
        }
      }),
    )

  const open = (query: string, headers: Record<string, string> = {}) =>
    SseClient.open(`${service.url}/api/v1/stream?${query}`, { headers })
  const hello = (c: SseClient) => c.until('hello', (e) => e.some((x) => x.event === 'hello'))
  const machineUpdates = (events: SseEvent[]) =>
    events.filter((e) => e.event === 'machine').map((e) => JSON.parse(e.data) as MachineUpdate)
  const latest = (events: SseEvent[], machineId: string) =>
    machineUpdates(events)
      .filter((u) => u.machine.machineId === machineId)
      .at(-1)?.machine
  const current = async (machineId: string) =>
    (await (await fetch(`${service.url}/api/v1/machines/${machineId}`)).json()) as MachineView
  /** Until each machine has produced its parts, and the stream has sent that row. */
  const caughtUp = async (c: SseClient, produced: Record<string, number>) => {
    for (const [id, parts] of Object.entries(produced)) {
      const now = await waitFor(`${id} committed`, async () => {
        const m = await current(id)
        return m.produced === parts ? m : undefined
      })
      await c.until(`${id} up to date`, (e) => latest(e, id)?.sequence === now.sequence)
    }
  }

  it('sends hello, then updates in commit order, coalesced per machine', async () => {
    const machines = ['ord-1', 'ord-2', 'ord-3']
    const client = await open(`machine=${machines.join(',')}`)
    expect(client.status).toBe(200)
    await hello(client)
    expect(client.events[0]?.event).toBe('hello')
    await produce(machines, 600)
    await caughtUp(client, { 'ord-1': 200, 'ord-2': 200, 'ord-3': 200 })
    await client.close()

    // Every id rises, hello's included: a resume from any of them misses nothing.
    const cursors = client.events.map((e) => parseCursor(e.id ?? ''))
    expect(cursors.every(Boolean)).toBe(true)
    for (let i = 1; i < cursors.length; i++)
      expect(compareCursors(cursors[i - 1]!, cursors[i]!)).toBeLessThan(0)
    expect(JSON.parse(client.events[0]!.data)).toEqual({ cursor: client.events[0]!.id })

    for (const id of machines) {
      const mine = machineUpdates(client.events).filter((u) => u.machine.machineId === id)
      // Each machine's updates follow its own commits: sequences never go back (a row read
      // ahead of its changes is sent again when they arrive, to move the resume point on).
      for (let i = 1; i < mine.length; i++)
        expect(mine[i]!.machine.sequence).toBeGreaterThanOrEqual(mine[i - 1]!.machine.sequence)
      // 200 parts each, a few updates each: the stream did not send one per event.
      expect(mine.length).toBeLessThan(40)
      expect(mine.at(-1)!.machine.produced).toBe(200)
      expect(mine.at(-1)!.machine.scrapped).toBe(20)
      expect(mine.flatMap((u) => u.types)).toContain('PartProduced')
    }
  })

  it('resumes with Last-Event-ID: every machine changed meanwhile, nothing from before', async () => {
    const [a, b, c] = ['res-a', 'res-b', 'res-c']
    const filter = `machine=${a},${b},${c}`
    const first = await open(filter)
    await hello(first)
    await produce([a, b], 40)
    await caughtUp(first, { [a]: 20, [b]: 20 })
    await first.close()
    const lastId = first.events.at(-1)!.id!

    await produce([b, c], 40)
    await waitFor('the second batch committed', async () =>
      (await current(c)).produced === 20 && (await current(b)).produced === 40 ? true : undefined,
    )
    const again = await open(filter, { 'Last-Event-ID': lastId })
    await hello(again)
    await caughtUp(again, { [b]: 40, [c]: 20 })
    await again.close()
    expect(again.events[0]).toMatchObject({ event: 'hello', id: lastId })
    const cursors = again.events.map((e) => parseCursor(e.id ?? '')!)
    for (const cur of cursors.slice(1))
      expect(compareCursors(parseCursor(lastId)!, cur)).toBeLessThan(0)
    const machines = new Set(machineUpdates(again.events).map((u) => u.machine.machineId))
    expect([...machines].sort()).toEqual([b, c])
    expect(latest(again.events, b)?.produced).toBe(40)
    expect(latest(again.events, c)?.produced).toBe(20)
    expect(again.events.some((e) => e.event === 'reset')).toBe(false)
  })

  it('resets a resume point it cannot serve, then follows on', async () => {
    const client = await open('machine=rst-1', { 'Last-Event-ID': 'from-another-planet' })
    await client.until('reset', (e) => e.some((x) => x.event === 'reset'))
    expect(client.events.map((e) => e.event)).toEqual(['hello', 'reset'])
    await produce(['rst-1'], 5)
    await caughtUp(client, { 'rst-1': 5 })
    await client.close()
  })

  it('filters by machine and by kind', async () => {
    const one = await open('machine=flt-1&kind=machine')
    const materials = await open('kind=material')
    const parts = await open('kind=part')
    const letters = await open('kind=deadletter')
    await Promise.all([one, materials, parts, letters].map(hello))
    await produce(['flt-1', 'flt-2'], 10)
    await publisher.publishAll([
      {
        topic: `${prefix}/materials/flt-steel`,
        payload: JSON.stringify({ name: 'Steel', price: 2.5, date: 0 }),
      },
      {
        topic: `${prefix}/parts/77/info`,
        payload: JSON.stringify({ defaultPrice: 9.5, timeToProduce: 30, materials: ['flt-steel'] }),
      },
      { topic: `${prefix}/machines/flt-1/production`, payload: '{not json' },
    ])
    await caughtUp(one, { 'flt-1': 5 })
    await materials.until('a material', (e) => e.some((x) => x.event === 'material'))
    await parts.until('a part', (e) => e.some((x) => x.event === 'part'))
    await letters.until('a dead letter', (e) => e.some((x) => x.event === 'deadletter'))
    await Promise.all([one, materials, parts, letters].map((c) => c.close()))

    expect(new Set(machineUpdates(one.events).map((u) => u.machine.machineId))).toEqual(
      new Set(['flt-1']),
    )
    expect(new Set(one.events.map((e) => e.event))).toEqual(new Set(['hello', 'machine']))
    const kinds = (c: SseClient) => new Set(c.events.slice(1).map((e) => e.event))
    expect(kinds(materials)).toEqual(new Set(['material']))
    expect(kinds(parts)).toEqual(new Set(['part']))
    expect(kinds(letters)).toEqual(new Set(['deadletter']))
    expect(JSON.parse(materials.events.at(-1)!.data)).toMatchObject({
      materialId: 'flt-steel',
      price: 2.5,
    })
    expect(JSON.parse(parts.events.at(-1)!.data)).toMatchObject({ partId: 77, defaultPrice: 9.5 })
    const letter = JSON.parse(letters.events.at(-1)!.data) as Record<string, unknown>
    expect(letter).toMatchObject({ source: `${prefix}/machines/flt-1/production` })
    expect(Object.keys(letter).sort()).toEqual([
      'id',
      'reason',
      'receivedAt',
      'recordedAt',
      'source',
    ])
  })

  it('counts subscribers, and forgets the ones that disconnect', async () => {
    const gauge = async () => {
      const text = await (await fetch(`${service.url}/metrics`)).text()
      return Number(/^millstream_stream_subscribers (\d+)/m.exec(text)?.[1])
    }
    const clients = await Promise.all([1, 2, 3].map(() => open('kind=machine')))
    await Promise.all(clients.map(hello))
    expect(await gauge()).toBe(3)
    await Promise.all(clients.map((c) => c.close()))
    await waitFor('no subscribers', async () => ((await gauge()) === 0 ? true : undefined))
    expect((await fetch(`${service.url}/api/v1/machines?limit=1`)).status).toBe(200)
    const later = await open('kind=machine&closeAfterMs=300')
    await later.done
    expect(later.events.map((e) => e.event)).toEqual(['hello'])
  })

  it('ends every open stream when the service stops, so the stop is not held up', async () => {
    const clients = await Promise.all([1, 2].map(() => open('')))
    await Promise.all(clients.map(hello))
    const started = Date.now()
    await service.kill('SIGTERM')
    await Promise.all(clients.map((c) => c.done))
    expect(Date.now() - started).toBeLessThan(10_000)
  })
})
