import mqtt, { type MqttClient } from 'mqtt'
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net'
import { services, uniqueName, waitFor } from '../../harness/services'
import { SimulatorProcess } from '../../harness/simulator-process'
import {
  decodeSparkplug,
  encodeSparkplug,
  numberOf,
  type SparkplugPayload,
} from '../../src/simulate/sparkplug-codec'

/** One Sparkplug message as a plain subscriber received it, decoded. */
type Received = {
  type: string
  node: string
  device: string | undefined
  payload: SparkplugPayload
  seq: number | undefined
}

const RUN_STATE_MAINTENANCE = 3

/** A plain MQTT subscriber to one Sparkplug group and one JSON topic prefix. */
class Listener {
  readonly sparkplug: Received[] = []
  readonly json: string[] = []

  private constructor(private readonly client: MqttClient) {}

  static async start(url: string, group: string, prefix: string): Promise<Listener> {
    const client = await mqtt.connectAsync(url, { clientId: uniqueName('sp-listen-'), clean: true })
    const listener = new Listener(client)
    client.on('message', (topic, payload) => {
      const [namespace, , type = '', node = '', device] = topic.split('/')
      if (namespace !== 'spBv1.0') return void listener.json.push(topic)
      // The commands are this test's own.
      if (type === 'NCMD' || type === 'DCMD') return
      const decoded = decodeSparkplug(payload)
      const seq = numberOf(decoded.seq as never)
      listener.sparkplug.push({ type, node, device, payload: decoded, seq })
    })
    await client.subscribeAsync([`spBv1.0/${group}/#`, `${prefix}/#`], { qos: 1 })
    return listener
  }

  of(node: string, type?: string): Received[] {
    return this.sparkplug.filter((m) => m.node === node && (type === undefined || m.type === type))
  }

  async command(topic: string, payload: SparkplugPayload): Promise<void> {
    await this.client.publishAsync(topic, encodeSparkplug(payload), { qos: 0 })
  }

  async close(): Promise<void> {
    await this.client.endAsync()
  }
}

/** A TCP relay to the broker whose connections can be cut, as a network outage does. */
class Relay {
  private readonly sockets = new Set<Socket>()
  private readonly server: Server

  constructor(target: URL) {
    this.server = createServer((client) => {
      const upstream = connect(Number(target.port), target.hostname)
      for (const s of [client, upstream]) {
        this.sockets.add(s)
        s.on('error', () => undefined)
        s.on('close', () => {
          client.destroy()
          upstream.destroy()
          this.sockets.delete(s)
        })
      }
      client.pipe(upstream).pipe(client)
    })
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()))
    return `mqtt://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  cut(): void {
    for (const s of this.sockets) s.destroy()
  }

  async close(): Promise<void> {
    this.cut()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

/** Waits until `probe` gives something other than undefined. */
const until = <T>(what: string, probe: () => T | undefined) =>
  waitFor(what, () => Promise.resolve(probe()))

const bdSeqOf = (m: Received | undefined) =>
  numberOf(m?.payload.metrics?.find((x) => x.name === 'bdSeq')?.value ?? null)

/** Each message of a node (but its NDEATH) carries the seq after the one before; NBIRTH is 0. */
function expectSeqContinuity(messages: readonly Received[]): void {
  const numbered = messages.filter((m) => m.type !== 'NDEATH')
  numbered.forEach((m, i) => {
    const expected = m.type === 'NBIRTH' ? 0 : ((numbered[i - 1]?.seq ?? -1) + 1) % 256
    if (m.seq !== expected)
      throw new Error(`${m.type} ${m.device ?? ''} #${i}: seq ${m.seq}, expected ${expected}`)
  })
}

/** The aliases each device's latest DBIRTH before message `upTo` gave, by device id. */
function aliasesOf(messages: readonly Received[]): Map<string, Map<number, string>> {
  const births = new Map<string, Map<number, string>>()
  for (const m of messages) {
    if (m.type !== 'DBIRTH' || m.device === undefined) continue
    births.set(
      m.device,
      new Map(
        (m.payload.metrics ?? []).map((x) => [numberOf(x.alias as never) ?? -1, x.name ?? '']),
      ),
    )
  }
  return births
}

describe('simulate --sparkplug against Mosquitto', () => {
  const { mqttUrl } = services()
  let listener: Listener
  let simulator: SimulatorProcess | undefined

  afterEach(async () => {
    await simulator?.stop('SIGKILL')
    simulator = undefined
    await listener?.close()
  })

  it('births, DDATA in seq by alias, a rebirth on NCMD, maintenance on DCMD, DDEATH and NDEATH on SIGTERM', async () => {
    const group = uniqueName('spsim')
    const prefix = uniqueName('spsim')
    listener = await Listener.start(mqttUrl, group, prefix)
    // Five devices to a node, each making parts every tick: line-1 passes seq 255 in seconds.
    simulator = SimulatorProcess.start(mqttUrl, prefix, [
      ...['--sparkplug', '--group', group, '--devices-per-node', '5'],
      ...['--machines', '12', '--speed', '10', '--rate', '5'],
    ])
    const sim = simulator
    const alive = () => {
      if (sim.exitCode !== null) throw new Error(`simulator exited:\n${sim.logs()}`)
    }
    await until('births of three edge nodes and their twelve devices', () => {
      alive()
      const nodes = ['line-1', 'line-2', 'line-3'].filter((n) => listener.of(n, 'NBIRTH').length)
      return nodes.length === 3 &&
        listener.sparkplug.filter((m) => m.type === 'DBIRTH').length >= 12
        ? true
        : undefined
    })
    for (const [node, devices] of [
      ['line-1', ['1', '2', '3', '4', '5']],
      ['line-2', ['6', '7', '8', '9', '10']],
      ['line-3', ['11', '12']],
    ] as const) {
      const own = listener.of(node)
      expect(own[0]).toMatchObject({ type: 'NBIRTH', seq: 0 })
      expect(own[0]?.payload.metrics?.map((m) => [m.name, m.value])).toEqual([
        ['bdSeq', expect.anything()],
        ['Node Control/Rebirth', false],
      ])
      const dbirths = own.slice(1, 1 + devices.length)
      expect(dbirths.map((m) => [m.type, m.device])).toEqual(devices.map((d) => ['DBIRTH', d]))
      for (const b of dbirths) expect(b.payload.metrics).toHaveLength(11)
    }
    // Part and price data still arrive as JSON; the machines have no JSON topics.
    expect(listener.json.some((t) => t.startsWith(`${prefix}/parts/`))).toBe(true)
    expect(listener.json.some((t) => t.startsWith(`${prefix}/materials/`))).toBe(true)
    expect(listener.json.some((t) => t.startsWith(`${prefix}/machines/`))).toBe(false)

    await until('line-1 past seq 255', () => {
      alive()
      return listener.of('line-1').length > 300 ? true : undefined
    })

    const bdSeq2 = bdSeqOf(listener.of('line-2', 'NBIRTH')[0])
    const before = listener.of('line-2').length
    await listener.command(`spBv1.0/${group}/NCMD/line-2`, {
      timestamp: Date.now(),
      metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }],
    })
    await until('line-2 born again', () => {
      alive()
      const after = listener.of('line-2').slice(before)
      return after.filter((m) => m.type === 'DBIRTH').length >= 5 ? after : undefined
    })
    const reborn = listener.of('line-2').slice(before)
    const nbirth = reborn.findIndex((m) => m.type === 'NBIRTH')
    expect(reborn[nbirth]?.seq).toBe(0)
    expect(bdSeqOf(reborn[nbirth])).toBe(bdSeq2)
    expect(reborn.slice(nbirth + 1, nbirth + 6).map((m) => [m.type, m.device])).toEqual(
      ['6', '7', '8', '9', '10'].map((d) => ['DBIRTH', d]),
    )

    await listener.command(`spBv1.0/${group}/DCMD/line-1/2`, {
      timestamp: Date.now(),
      metrics: [{ name: 'Maintenance/Active', type: 'Boolean', value: true }],
    })
    const aliases = aliasesOf(listener.of('line-1')).get('2') as Map<number, string>
    await until('machine 2 in maintenance, saying so', () => {
      alive()
      const reported = listener
        .of('line-1', 'DDATA')
        .filter((m) => m.device === '2')
        .flatMap((m) => m.payload.metrics ?? [])
        .map((x) => [aliases.get(numberOf(x.alias as never) ?? -1), x.value])
      const said = (name: string, value: unknown) =>
        reported.some(([n, v]) => n === name && v === value)
      return said('Status/RunState', RUN_STATE_MAINTENANCE) && said('Maintenance/Active', true)
        ? true
        : undefined
    })

    await sim.stop('SIGTERM')
    expect(sim.exitCode).toBe(0)
    await until('every NDEATH', () =>
      ['line-1', 'line-2', 'line-3'].every((n) => listener.of(n, 'NDEATH').length === 1)
        ? true
        : undefined,
    )
    for (const node of ['line-1', 'line-2', 'line-3']) {
      const own = listener.of(node)
      expectSeqContinuity(own)
      // Every DDATA metric is by alias alone, and the alias is one its device's DBIRTH gave.
      const seen: Received[] = []
      for (const m of own) {
        seen.push(m)
        if (m.type !== 'DDATA') continue
        const known = aliasesOf(seen).get(m.device ?? '')
        for (const x of m.payload.metrics ?? []) {
          expect(x.name).toBeUndefined()
          expect(known?.has(numberOf(x.alias as never) ?? -1)).toBe(true)
          expect(numberOf(x.timestamp as never)).toBeGreaterThan(0)
        }
      }
      const deaths = own.filter((m) => m.type === 'DDEATH' || m.type === 'NDEATH')
      const devices = new Set(own.filter((m) => m.type === 'DBIRTH').map((m) => m.device))
      expect(deaths.map((m) => m.type)).toEqual([...[...devices].map(() => 'DDEATH'), 'NDEATH'])
      expect(own.at(-1)?.type).toBe('NDEATH')
      expect(bdSeqOf(own.at(-1))).toBe(bdSeqOf(own[0]))
    }
    expect(listener.of('line-1').some((m) => m.seq === 255)).toBe(true)
  })

  it('leaves its NDEATH will, with the bdSeq of its NBIRTH, when killed', async () => {
    const group = uniqueName('spsim')
    const prefix = uniqueName('spsim')
    listener = await Listener.start(mqttUrl, group, prefix)
    simulator = SimulatorProcess.start(mqttUrl, prefix, [
      ...['--sparkplug', '--group', group, '--machines', '3', '--devices-per-node', '2'],
    ])
    const sim = simulator
    await until('both edge nodes born', () => {
      if (sim.exitCode !== null) throw new Error(`simulator exited:\n${sim.logs()}`)
      return listener.sparkplug.filter((m) => m.type === 'DBIRTH').length === 3 ? true : undefined
    })
    await sim.stop('SIGKILL')
    await until('the broker sending both wills', () =>
      listener.sparkplug.filter((m) => m.type === 'NDEATH').length === 2 ? true : undefined,
    )
    for (const node of ['line-1', 'line-2']) {
      const [will] = listener.of(node, 'NDEATH')
      expect(will?.seq).toBeUndefined()
      expect(bdSeqOf(will)).toBe(bdSeqOf(listener.of(node, 'NBIRTH')[0]))
      expect(listener.of(node, 'DDEATH')).toEqual([])
    }
  })

  it('starts a new session on a new connection: the will of the old, then births with the next bdSeq', async () => {
    const group = uniqueName('spsim')
    const prefix = uniqueName('spsim')
    listener = await Listener.start(mqttUrl, group, prefix)
    const relay = new Relay(new URL(mqttUrl))
    try {
      simulator = SimulatorProcess.start(await relay.listen(), prefix, [
        ...['--sparkplug', '--group', group, '--machines', '2', '--speed', '20'],
      ])
      const sim = simulator
      const births = (bdSeq: number) => () => {
        if (sim.exitCode !== null) throw new Error(`simulator exited:\n${sim.logs()}`)
        const nbirth = listener.of('line-1', 'NBIRTH').find((m) => bdSeqOf(m) === bdSeq)
        const after = nbirth
          ? listener.of('line-1').slice(listener.of('line-1').indexOf(nbirth))
          : []
        return after.filter((m) => m.type === 'DBIRTH').length === 2 ? true : undefined
      }
      await until('births with bdSeq 0', births(0))
      relay.cut()
      await until('births with bdSeq 1', births(1))
      const own = listener.of('line-1')
      const will = own.findIndex((m) => m.type === 'NDEATH')
      expect(bdSeqOf(own[will])).toBe(0)
      expect(own.slice(will + 1).find((m) => m.type === 'NBIRTH')?.seq).toBe(0)
      await sim.stop('SIGKILL')
      await until('the will of the second session', () =>
        listener.of('line-1', 'NDEATH').length === 2 ? true : undefined,
      )
      expect(bdSeqOf(listener.of('line-1', 'NDEATH')[1])).toBe(1)
    } finally {
      await relay.close()
    }
  })
})
