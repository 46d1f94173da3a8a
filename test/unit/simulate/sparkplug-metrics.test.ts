import { stopReasonNumber } from '../../../src/simulate/reasons'
import type { MachineEmission } from '../../../src/simulate/machine-model'
import {
  DEVICE_METRICS,
  DeviceMetrics,
  firstAliasOf,
  RUN_STATE_CODES,
} from '../../../src/simulate/sparkplug-metrics'

const readings = { temperature: 60.5, spindleSpeed: 9000, vibration: 2.1, power: 12.25 }
const device = (index = 0) =>
  new DeviceMetrics(String(index + 1), firstAliasOf(index), {
    state: 'running',
    partId: 3,
    order: 1000,
  })
const ms = (at: number) => 1_000_000 + at * 1000

describe('a simulated machine as a Sparkplug device', () => {
  it('gives every metric of every device of an edge node its own alias, none of them 0', () => {
    const devices = Array.from({ length: 25 }, (_, i) => device(i))
    const aliases = devices.flatMap((d) => DEVICE_METRICS.map((m) => d.alias(m.name)))
    expect(new Set(aliases).size).toBe(25 * DEVICE_METRICS.length)
    expect(Math.min(...aliases)).toBeGreaterThan(0)
    for (const d of devices)
      for (const m of DEVICE_METRICS) expect(d.nameOf(d.alias(m.name))).toBe(m.name)
    expect(devices[0]?.nameOf(devices[1]?.alias('Status/RunState') ?? 0)).toBeUndefined()
  })

  it('is born with every metric by name, alias, datatype and value, and nothing left to report', () => {
    const d = device(2)
    d.record([{ kind: 'telemetry', at: 0, readings, anomaly: null }], ms)
    const birth = d.birth(5)
    expect(birth.map((m) => [m.name, m.type])).toEqual(DEVICE_METRICS.map((m) => [m.name, m.type]))
    expect(birth.every((m) => m.alias === d.alias(m.name as never) && m.timestamp === 5)).toBe(true)
    const value = (name: string) => birth.find((m) => m.name === name)?.value
    expect(value('Status/RunState')).toBe(RUN_STATE_CODES.running)
    expect(value('Production/PartCount')).toBe(0)
    expect(value('Production/PartId')).toBe(3)
    expect(value('Production/Order')).toBe(1000)
    expect(value('Sensors/SpindleSpeed')).toBe(9000)
    expect(value('Maintenance/Active')).toBe(false)
    expect(d.changed).toBe(false)
  })

  it('reports only what changed, by alias alone: counters once at their last value, every state change', () => {
    const d = device()
    d.record([{ kind: 'telemetry', at: 0, readings, anomaly: null }], ms)
    d.birth(0)
    const part = (at: number, damaged: boolean): MachineEmission => ({
      kind: 'part',
      at,
      partId: 3,
      order: 1000,
      damaged,
      cycleSeconds: 4,
      deviationUm: 0,
    })
    d.record(
      [
        part(1, false),
        { kind: 'status', at: 2, state: 'down', reason: 'BRK-SERVO' },
        { kind: 'status', at: 3, state: 'running', reason: undefined },
        part(7, true),
        { kind: 'telemetry', at: 8, readings: { ...readings, power: 13 }, anomaly: null },
      ],
      ms,
    )
    const changes = d.takeChanges()
    expect(changes.every((m) => m.name === undefined)).toBe(true)
    const named = changes.map((m) => [d.nameOf(m.alias as number), m.value, m.timestamp])
    expect(named).toEqual([
      // Each state change with its reason, set first (0: none).
      ['Status/StopReason', stopReasonNumber('BRK-SERVO'), ms(2)],
      ['Status/RunState', RUN_STATE_CODES.down, ms(2)],
      ['Status/StopReason', 0, ms(3)],
      ['Status/RunState', RUN_STATE_CODES.running, ms(3)],
      ['Production/PartCount', 2, ms(7)],
      ['Production/ScrapCount', 1, ms(7)],
      ['Sensors/Power', 13, ms(8)],
    ])
    expect(d.takeChanges()).toEqual([])
    // The same readings again change nothing.
    d.record(
      [{ kind: 'telemetry', at: 9, readings: { ...readings, power: 13 }, anomaly: null }],
      ms,
    )
    expect(d.changed).toBe(false)
  })
})
