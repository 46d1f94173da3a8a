import type { MachineEmission } from './machine-model.js'
import { stopReasonNumber } from './reasons.js'
import { METRICS, type Metric, type SimState } from './sensors.js'
import type { SparkplugMetric } from './sparkplug-codec.js'

/** Every metric a simulated machine has, in alias order, with its Sparkplug datatype. */
export const DEVICE_METRICS = [
  { name: 'Status/RunState', type: 'Int32' },
  { name: 'Production/PartCount', type: 'UInt64' },
  { name: 'Production/ScrapCount', type: 'UInt64' },
  { name: 'Production/PartId', type: 'Int32' },
  { name: 'Production/Order', type: 'Int32' },
  { name: 'Sensors/Temperature', type: 'Double' },
  { name: 'Sensors/SpindleSpeed', type: 'Double' },
  { name: 'Sensors/Vibration', type: 'Double' },
  { name: 'Sensors/Power', type: 'Double' },
  { name: 'Maintenance/Active', type: 'Boolean' },
  { name: 'Status/StopReason', type: 'Int32' },
] as const satisfies readonly { name: string; type: SparkplugMetric['type'] }[]

export type DeviceMetricName = (typeof DEVICE_METRICS)[number]['name']
export type MetricValue = number | boolean

/** The RunState codes of the plant's mapping. */
export const RUN_STATE_CODES: Record<SimState, number> = {
  idle: 0,
  running: 1,
  down: 2,
  maintenance: 3,
}

const SENSOR_METRICS: Record<Metric, DeviceMetricName> = {
  temperature: 'Sensors/Temperature',
  spindleSpeed: 'Sensors/SpindleSpeed',
  vibration: 'Sensors/Vibration',
  power: 'Sensors/Power',
}

// Alias 0 is left unused: it is also what a reader sees for an alias that was never set.
const FIRST_ALIAS = 1

/** Where a device's aliases start when it is the `index`th (from 0) of its edge node. */
export function firstAliasOf(index: number): number {
  return FIRST_ALIAS + index * DEVICE_METRICS.length
}

/** What a device's metrics start at: a machine at shift start, before its first part. */
export type DeviceStart = { state: SimState; partId: number; order: number }

type Change = { index: number; value: MetricValue; timestamp: number }

/**
 * One device's metrics: their values now, their aliases (unique within the edge node), and what
 * changed since the last report. A state change and its reason are kept for every change (each
 * one counts for availability); every other metric reports only its latest value.
 */
export class DeviceMetrics {
  private readonly values: MetricValue[]
  private changes: Change[] = []

  constructor(
    readonly deviceId: string,
    private readonly firstAlias: number,
    start: DeviceStart,
  ) {
    this.values = DEVICE_METRICS.map((m) => (m.type === 'Boolean' ? false : 0))
    this.values[indexOf('Status/RunState')] = RUN_STATE_CODES[start.state]
    this.values[indexOf('Production/PartId')] = start.partId
    this.values[indexOf('Production/Order')] = start.order
  }

  value(name: DeviceMetricName): MetricValue {
    return this.values[indexOf(name)] as MetricValue
  }

  alias(name: DeviceMetricName): number {
    return this.firstAlias + indexOf(name)
  }

  /** The metric an alias of this device names, if it is one of this device's. */
  nameOf(alias: number): DeviceMetricName | undefined {
    return DEVICE_METRICS[alias - this.firstAlias]?.name
  }

  /** Takes in what the machine said, each change stamped with `timestamp(at)` (epoch ms). */
  record(emissions: readonly MachineEmission[], timestamp: (at: number) => number): void {
    for (const e of emissions) {
      const ts = timestamp(e.at)
      if (e.kind === 'status') {
        // The reason goes with every state change, set first: a host pairs the two by time.
        this.set('Status/StopReason', stopReasonNumber(e.reason), ts, true)
        this.set('Status/RunState', RUN_STATE_CODES[e.state], ts)
      } else if (e.kind === 'part') {
        this.set('Production/PartCount', (this.value('Production/PartCount') as number) + 1, ts)
        if (e.damaged)
          this.set('Production/ScrapCount', (this.value('Production/ScrapCount') as number) + 1, ts)
        this.set('Production/PartId', e.partId, ts)
        this.set('Production/Order', e.order, ts)
      } else for (const m of METRICS) this.set(SENSOR_METRICS[m], e.readings[m], ts)
    }
  }

  /** What the device reports of an operator's maintenance command. */
  setMaintenance(active: boolean, timestamp: number): void {
    this.set('Maintenance/Active', active, timestamp)
  }

  /** Every metric with its name, alias, datatype and value: a DBIRTH's. Pending changes go in it. */
  birth(timestamp: number): SparkplugMetric[] {
    this.changes = []
    return DEVICE_METRICS.map((m, i) => ({
      name: m.name,
      alias: this.firstAlias + i,
      type: m.type,
      value: this.values[i] as MetricValue,
      timestamp,
    }))
  }

  /** The changes since the last report, by alias alone, in time order; then none are pending. */
  takeChanges(): SparkplugMetric[] {
    const out = this.changes
      .sort((a, b) => a.timestamp - b.timestamp)
      .map((c) => ({
        alias: this.firstAlias + c.index,
        type: (DEVICE_METRICS[c.index] as (typeof DEVICE_METRICS)[number]).type,
        value: c.value,
        timestamp: c.timestamp,
      }))
    this.changes = []
    return out
  }

  get changed(): boolean {
    return this.changes.length > 0
  }

  private set(name: DeviceMetricName, value: MetricValue, timestamp: number, always = false): void {
    const index = indexOf(name)
    if (this.values[index] === value && !always) return
    this.values[index] = value
    if (!EVERY_CHANGE.has(name)) this.changes = this.changes.filter((c) => c.index !== index)
    this.changes.push({ index, value, timestamp })
  }
}

/** Metrics whose every change is reported: each state change counts, with its reason. */
const EVERY_CHANGE = new Set<DeviceMetricName>(['Status/RunState', 'Status/StopReason'])

const INDEX = new Map<DeviceMetricName, number>(DEVICE_METRICS.map((m, i) => [m.name, i]))

function indexOf(name: DeviceMetricName): number {
  return INDEX.get(name) as number
}
