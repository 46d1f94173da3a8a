import {
  decodeSparkplug,
  encodeSparkplug,
  sparkplugTopic,
  type SparkplugMessage,
  type SparkplugMessageType,
  type SparkplugMetric,
  type SparkplugPayload,
} from './sparkplug-codec.js'
import type { DeviceMetrics } from './sparkplug-metrics.js'

/** What a host asked of an edge node. */
export type EdgeCommand =
  { kind: 'rebirth' } | { kind: 'maintenance'; deviceId: string; active: boolean }

export const BD_SEQ = 'bdSeq'
export const REBIRTH = 'Node Control/Rebirth'
const MAINTENANCE = 'Maintenance/Active'

/**
 * One Sparkplug B edge node's session state, without I/O: its bdSeq (one per MQTT connection,
 * carried by the connection's will and by its NBIRTH), the seq every later message of the node
 * carries (0 in the NBIRTH, then up by one, wrapping after 255), and the messages of a birth,
 * of the data that changed, and of a death. It reads the commands a host sends it.
 */
export class EdgeNodeSession {
  private seq = 0
  private bdSeq = -1
  private readonly byId: ReadonlyMap<string, DeviceMetrics>
  private readonly ncmd: string
  /** What a DCMD topic starts with, the device id following it. */
  private readonly dcmd: string

  constructor(
    readonly group: string,
    readonly nodeId: string,
    readonly devices: readonly DeviceMetrics[],
  ) {
    this.byId = new Map(devices.map((d) => [d.deviceId, d]))
    this.ncmd = sparkplugTopic(group, 'NCMD', nodeId)
    this.dcmd = `${sparkplugTopic(group, 'DCMD', nodeId)}/`
  }

  /** The bdSeq of the current session; -1 before the first. */
  get birthDeathSeq(): number {
    return this.bdSeq
  }

  /** The topics a host's commands to this node and its devices arrive on. */
  get commandTopics(): string[] {
    return [this.ncmd, `${this.dcmd}+`]
  }

  /** Begins a new MQTT session: the next bdSeq, and the NDEATH its connection leaves as will. */
  newSession(): SparkplugMessage {
    this.bdSeq = (this.bdSeq + 1) % 256
    return this.ndeath()
  }

  /** NBIRTH (seq 0, this session's bdSeq) and a DBIRTH of every device with its values now. */
  births(now: number): SparkplugMessage[] {
    this.seq = 0
    const node = this.message('NBIRTH', undefined, now, [
      { name: BD_SEQ, type: 'UInt64', value: this.bdSeq, timestamp: now },
      { name: REBIRTH, type: 'Boolean', value: false, timestamp: now },
    ])
    return [node, ...this.devices.map((d) => this.message('DBIRTH', d.deviceId, now, d.birth(now)))]
  }

  /** A DDATA for each device with changes since its last report, with only those. */
  data(now: number): SparkplugMessage[] {
    return this.devices
      .filter((d) => d.changed)
      .map((d) => this.message('DDATA', d.deviceId, now, d.takeChanges()))
  }

  /** DDEATH of every device, then the node's NDEATH: a clean goodbye. */
  deaths(now: number): SparkplugMessage[] {
    return [...this.devices.map((d) => this.message('DDEATH', d.deviceId, now)), this.ndeath()]
  }

  /** The commands an NCMD or DCMD to this node carries; nothing for anything else. */
  read(topic: string, payload: Uint8Array): EdgeCommand[] {
    const isNode = topic === this.ncmd
    const device = topic.startsWith(this.dcmd)
      ? this.byId.get(topic.slice(this.dcmd.length))
      : undefined
    if (!isNode && !device) return []
    let metrics: SparkplugMetric[]
    try {
      metrics = decodeSparkplug(payload).metrics ?? []
    } catch {
      return []
    }
    if (!device)
      return metrics.some((m) => m.name === REBIRTH && m.value === true)
        ? [{ kind: 'rebirth' }]
        : []
    return metrics.flatMap((m) =>
      (m.name ?? nameOfAlias(device, m.alias)) === MAINTENANCE && typeof m.value === 'boolean'
        ? [{ kind: 'maintenance' as const, deviceId: device.deviceId, active: m.value }]
        : [],
    )
  }

  private ndeath(): SparkplugMessage {
    // No seq and no timestamp: the will is stored at connect time and sent whenever it is.
    const payload: SparkplugPayload = {
      metrics: [{ name: BD_SEQ, type: 'UInt64', value: this.bdSeq }],
    }
    return {
      type: 'NDEATH',
      topic: sparkplugTopic(this.group, 'NDEATH', this.nodeId),
      payload: encodeSparkplug(payload),
      qos: 1,
    }
  }

  private message(
    type: SparkplugMessageType,
    device: string | undefined,
    timestamp: number,
    metrics?: SparkplugMetric[],
  ): SparkplugMessage {
    const seq = this.seq
    this.seq = (this.seq + 1) % 256
    return {
      type,
      topic: sparkplugTopic(this.group, type, this.nodeId, device),
      payload: encodeSparkplug({ timestamp, seq, ...(metrics ? { metrics } : {}) }),
      // Sparkplug sends everything but the death certificate at QoS 0.
      qos: 0,
    }
  }
}

function nameOfAlias(device: DeviceMetrics, alias: SparkplugMetric['alias']): string | undefined {
  if (alias === null || alias === undefined) return undefined
  return device.nameOf(typeof alias === 'number' ? alias : alias.toNumber())
}
