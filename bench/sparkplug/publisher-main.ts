import mqtt, { type MqttClient } from 'mqtt'
import type { MachineEmission } from '../../src/simulate/machine-model'
import type { SparkplugMessage } from '../../src/simulate/sparkplug-codec'
import { EdgeNodeSession } from '../../src/simulate/sparkplug-edge'
import { DeviceMetrics, firstAliasOf } from '../../src/simulate/sparkplug-metrics'
import { edgeNodesOf } from '../../src/simulate/sparkplug-plant'
import { due, newLoadState, serveLoad } from '../load/load-child'
import type { LoadCommand } from '../load/protocol'
import { sparkplugDeviceIds } from './device-ids'

/*
 * The Sparkplug B load, a process of its own like the JSON one: edge nodes that are born once,
 * then publish DDATA at QoS 1 as fast as the bench allows, each carrying one more part
 * (PartCount) and a new reading (Temperature). DDATA are encoded ahead in blocks, so the
 * publish loop only hands bytes to MQTT. A clean disconnect at the end: the broker drops the
 * wills, and the nodes stay born for the host.
 */

type Start = Extract<LoadCommand, { type: 'start-sparkplug' }>

type EdgeNode = {
  client: MqttClient
  session: EdgeNodeSession
  devices: DeviceMetrics[]
  /** DDATA encoded ahead, in the node's seq order, and the next one to send. */
  ready: SparkplugMessage[]
  next: number
  /** The device whose turn it is, and each device's part count. */
  turn: number
  parts: number[]
  inFlight: number
}

/** DDATA encoded at once for a node, and how few may be left before the next block. */
const BLOCK = 2000
const LOW_WATER = 500
const PART_ID = 1
const ORDER = 1000

let nodes: EdgeNode[] = []
let maxInFlight = 0
let nodeTurn = 0
const state = newLoadState()

function reading(count: number): MachineEmission {
  const temperature = 60 + (count % 100) / 10
  return {
    kind: 'telemetry',
    at: 0,
    readings: { temperature, spindleSpeed: 9000, vibration: 2, power: 12 },
    anomaly: null,
  }
}

/** The next block of a node's DDATA: its devices in turn, each one part and one reading on. */
function encodeBlock(node: EdgeNode): void {
  const now = Date.now()
  const stamp = () => now
  const block: SparkplugMessage[] = []
  for (let i = 0; i < BLOCK; i++) {
    const d = node.turn++ % node.devices.length
    const count = (node.parts[d] = (node.parts[d] ?? 0) + 1)
    const part: MachineEmission = {
      kind: 'part',
      at: 0,
      partId: PART_ID,
      order: ORDER,
      damaged: false,
      cycleSeconds: 1,
      deviationUm: 0,
    }
    node.devices[d]?.record([part, reading(count)], stamp)
    block.push(...node.session.data(now))
  }
  node.ready = [...node.ready.slice(node.next), ...block]
  node.next = 0
}

function pump(): void {
  const target = due(state)
  for (let idle = 0; state.published < target && idle < nodes.length;) {
    const node = nodes[nodeTurn++ % nodes.length] as EdgeNode
    if (node.inFlight >= maxInFlight) {
      idle++
      continue
    }
    idle = 0
    if (node.ready.length - node.next < LOW_WATER) encodeBlock(node)
    const m = node.ready[node.next++] as SparkplugMessage
    node.inFlight++
    state.published++
    node.client.publish(m.topic, m.payload, { qos: 1 }, (err) => {
      node.inFlight--
      if (err) state.failed++
      else state.acked++
    })
  }
}

async function start(cmd: Start): Promise<void> {
  maxInFlight = cmd.maxInFlight
  const ids = sparkplugDeviceIds(cmd.runId, cmd.devices)
  nodes = await Promise.all(
    edgeNodesOf(ids, cmd.devicesPerNode).map(async ([line, members]) => {
      // Ids of this run's own: another run on the same broker is other nodes and machines.
      const nodeId = `${cmd.runId}-${line}`
      const devices = members.map(
        (id, i) =>
          new DeviceMetrics(id, firstAliasOf(i), {
            state: 'running',
            partId: PART_ID,
            order: ORDER,
          }),
      )
      // Born with readings, so each DDATA after carries only the two metrics that change.
      for (const d of devices) d.record([reading(0)], () => Date.now())
      const session = new EdgeNodeSession(cmd.group, nodeId, devices)
      const will = session.newSession()
      const client = await mqtt.connectAsync(cmd.mqttUrl, {
        clientId: `bench-sp-${cmd.runId}-${nodeId}`,
        protocolVersion: 4,
        clean: true,
        keepalive: 60,
        will: { topic: will.topic, payload: will.payload, qos: 1, retain: false },
      })
      await Promise.all(
        session.births(Date.now()).map((m) => client.publishAsync(m.topic, m.payload, { qos: 1 })),
      )
      const node: EdgeNode = {
        client,
        session,
        devices,
        ready: [],
        next: 0,
        turn: 0,
        parts: [],
        inFlight: 0,
      }
      encodeBlock(node)
      return node
    }),
  )
}

serveLoad('start-sparkplug', state, { start, pump, clients: () => nodes.map((n) => n.client) })
