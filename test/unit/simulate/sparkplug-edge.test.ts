import {
  decodeSparkplug,
  encodeSparkplug,
  numberOf,
  type SparkplugMessage,
} from '../../../src/simulate/sparkplug-codec'
import { EdgeNodeSession } from '../../../src/simulate/sparkplug-edge'
import { DeviceMetrics, firstAliasOf } from '../../../src/simulate/sparkplug-metrics'

const readings = { temperature: 60.5, spindleSpeed: 9000, vibration: 2.1, power: 12.25 }

function node(devices = 2) {
  const metrics = Array.from(
    { length: devices },
    (_, i) =>
      new DeviceMetrics(String(i + 1), firstAliasOf(i), { state: 'running', partId: 1, order: 7 }),
  )
  return { session: new EdgeNodeSession('plant', 'line-1', metrics), metrics }
}

const decoded = (m: SparkplugMessage) => decodeSparkplug(m.payload)
const seqOf = (m: SparkplugMessage) => numberOf(decoded(m).seq as never)
const bdSeqOf = (m: SparkplugMessage) =>
  numberOf(decoded(m).metrics?.find((x) => x.name === 'bdSeq')?.value ?? null)

describe('an edge node session', () => {
  it('leaves as will an NDEATH with the bdSeq its NBIRTH carries, one more per session, wrapping at 256', () => {
    const { session } = node()
    const will = session.newSession()
    expect(will).toMatchObject({ type: 'NDEATH', topic: 'spBv1.0/plant/NDEATH/line-1', qos: 1 })
    expect(decoded(will).seq).toBeUndefined()
    const [nbirth] = session.births(10)
    expect(bdSeqOf(will)).toBe(0)
    expect(bdSeqOf(nbirth as SparkplugMessage)).toBe(0)
    expect(bdSeqOf(session.newSession())).toBe(1)
    for (let i = 2; i < 256; i++) session.newSession()
    expect(bdSeqOf(session.newSession())).toBe(0)
  })

  it('is born with NBIRTH at seq 0 (bdSeq, rebirth false), then a DBIRTH per device, in seq order', () => {
    const { session, metrics } = node(3)
    session.newSession()
    const births = session.births(42)
    expect(births.map((m) => [m.type, m.topic])).toEqual([
      ['NBIRTH', 'spBv1.0/plant/NBIRTH/line-1'],
      ['DBIRTH', 'spBv1.0/plant/DBIRTH/line-1/1'],
      ['DBIRTH', 'spBv1.0/plant/DBIRTH/line-1/2'],
      ['DBIRTH', 'spBv1.0/plant/DBIRTH/line-1/3'],
    ])
    expect(births.map(seqOf)).toEqual([0, 1, 2, 3])
    const nbirth = decoded(births[0] as SparkplugMessage)
    expect(nbirth.metrics?.map((m) => [m.name, m.type, m.value])).toEqual([
      ['bdSeq', 'UInt64', expect.anything()],
      ['Node Control/Rebirth', 'Boolean', false],
    ])
    const dbirth = decoded(births[2] as SparkplugMessage)
    expect(numberOf(dbirth.timestamp as never)).toBe(42)
    for (const m of dbirth.metrics ?? [])
      expect(numberOf(m.alias as never)).toBe(metrics[1]?.alias(m.name as never))
  })

  it('numbers every message of the node in one seq, wrapping after 255; a rebirth starts again at 0', () => {
    const { session, metrics } = node(1)
    session.newSession()
    const seqs = session.births(0).map(seqOf)
    for (let i = 0; i < 300; i++) {
      metrics[0]?.record(
        [{ kind: 'telemetry', at: i, readings: { ...readings, power: i }, anomaly: null }],
        () => i,
      )
      seqs.push(...session.data(i).map(seqOf))
    }
    expect(seqs).toHaveLength(302)
    expect(seqs.every((s, i) => s === i % 256)).toBe(true)
    expect(session.births(1).map(seqOf)).toEqual([0, 1])
  })

  it('sends a DDATA only for devices with changes, carrying only those, by alias', () => {
    const { session, metrics } = node(3)
    session.newSession()
    session.births(0)
    expect(session.data(1)).toEqual([])
    metrics[1]?.record([{ kind: 'status', at: 5, state: 'idle', reason: 'NO-MATERIAL' }], () => 5)
    const data = session.data(6)
    expect(data.map((m) => m.topic)).toEqual(['spBv1.0/plant/DDATA/line-1/2'])
    expect(data[0]?.qos).toBe(0)
    const payload = decoded(data[0] as SparkplugMessage)
    // The reason (NO-MATERIAL is 6), then the state (idle is 0).
    expect(payload.metrics).toEqual([
      expect.objectContaining({ alias: expect.anything(), type: 'Int32', value: 6 }),
      expect.objectContaining({ alias: expect.anything(), type: 'Int32', value: 0 }),
    ])
    expect(payload.metrics?.[1]?.name).toBeUndefined()
    expect(payload.metrics?.map((m) => numberOf(m.alias as never))).toEqual([
      metrics[1]?.alias('Status/StopReason'),
      metrics[1]?.alias('Status/RunState'),
    ])
    expect(numberOf(payload.metrics?.[1]?.timestamp as never)).toBe(5)
  })

  it('says goodbye with a DDEATH per device, then the NDEATH of its session', () => {
    const { session } = node(2)
    session.newSession()
    session.newSession()
    session.births(0)
    const deaths = session.deaths(9)
    expect(deaths.map((m) => m.type)).toEqual(['DDEATH', 'DDEATH', 'NDEATH'])
    expect(deaths.slice(0, 2).map(seqOf)).toEqual([3, 4])
    expect(bdSeqOf(deaths[2] as SparkplugMessage)).toBe(1)
  })

  it('reads a rebirth NCMD and maintenance DCMDs by name or alias; ignores the rest', () => {
    const { session, metrics } = node(2)
    const cmd = (metrics: Parameters<typeof encodeSparkplug>[0]['metrics']) =>
      encodeSparkplug({ timestamp: 1, metrics })
    const rebirth = cmd([{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }])
    expect(session.read('spBv1.0/plant/NCMD/line-1', rebirth)).toEqual([{ kind: 'rebirth' }])
    expect(session.read('spBv1.0/plant/NCMD/line-2', rebirth)).toEqual([])
    expect(session.read('spBv1.0/other/NCMD/line-1', rebirth)).toEqual([])
    const noRebirth = cmd([{ name: 'Node Control/Rebirth', type: 'Boolean', value: false }])
    expect(session.read('spBv1.0/plant/NCMD/line-1', noRebirth)).toEqual([])
    const byName = cmd([{ name: 'Maintenance/Active', type: 'Boolean', value: true }])
    expect(session.read('spBv1.0/plant/DCMD/line-1/2', byName)).toEqual([
      { kind: 'maintenance', deviceId: '2', active: true },
    ])
    const alias = metrics[1]?.alias('Maintenance/Active')
    const byAlias = cmd([{ alias, type: 'Boolean', value: false }])
    expect(session.read('spBv1.0/plant/DCMD/line-1/2', byAlias)).toEqual([
      { kind: 'maintenance', deviceId: '2', active: false },
    ])
    // Device 1's alias for the same metric is not device 2's.
    expect(session.read('spBv1.0/plant/DCMD/line-1/1', byAlias)).toEqual([])
    expect(session.read('spBv1.0/plant/DCMD/line-1/9', byName)).toEqual([])
    expect(session.read('spBv1.0/plant/DCMD/line-1/2', Buffer.from('not protobuf \xff'))).toEqual(
      [],
    )
  })
})
