import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { get } from 'sparkplug-payload'
import { newClient } from 'sparkplug-client'
import { TestPublisher } from '../../harness/mqtt-publisher'
import { SimulatorProcess } from '../../harness/simulator-process'
import { ServiceProcess } from '../../harness/service-process'
import { createTestDatabase, services, uniqueName, waitFor } from '../../harness/services'
import type { MachineView } from '../../src/read/machine-queries'
import { projectPath } from '../../src/project-root'

const codec = get('spBv1.0')!
const KEY = 'sparkplug-test-key'
type EdgeClient = ReturnType<typeof newClient>
type DeadLetterItem = { source: string; reason: string }

/** The simulated plant's mapping file, for a test's own group; its path. */
function mappingFor(group: string): string {
  const shipped = JSON.parse(
    readFileSync(projectPath('deploy/sparkplug/simulator.json'), 'utf8'),
  ) as { machines: { match: { group: string } }[] }
  for (const rule of shipped.machines) rule.match.group = group
  const path = join(mkdtempSync(join(tmpdir(), 'sparkplug-')), 'mapping.json')
  writeFileSync(path, JSON.stringify(shipped))
  return path
}

/**
 * The Sparkplug B host against the real service, Mosquitto and PostgreSQL, with Eclipse Tahu's
 * own edge client playing the gateway.
 */
describe('the Sparkplug B host', () => {
  const group = uniqueName('spg')
  const prefix = uniqueName('spf')
  let service: ServiceProcess
  let watcher: MqttClient
  let publisher: TestPublisher
  /** Every NCMD the broker carried, by topic, decoded. */
  const commands: { topic: string; metrics: { name?: string | null; value: unknown }[] }[] = []

  beforeAll(async () => {
    const mapping = mappingFor(group)
    service = await ServiceProcess.start({
      DATABASE_URL: await createTestDatabase(),
      MQTT_URL: services().mqttUrl,
      MQTT_TOPIC_PREFIX: prefix,
      MQTT_CLIENT_ID: uniqueName('ms-sp-'),
      SPARKPLUG_GROUPS: group,
      SPARKPLUG_HOST_ID: uniqueName('host-'),
      SPARKPLUG_MAPPING: mapping,
      SPARKPLUG_REBIRTH_INTERVAL_MS: '500',
      API_KEYS: KEY,
      LOG_LEVEL: 'warn',
    })
    watcher = await mqtt.connectAsync(services().mqttUrl, { clientId: uniqueName('watch-') })
    watcher.on('message', (topic, payload) => {
      const p = codec.decodePayload(payload)
      commands.push({
        topic,
        metrics: (p.metrics ?? []).map((m) => ({ name: m.name, value: m.value })),
      })
    })
    await watcher.subscribeAsync(`spBv1.0/${group}/NCMD/#`, { qos: 1 })
    publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
  })
  afterAll(async () => {
    await publisher.close()
    await watcher.endAsync()
    await service.kill('SIGTERM')
  })

  const machine = async (id: string) => {
    const r = await service.get<MachineView>(`/api/v1/machines/${id}`)
    return r.status === 200 ? r.body : undefined
  }
  const until = (what: string, id: string, ok: (m: MachineView) => boolean) =>
    waitFor(
      what,
      async () => {
        const m = await machine(id)
        return m && ok(m) ? m : undefined
      },
      20_000,
      100,
    )
  const rebirthsTo = (node: string) =>
    commands.filter(
      (c) =>
        c.topic === `spBv1.0/${group}/NCMD/${node}` &&
        c.metrics.some((m) => m.name === 'Node Control/Rebirth' && m.value === true),
    ).length
  const deadLetters = async () =>
    (await service.get<{ items: DeadLetterItem[] }>('/api/v1/dead-letters?limit=500')).body.items

  /** An edge node as Tahu's client runs it; resolves once connected and asked for births. */
  const edge = (node: string) =>
    new Promise<EdgeClient>((resolve) => {
      const client = newClient({
        serverUrl: services().mqttUrl,
        username: '',
        password: '',
        groupId: group,
        edgeNode: node,
        clientId: uniqueName(`edge-${node}-`),
        publishDeath: true,
      })
      client.once('birth', () => resolve(client))
    })
  const deviceMetrics = (c: { state: number; parts: number; scrap: number; temp: number }) => [
    { name: 'Status/RunState', alias: 1, type: 'Int32' as const, value: c.state },
    { name: 'Production/PartCount', alias: 2, type: 'UInt64' as const, value: c.parts },
    { name: 'Production/ScrapCount', alias: 3, type: 'UInt64' as const, value: c.scrap },
    { name: 'Production/PartId', alias: 4, type: 'Int32' as const, value: 7 },
    { name: 'Production/Order', alias: 5, type: 'Int32' as const, value: 42 },
    { name: 'Sensors/Temperature', alias: 6, type: 'Double' as const, value: c.temp },
  ]
  const births = (
    client: EdgeClient,
    device: string,
    counts: Parameters<typeof deviceMetrics>[0],
  ) => {
    client.publishNodeBirth({
      timestamp: Date.now(),
      metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: false }],
    })
    client.publishDeviceBirth(device, {
      timestamp: Date.now(),
      metrics: deviceMetrics(counts),
    })
  }
  /** DDATA by alias only, as gateways send it. */
  const data = (client: EdgeClient, device: string, values: Record<number, number>) =>
    client.publishDeviceData(device, {
      timestamp: Date.now(),
      metrics: Object.entries(values).map(([alias, value]) => ({
        alias: Number(alias),
        type: Number(alias) === 6 ? 'Double' : 'UInt64',
        value,
      })),
    })

  it('turns births and data into the same state, parts, OEE and telemetry as the JSON topics', async () => {
    const client = await edge('line-1')
    const bornAt = new Date().toISOString()
    births(client, 'press-1', { state: 1, parts: 100, scrap: 10, temp: 60 })
    await until('born running', 'press-1', (m) => m.state === 'running')
    const dataAt = new Date().toISOString()
    data(client, 'press-1', { 2: 105, 3: 11, 6: 61.5 })
    const sp = await until(
      'five parts',
      'press-1',
      (m) => m.produced === 5 && m.metrics.temperature === 61.5,
    )

    // The same machine over the JSON topics, on the same timeline: running from the birth,
    // then five parts of which one scrapped, and a reading, when the DDATA said so.
    const twin = 'json-twin'
    const part = (i: number) => ({
      topic: `${prefix}/machines/${twin}/production`,
      payload: JSON.stringify({
        timeOfProduction: dataAt,
        order: 42,
        partId: 7,
        var5: i === 0,
        messageId: `tw-${i}`,
      }),
    })
    await publisher.publishAll([
      {
        topic: `${prefix}/machines/${twin}/status`,
        payload: JSON.stringify({ state: 'running', at: bornAt }),
      },
      ...[0, 1, 2, 3, 4].map(part),
      {
        topic: `${prefix}/machines/${twin}/telemetry`,
        payload: JSON.stringify({ at: dataAt, metrics: { temperature: 61.5 } }),
      },
    ])
    const json = await until(
      'the twin',
      twin,
      (m) => m.produced === 5 && m.metrics.temperature === 61.5,
    )
    const same = (m: MachineView) => ({
      state: m.state,
      produced: m.produced,
      scrapped: m.scrapped,
      lastPartId: m.lastPartId,
      lastOrder: m.lastOrder,
      temperature: m.metrics.temperature,
      hasOee: [m.oee.availability, m.oee.performance, m.oee.quality].map((x) => x !== null),
    })
    expect(same(sp)).toEqual(same(json))
    expect(sp.scrapped).toBe(1)
    expect(sp.oee.quality).toBeCloseTo(0.8)
    expect(sp.oee.availability).not.toBeNull()
    // Counters are kept as telemetry too: that is how a restarted host counts on from them.
    expect(sp.metrics['Production.PartCount']).toBe(105)

    const series = await waitFor('a telemetry bucket', async () => {
      const from = new Date(Date.now() - 3_600_000).toISOString()
      const r = await service.get<{ series: Record<string, { count: number[] }> }>(
        `/api/v1/machines/press-1/telemetry?metric=temperature&from=${from}&bucket=1m`,
      )
      const counts = r.status === 200 ? r.body.series.temperature?.count : undefined
      return counts && counts.reduce((n, c) => n + c, 0) >= 2 ? counts : undefined
    })
    expect(series.length).toBeGreaterThan(0)
    client.stop()
  })

  it('asks for a rebirth on a dropped seq, and counts on after it', async () => {
    const client = await edge('line-2')
    births(client, 'press-2', { state: 1, parts: 0, scrap: 0, temp: 50 })
    await until('born', 'press-2', (m) => m.state === 'running')
    data(client, 'press-2', { 2: 3 })
    await until('three parts', 'press-2', (m) => m.produced === 3)
    client.on('ncmd', () => births(client, 'press-2', { state: 1, parts: 8, scrap: 0, temp: 50 }))
    // One seq never sent: the next message shows the gap.
    ;(client as unknown as { seq: number }).seq += 1
    data(client, 'press-2', { 2: 5 })
    await waitFor('a rebirth request on the broker', () =>
      Promise.resolve(rebirthsTo('line-2') > 0 ? true : undefined),
    )
    // The gap's message was whole (its counter says 5), the rebirth's counter says 8.
    await until('counted through the rebirth', 'press-2', (m) => m.produced === 8)
    data(client, 'press-2', { 2: 10 })
    await until('data flows after the rebirth', 'press-2', (m) => m.produced === 10)
    client.stop()
  })

  it('turns a machine offline within a second of NDEATH, and of a killed edge client’s will', async () => {
    const client = await edge('line-3')
    births(client, 'press-3', { state: 1, parts: 0, scrap: 0, temp: 50 })
    await until('born', 'press-3', (m) => m.state === 'running')
    const stopped = Date.now()
    client.stop()
    await until('offline after NDEATH', 'press-3', (m) => m.state === 'offline')
    expect(Date.now() - stopped).toBeLessThan(1000)

    const child = killableEdge('line-4', 'press-4')
    try {
      await until('born in the child', 'press-4', (m) => m.state === 'running')
      const killed = Date.now()
      child.kill('SIGKILL')
      await until('offline after the will', 'press-4', (m) => m.state === 'offline')
      expect(Date.now() - killed).toBeLessThan(1000)
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('dead-letters undecodable protobuf and data before birth, asks for a rebirth, and stays up', async () => {
    await publisher.publishAll([
      { topic: `spBv1.0/${group}/DDATA/line-9/press-9`, payload: Buffer.from('not protobuf!!') },
      {
        topic: `spBv1.0/${group}/DDATA/line-8/press-8`,
        payload: Buffer.from(
          codec.encodePayload({
            timestamp: Date.now(),
            seq: 4,
            metrics: [{ alias: 2, type: 'UInt64', value: 5 }],
          }),
        ),
      },
    ])
    const letters = await waitFor('both dead letters', async () => {
      const items = await deadLetters()
      const bad = items.find((l) => l.source.endsWith('/line-9/press-9'))
      const early = items.find((l) => l.source.endsWith('/line-8/press-8'))
      return bad && early ? { bad, early } : undefined
    })
    expect(letters.bad.reason).toMatch(/not a Sparkplug B payload/)
    expect(letters.early.reason).toMatch(/before the edge node's NBIRTH/)
    await waitFor('a rebirth asked of the unknown node', () =>
      Promise.resolve(rebirthsTo('line-8') > 0 ? true : undefined),
    )
    expect(await machine('press-8')).toBeUndefined()
    expect(service.running()).toBe(true)
    const metrics = await (await fetch(`${service.url}/metrics`)).text()
    expect(metrics).toMatch(
      /millstream_sparkplug_rebirth_requests_total\{reason="before-birth",sent="yes"\} [1-9]/,
    )
    expect(metrics).toMatch(
      /millstream_sparkplug_rebirth_requests_total\{reason="seq-gap",sent="yes"\} [1-9]/,
    )
  })

  it('counts every part exactly once across a host killed and restarted', async () => {
    const client = await edge('line-5')
    births(client, 'press-5', { state: 1, parts: 0, scrap: 0, temp: 50 })
    await until('born', 'press-5', (m) => m.state === 'running')
    data(client, 'press-5', { 2: 4 })
    await until('four parts', 'press-5', (m) => m.produced === 4)
    await service.kill('SIGKILL')
    // Made while the host is gone; this DDATA (QoS 0) never reaches it.
    data(client, 'press-5', { 2: 6 })
    await service.restart()
    client.on('ncmd', () => births(client, 'press-5', { state: 1, parts: 9, scrap: 0, temp: 50 }))
    // The restarted host knows no session: its first data is refused and a rebirth asked for.
    await waitFor('a rebirth asked after the restart', () => {
      if (rebirthsTo('line-5') > 0) return Promise.resolve(true)
      data(client, 'press-5', { 2: 7 })
      return Promise.resolve(undefined)
    })
    // The birth's counter (9) against the committed one (4): the five parts made meanwhile.
    await until('caught up by the birth', 'press-5', (m) => m.produced === 9)
    data(client, 'press-5', { 2: 11 })
    const m = await until('counting on', 'press-5', (x) => x.produced === 11)
    expect(m.metrics['Production.PartCount']).toBe(11)
    client.stop()
  })

  it('sends a rebirth command to a Sparkplug machine, and refuses one to a JSON machine', async () => {
    const before = rebirthsTo('line-1')
    const post = (id: string) =>
      fetch(`${service.url}/api/v1/machines/${id}/commands`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ type: 'rebirth' }),
      })
    const ok = await post('press-1')
    expect(ok.status).toBe(202)
    expect(((await ok.json()) as { topic: string }).topic).toBe(`spBv1.0/${group}/NCMD/line-1`)
    await waitFor('the NCMD on the broker', () =>
      Promise.resolve(rebirthsTo('line-1') > before ? true : undefined),
    )
    const refused = await post('json-twin')
    expect(refused.status).toBe(404)
    expect(refused.headers.get('content-type')).toMatch(/problem\+json/)
  })

  /** An edge node in its own process, so it can be killed without a goodbye. */
  function killableEdge(node: string, device: string): ChildProcess {
    const script = `
      const { newClient } = require('sparkplug-client')
      const c = newClient({ serverUrl: ${JSON.stringify(services().mqttUrl)}, username: '', password: '',
        groupId: ${JSON.stringify(group)}, edgeNode: ${JSON.stringify(node)},
        clientId: ${JSON.stringify(uniqueName('child-'))}, keepalive: 5 })
      c.on('birth', () => {
        c.publishNodeBirth({ timestamp: Date.now(), metrics: [] })
        c.publishDeviceBirth(${JSON.stringify(device)}, { timestamp: Date.now(), metrics: [
          { name: 'Status/RunState', alias: 1, type: 'Int32', value: 1 } ] })
      })
      setInterval(() => {}, 1000)`
    return spawn(process.execPath, ['-e', script], { stdio: 'ignore', cwd: process.cwd() })
  }
})

describe('the simulated plant as Sparkplug B edge nodes', () => {
  it('reaches the API as machines with a state, parts and every OEE factor', async () => {
    const group = uniqueName('sim')
    const prefix = uniqueName('sps')
    const mapping = mappingFor(group)
    const service = await ServiceProcess.start({
      DATABASE_URL: await createTestDatabase(),
      MQTT_URL: services().mqttUrl,
      MQTT_TOPIC_PREFIX: prefix,
      MQTT_CLIENT_ID: uniqueName('ms-sim-'),
      SPARKPLUG_GROUPS: group,
      SPARKPLUG_HOST_ID: uniqueName('host-'),
      SPARKPLUG_MAPPING: mapping,
      LOG_LEVEL: 'warn',
    })
    const simulator = SimulatorProcess.start(services().mqttUrl, prefix, [
      '--sparkplug',
      '--group',
      group,
      '--machines',
      '12',
      '--devices-per-node',
      '5',
      '--speed',
      '20',
    ])
    try {
      const machines = await waitFor(
        'every machine with every OEE factor',
        async () => {
          const r = await service.get<{ items: MachineView[] }>('/api/v1/machines?limit=100')
          const ready = r.body.items.filter(
            (m) =>
              m.state !== 'unknown' &&
              m.produced > 0 &&
              m.oee.availability !== null &&
              m.oee.performance !== null &&
              m.oee.quality !== null,
          )
          return ready.length === 12 ? r.body.items : undefined
        },
        90_000,
        1000,
      )
      expect(machines.map((m) => m.machineId)).toHaveLength(12)
      expect(machines.every((m) => typeof m.metrics.temperature === 'number')).toBe(true)
    } finally {
      await simulator.stop()
      await service.kill('SIGTERM')
    }
  })
})
