import type { Logger } from '../logger.js'
import type { MachineEmission, MachineModel } from './machine-model.js'
import type { SparkplugMessage, SparkplugMessageType } from './sparkplug-codec.js'
import { EdgeNodeSession, type EdgeCommand } from './sparkplug-edge.js'
import { EdgeNodeLink } from './sparkplug-link.js'
import { DeviceMetrics, firstAliasOf } from './sparkplug-metrics.js'

export type SparkplugPlantOptions = {
  url: string
  group: string
  devicesPerNode: number
  /** Makes the client ids of this run unique. */
  runId: string
  connectTimeoutMs: number
  publishTimeoutMs: number
  log: Logger
}

/** The Sparkplug messages an edge node publishes, by type. */
export const SPARKPLUG_COUNTED = ['NBIRTH', 'DBIRTH', 'DDATA', 'DDEATH', 'NDEATH'] as const
export type SparkplugCounts = Record<(typeof SPARKPLUG_COUNTED)[number], number>

type EdgeNode = {
  session: EdgeNodeSession
  link: EdgeNodeLink
  /** Born on its connection: false at first, after a reconnect, a rebirth or a lost message. */
  born: boolean
  /** Counts the node's connections: births sent on an earlier one do not count for a later. */
  connection: number
}

type Device = { metrics: DeviceMetrics; model: MachineModel }

/** Where simulated second `at` falls in wall-clock time (epoch ms). */
export type WallClock = (at: number) => number

/** The edge node ids of a plant: `line-1` holds the first `perNode` machines, and so on. */
export function edgeNodesOf<T>(machines: readonly T[], perNode: number): [string, T[]][] {
  const out: [string, T[]][] = []
  for (let i = 0; i < machines.length; i += perNode)
    out.push([`line-${out.length + 1}`, machines.slice(i, i + perNode)])
  return out
}

/**
 * The plant's machines as Sparkplug B devices of edge nodes, each node with a connection of its
 * own. Each tick the machines' emissions are recorded, then every node publishes its births if
 * it needs them, else a DDATA per device with what changed. Commands from hosts wait for the
 * next tick, so all messages of a node come from one place, in order.
 */
export class SparkplugPlant {
  private readonly nodes = new Map<string, EdgeNode>()
  private readonly devices = new Map<string, Device>()
  private pending: { nodeId: string; command: EdgeCommand }[] = []
  private readonly counts: SparkplugCounts = {
    NBIRTH: 0,
    DBIRTH: 0,
    DDATA: 0,
    DDEATH: 0,
    NDEATH: 0,
  }

  private constructor(
    private readonly wallMs: WallClock,
    private readonly log: Logger,
  ) {}

  static async start(
    options: SparkplugPlantOptions,
    models: readonly MachineModel[],
    wallMs: WallClock,
  ): Promise<SparkplugPlant> {
    const plant = new SparkplugPlant(wallMs, options.log)
    const connected = await Promise.allSettled(
      edgeNodesOf(models, options.devicesPerNode).map(([nodeId, members]) =>
        plant.connectNode(options, nodeId, members),
      ),
    )
    const failed = connected.find((c) => c.status === 'rejected')
    if (failed) {
      await Promise.all([...plant.nodes.values()].map((n) => n.link.close()))
      throw failed.reason
    }
    return plant
  }

  /** Copies of the message counts so far. */
  sent(): SparkplugCounts {
    return { ...this.counts }
  }

  /**
   * Carries out the commands that came in since the last tick, at simulated second `at` (what
   * the machines have said up to): maintenance starts or ends, a node is born again.
   */
  applyCommands(at: number): void {
    const pending = this.pending
    this.pending = []
    for (const { nodeId, command } of pending) {
      if (command.kind === 'rebirth') {
        const node = this.nodes.get(nodeId)
        if (node) node.born = false
        continue
      }
      const device = this.devices.get(command.deviceId)
      if (!device) continue
      device.model.command(command.active, at)
      device.metrics.setMaintenance(command.active, this.wallMs(at))
      this.log.info(command, 'maintenance command')
    }
  }

  record(machineId: string, emissions: readonly MachineEmission[]): void {
    this.devices.get(machineId)?.metrics.record(emissions, this.wallMs)
  }

  /** Every node's births where due, else its devices' changes; `now` stamps the payloads. */
  async publish(now: number): Promise<void> {
    await Promise.all(
      [...this.nodes.values()].map(async (node) => {
        if (!node.link.isOnline) return
        const connection = node.connection
        const birth = !node.born
        const messages = birth ? node.session.births(now) : node.session.data(now)
        if (messages.length === 0) return
        const ok = await this.send(node, messages)
        if (!ok) node.born = false
        else if (birth && connection === node.connection) node.born = true
      }),
    )
  }

  /** DDEATH of every device and NDEATH of every node that is online, then disconnects. */
  async stop(now: number): Promise<void> {
    await Promise.all(
      [...this.nodes.values()].map(async (node) => {
        if (node.link.isOnline) await this.send(node, node.session.deaths(now))
        await node.link.close()
      }),
    )
  }

  private async connectNode(
    options: SparkplugPlantOptions,
    nodeId: string,
    members: readonly MachineModel[],
  ): Promise<void> {
    const metrics = members.map((model, i) => {
      const metrics = new DeviceMetrics(model.config.machineId, firstAliasOf(i), {
        state: model.state,
        partId: model.config.partId,
        order: model.config.firstOrder,
      })
      this.devices.set(model.config.machineId, { model, metrics })
      return metrics
    })
    const session = new EdgeNodeSession(options.group, nodeId, metrics)
    const link = await EdgeNodeLink.connect({
      url: options.url,
      clientId: `millstream-${options.runId}-${nodeId}`,
      connectTimeoutMs: options.connectTimeoutMs,
      publishTimeoutMs: options.publishTimeoutMs,
      log: options.log,
      will: () => session.newSession(),
      subscriptions: session.commandTopics,
      onMessage: (topic, payload) => {
        for (const command of session.read(topic, payload)) this.pending.push({ nodeId, command })
      },
      onSession: () => {
        const node = this.nodes.get(nodeId)
        if (!node) return
        node.connection += 1
        node.born = false
        this.log.info({ nodeId, bdSeq: session.birthDeathSeq }, 'edge node reconnected')
      },
    })
    this.nodes.set(nodeId, { session, link, born: false, connection: 0 })
  }

  /** Publishes a node's messages; true when all went out. */
  private async send(node: EdgeNode, messages: readonly SparkplugMessage[]): Promise<boolean> {
    const ok = await node.link.publishAll(messages)
    if (ok) for (const m of messages) if (isCounted(m.type)) this.counts[m.type] += 1
    return ok
  }
}

function isCounted(type: SparkplugMessageType): type is keyof SparkplugCounts {
  return (SPARKPLUG_COUNTED as readonly string[]).includes(type)
}
