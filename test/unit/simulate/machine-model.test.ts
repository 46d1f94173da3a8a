import { MachineModel, type MachineEmission } from '../../../src/simulate/machine-model'
import { buildPlant } from '../../../src/simulate/plant'
import { Random } from '../../../src/simulate/random'
import { METRICS } from '../../../src/simulate/sensors'
import { machineConfig, run, segments, stateAt, type Segment } from './fleet'

const HOUR = 3600
const parts = (es: MachineEmission[]) => es.flatMap((e) => (e.kind === 'part' ? [e] : []))
const samples = (es: MachineEmission[]) => es.flatMap((e) => (e.kind === 'telemetry' ? [e] : []))
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
/** A machine that neither fails, runs short, jams nor changes orders within the tests' hours. */
const steadyMachine = (firstMaintenanceAt: number) =>
  new MachineModel(
    machineConfig({
      mtbfSeconds: 1e9,
      starvationEverySeconds: 1e9,
      microStopEverySeconds: 1e9,
      partsPerOrder: 1e9,
      firstMaintenanceAt,
    }),
    Random.derive(7, 'command'),
    5,
  )

describe('a virtual machine', () => {
  it('runs, idles, fails and is repaired, and stops for planned maintenance within two hours', () => {
    const config = machineConfig({
      firstMaintenanceAt: 40 * 60,
      starvationEverySeconds: 20 * 60,
      sendsReasons: true,
    })
    const es = run(config, 2 * HOUR)
    const states = new Set(segments(es, 2 * HOUR).map((s) => s.state))
    expect([...states].sort()).toEqual(['down', 'idle', 'maintenance', 'running'])
    const reasons = es.flatMap((e) => (e.kind === 'status' ? [e.reason] : []))
    expect(reasons).toContain('NO-MATERIAL')
    expect(reasons).toContain('PLANNED-MAINT')
    expect(reasons.some((r) => r?.startsWith('BRK-'))).toBe(true)
  })

  it('fails at its mean time between failures of running time, and is repaired in its mean time to repair', () => {
    const config = machineConfig({ idealCycleSeconds: 60 })
    const end = 1000 * HOUR
    const spans = segments(run(config, end, { telemetryEvery: HOUR, step: HOUR }), end)
    const running = spans
      .filter((s) => s.state === 'running')
      .reduce((t, s) => t + s.to - s.from, 0)
    const repairs = spans.filter((s) => s.state === 'down' && s.to < end).map((s) => s.to - s.from)
    expect(repairs.length).toBeGreaterThan(300)
    expect(running / repairs.length / config.mtbfSeconds).toBeGreaterThan(0.85)
    expect(running / repairs.length / config.mtbfSeconds).toBeLessThan(1.15)
    expect(mean(repairs) / config.mttrSeconds).toBeGreaterThan(0.85)
    expect(mean(repairs) / config.mttrSeconds).toBeLessThan(1.15)
    // Each stop ends in running again: down, idle and maintenance never follow one another but
    // for idle, which gives way to maintenance that fell due.
    spans.forEach((s, i) => {
      const next = spans[i + 1]
      if (next && s.state !== 'running' && next.state !== 'running') {
        expect([s.state, next.state]).toEqual(['idle', 'maintenance'])
      }
    })
  })

  it('makes parts only while running, one per cycle, at about its cycle time', () => {
    const config = machineConfig({ microStopEverySeconds: 1e9, partsPerOrder: 1e9 })
    const end = 8 * HOUR
    const es = run(config, end)
    const spans = segments(es, end)
    const made = parts(es)
    expect(made.length).toBeGreaterThan(800)
    // A part finishing at the moment of a stop is made before the stop.
    for (const p of made) expect(stateAt(spans, p.at - 1e-9)).toBe('running')
    const cycles = made.map((p) => p.cycleSeconds)
    expect(Math.min(...cycles)).toBeGreaterThanOrEqual(config.idealCycleSeconds - 0.001)
    expect(mean(cycles) / config.idealCycleSeconds).toBeGreaterThan(0.98 * config.slowdown)
    expect(mean(cycles) / config.idealCycleSeconds).toBeLessThan(1.05 * config.slowdown)
    // Within one run, a part starts when the one before it (or the run) ends.
    let previousEnd = 0
    for (const p of made) {
      const span = spans.find((r) => r.from < p.at && p.at <= r.to) as Segment
      const started = Math.max(previousEnd, span.from)
      expect(p.at - started).toBeCloseTo(p.cycleSeconds, 2)
      previousEnd = p.at
    }
  })

  it('scraps about its share of parts, the share drifting but staying near it', () => {
    const config = machineConfig({ scrapShare: 0.05, idealCycleSeconds: 5 })
    const made = parts(run(config, 50 * HOUR, { telemetryEvery: HOUR, step: HOUR }))
    const share = made.filter((p) => p.damaged).length / made.length
    expect(share).toBeGreaterThan(0.04)
    expect(share).toBeLessThan(0.06)
    // Damaged parts are the ones out of tolerance.
    expect(made.filter((p) => Math.abs(p.deviationUm) > 25 !== p.damaged)).toEqual([])
  })

  it('sends telemetry every few seconds that drifts with its state, with occasional spikes', () => {
    const config = machineConfig()
    const end = 8 * HOUR
    const es = run(config, end, { telemetryEvery: 5 })
    const spans = segments(es, end)
    const all = samples(es)
    const gaps = all.slice(1).map((s, i) => s.at - (all[i] as { at: number }).at)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(4.5)
    expect(Math.max(...gaps)).toBeLessThanOrEqual(5.5)
    const spikes = all.filter((s) => s.anomaly !== null)
    expect(spikes.length / all.length).toBeGreaterThan(0.005)
    expect(spikes.length / all.length).toBeLessThan(0.03)

    const set = config.sensors
    const clean = all.filter((s) => s.anomaly === null)
    const implausible = clean.filter(
      ({ readings: r }) =>
        Object.keys(r).sort().join() !== [...METRICS].sort().join() ||
        r.temperature < set.ambient - 3 ||
        r.temperature > set.temperature + 3 ||
        r.spindleSpeed < 0 ||
        r.spindleSpeed > 1.1 * set.spindleSpeed ||
        r.vibration < 0 ||
        r.power < 0,
    )
    expect(implausible).toEqual([])
    // Settled readings: a minute into a state, the spindle and load have followed it.
    const settled = (state: string) =>
      clean.filter((s) => {
        const span = spans.find((p) => p.from <= s.at && s.at < p.to)
        return span?.state === state && s.at - span.from > 60
      })
    const avg = (state: string, m: (typeof METRICS)[number]) =>
      mean(settled(state).map((s) => s.readings[m]))
    expect(avg('running', 'spindleSpeed')).toBeGreaterThan(0.95 * set.spindleSpeed)
    expect(avg('running', 'power')).toBeGreaterThan(0.9 * set.power)
    expect(avg('idle', 'power')).toBeLessThan(0.5 * set.power)
    const down = settled('down')
    expect(down.length).toBeGreaterThan(10)
    expect(Math.max(...down.map((s) => s.readings.spindleSpeed))).toBeLessThan(
      0.02 * set.spindleSpeed,
    )
    expect(avg('running', 'temperature')).toBeGreaterThan(avg('down', 'temperature'))
    expect(avg('running', 'temperature')).toBeGreaterThan(avg('maintenance', 'temperature'))
  })

  it('says the same for the same seed, and something else for another', () => {
    const config = machineConfig()
    expect(run(config, HOUR, { seed: 3 })).toEqual(run(config, HOUR, { seed: 3, step: 7 }))
    expect(run(config, HOUR, { seed: 3 })).not.toEqual(run(config, HOUR, { seed: 4 }))
  })

  it('reports running at once and makes its first part before anything stops it', () => {
    const plant = buildPlant({
      seed: 11,
      machines: 300,
      scrapShare: 0.02,
      mtbfSeconds: 60,
      mttrSeconds: 60,
    })
    for (const config of plant.machines) {
      const es = run(config, 60, { step: 60 })
      expect(es[0]).toMatchObject({ kind: 'status', at: 0, state: 'running' })
      const firstPart = es.findIndex((e) => e.kind === 'part')
      const firstStop = es.findIndex((e, i) => i > 0 && e.kind === 'status')
      expect(firstPart).toBeGreaterThan(0)
      if (firstStop !== -1) expect(firstPart).toBeLessThan(firstStop)
    }
  })

  it('goes into maintenance when an operator asks, stays there until they end it, then runs', () => {
    const model = steadyMachine(1e9)
    model.advance(600)
    model.command(true, 600)
    const held = model.advance(4 * HOUR)
    expect(held.filter((e) => e.kind === 'status')).toEqual([
      { kind: 'status', at: 600, state: 'maintenance', reason: 'MAINT-REQUEST' },
    ])
    expect(parts(held).every((p) => p.at <= 600)).toBe(true)
    expect(samples(held).length).toBeGreaterThan(100)
    model.command(false, 4 * HOUR)
    const after = model.advance(5 * HOUR)
    expect(after[0]).toMatchObject({ kind: 'status', at: 4 * HOUR, state: 'running' })
    expect(parts(after).length).toBeGreaterThan(0)
  })

  it('holds a planned maintenance it is in when asked, and forgets a request ended before it began', () => {
    const model = steadyMachine(120)
    const planned = model.advance(200).filter((e) => e.kind === 'status')
    expect(planned.at(-1)).toMatchObject({ state: 'maintenance', reason: 'PLANNED-MAINT' })
    model.command(true, 200)
    expect(model.advance(10 * HOUR).some((e) => e.kind === 'status')).toBe(false)
    model.command(false, 10 * HOUR)
    expect(model.advance(10 * HOUR + 1)[0]).toMatchObject({
      state: 'running',
      reason: undefined,
    })
    model.command(true, 10 * HOUR + 1)
    model.command(false, 10 * HOUR + 1)
    expect(model.advance(11 * HOUR).some((e) => e.kind === 'status')).toBe(false)
    expect(model.state).toBe('running')
  })
})
