import type { MachineEvent } from '../../../src/domain/events'
import {
  applyMachineEvent,
  decideMachine,
  initialMachineState,
  machineOee,
  type MachineInput,
  type MachineState,
} from '../../../src/domain/machine'
import type { RunState } from '../../../src/domain/oee'
import { DEFAULT_RULES, type MachineRules } from '../../../src/domain/rules'

const MIN = 60_000
const rules: MachineRules = { ...DEFAULT_RULES, oeeWindowMs: 60 * MIN, oeeBucketMs: MIN }

/** Feeds inputs through decide + apply, as the actor does, and returns the state and events. */
function run(
  inputs: MachineInput[],
  idealSeconds: number | null = null,
  now = 0,
): { state: MachineState; events: MachineEvent[] } {
  let state = initialMachineState('m1', rules)
  const events: MachineEvent[] = []
  for (const input of inputs) {
    const out = decideMachine(state, input, { now, rules, idealCycleSeconds: () => idealSeconds })
    events.push(...out)
    state = out.reduce((s, e) => applyMachineEvent(s, e, rules), state)
  }
  return { state, events }
}

const status = (state: Exclude<RunState, 'unknown'>, at: number): MachineInput => ({
  kind: 'status',
  state,
  at,
  reason: null,
})
const part = (at: number, damaged = false): MachineInput => ({
  kind: 'production',
  report: {
    machineId: 'm1',
    partId: 1,
    order: 7,
    producedAt: at,
    damaged,
    var1: null,
    var2: null,
    var3: null,
    var4: null,
    messageId: null,
  },
})
const parts = (
  count: number,
  from: number,
  spacing: number,
  damaged: (i: number) => boolean = () => false,
) => Array.from({ length: count }, (_, i) => part(from + i * spacing, damaged(i)))

describe('machine OEE (hand-computed)', () => {
  // Offline (its edge node or device died) is planned time not running, exactly like down.
  it.each(['down', 'offline'] as const)('counts %s time against availability', (stopped) => {
    // Running 0-10 min, stopped 10-20, running 20-60; 100 good parts of 20 s ideal in the last 40.
    const { state } = run(
      [
        status('running', 0),
        status(stopped, 10 * MIN),
        status('running', 20 * MIN),
        ...parts(100, 20 * MIN, 24_000),
        status('idle', 60 * MIN),
      ],
      20,
    )
    // availability 50/60; performance 100×20 s / 3000 s; quality 1.
    expect(machineOee(state, rules)).toEqual({
      availability: 0.833333,
      performance: 0.666667,
      quality: 1,
      oee: 0.555556,
    })
  })

  it('counts scrap against quality and raises one scrap-rate alarm', () => {
    // Running 0-60 min; 120 parts of 30 s ideal, 13 scrapped (every 9th of the first 110).
    const scrap = (i: number) => i % 9 === 0 && i < 110
    const { state, events } = run(
      [status('running', 0), ...parts(120, 0, 30_000, scrap), status('idle', 60 * MIN)],
      30,
    )
    const scrapped = events.filter((e) => e.type === 'PartProduced' && e.damaged).length
    expect(scrapped).toBe(13)
    // availability 1; performance 3600/3600; quality 107/120.
    expect(machineOee(state, rules)).toEqual({
      availability: 1,
      performance: 1,
      quality: 0.891667,
      oee: 0.891667,
    })
    expect(events.filter((e) => e.type.startsWith('Alarm'))).toMatchObject([
      { type: 'AlarmRaised', ruleId: 'scrap-rate', ruleKind: 'scrap-rate', severity: 'minor' },
    ])
    expect(state.alerts.scrapRate).toBe(true)
    expect(state.alarms?.alarms['scrap-rate']?.state).toBe('active-unacknowledged')
  })

  it('counts a slow cycle against performance', () => {
    // Running 0-60 min; ideal 30 s but a part every 40 s: 90 parts.
    const { state } = run(
      [status('running', 0), ...parts(90, 0, 40_000), status('idle', 60 * MIN)],
      30,
    )
    expect(machineOee(state, rules)).toEqual({
      availability: 1,
      performance: 0.75,
      quality: 1,
      oee: 0.75,
    })
  })

  it('does not count maintenance as planned time', () => {
    // Running 0-30 min, maintenance 30-60: availability over planned time only.
    const { state } = run(
      [
        status('running', 0),
        ...parts(60, 0, 30_000),
        status('maintenance', 30 * MIN),
        status('idle', 60 * MIN),
      ],
      30,
    )
    expect(machineOee(state, rules)).toEqual({
      availability: 1,
      performance: 1,
      quality: 1,
      oee: 1,
    })
  })

  it('forgets what fell out of the window', () => {
    // Down for the first hour, then running an hour: the window (1 h) sees only the running hour.
    const { state } = run(
      [
        status('down', 0),
        status('running', 60 * MIN),
        ...parts(120, 60 * MIN, 30_000),
        status('idle', 120 * MIN),
      ],
      30,
    )
    expect(machineOee(state, rules).availability).toBe(1)
  })

  it('keeps one window of buckets when its clock jumps millennia ahead', () => {
    // Year 2024, then the largest time a Date holds: 8·10^12 one-minute buckets apart.
    const t0 = Date.parse('2024-03-01T08:00:00Z')
    const started = performance.now()
    const { state } = run([
      status('running', t0),
      part(t0 + MIN),
      status('down', 8.64e15 - MIN),
      part(8.64e15),
    ])
    expect(performance.now() - started).toBeLessThan(1000)
    expect(state.tracker.starts.length).toBeLessThanOrEqual(60 + 3)
    // The last minute down, the hour before it running: the old run is gone from the window.
    expect(machineOee(state, rules).availability).toBeCloseTo(59 / 60, 6)
  })

  it('has no OEE before it knows its state and its parts', () => {
    expect(machineOee(run([]).state, rules)).toEqual({
      availability: null,
      performance: null,
      quality: null,
      oee: null,
    })
  })
})

describe('machine state', () => {
  it('counts parts produced and scrapped and remembers the last order and part', () => {
    const { state } = run([part(1000), part(2000, true), part(3000)])
    expect(state).toMatchObject({
      produced: 3,
      scrapped: 1,
      lastOrder: 7,
      lastPartId: 1,
      sequence: 3,
      lastProducedAt: 3000,
    })
  })

  it('records a state change only when the state changes, offline (a status input) too', () => {
    const { events, state } = run([
      status('running', 0),
      status('running', 1000),
      status('down', 2000),
      status('offline', 3000),
      status('offline', 3500),
    ])
    expect(
      events.map((e) => e.type === 'MachineStateChanged' && [e.previousState, e.state]),
    ).toEqual([
      ['unknown', 'running'],
      ['running', 'down'],
      ['down', 'offline'],
    ])
    expect(state).toMatchObject({ state: 'offline', stateSince: 3000 })
  })

  it('merges sensor readings', () => {
    const { state } = run([
      { kind: 'telemetry', at: 1, metrics: { temp: 20, rpm: 1000 } },
      { kind: 'telemetry', at: 2, metrics: { temp: 21.5 } },
    ])
    expect(state.metrics).toEqual({ temp: 21.5, rpm: 1000 })
    expect(state.metricsAt).toBe(2)
  })

  it('raises a silent alarm once the heartbeat times out, and clears it on the next message', () => {
    let { state } = run([part(0)], null, 1_000)
    const check = (now: number) =>
      decideMachine(
        state,
        { kind: 'heartbeat-check' },
        { now, rules, idealCycleSeconds: () => null },
      )
    expect(check(1_000 + rules.heartbeatTimeoutMs - 1)).toEqual([])
    const raised = check(1_000 + rules.heartbeatTimeoutMs + 1)
    expect(raised).toMatchObject([{ type: 'AlarmRaised', ruleId: 'silent', ruleKind: 'silent' }])
    state = raised.reduce((s, e) => applyMachineEvent(s, e, rules), state)
    expect(state.alerts.silent).toBe(true)
    expect(check(1_000 + 2 * rules.heartbeatTimeoutMs)).toEqual([])
    const next = decideMachine(state, part(5), { now: 9e9, rules, idealCycleSeconds: () => null })
    expect(next.map((e) => e.type)).toEqual(['PartProduced', 'AlarmCleared'])
    const after = next.reduce((s, e) => applyMachineEvent(s, e, rules), state)
    expect(after.alerts.silent).toBe(false)
    expect(after.alarms?.alarms['silent']?.state).toBe('cleared-unacknowledged')
  })

  it('recovers the same state from its events as it had live', () => {
    const { state, events } = run(
      [status('running', 0), ...parts(50, 0, 30_000, (i) => i % 4 === 0), status('down', 30 * MIN)],
      30,
    )
    const replayed = events.reduce(
      (s, e) => applyMachineEvent(s, e, rules),
      initialMachineState('m1', rules),
    )
    expect(replayed).toEqual(state)
  })
})

describe('machine commands', () => {
  const command = (
    c: 'maintenance-start' | 'maintenance-end' | 'reset-counters',
    at: number,
  ): MachineInput => ({
    kind: 'command',
    command: c,
    at,
    requestedBy: 'shift-lead',
  })

  it('resets the counters, remembering what they were', () => {
    const { state, events } = run([part(1), part(2, true), command('reset-counters', 3), part(4)])
    expect(events.find((e) => e.type === 'MachineCountersReset')).toMatchObject({
      producedBefore: 2,
      scrappedBefore: 1,
      requestedBy: 'shift-lead',
    })
    expect(state).toMatchObject({ produced: 1, scrapped: 0 })
  })

  it('puts a machine into maintenance and takes it out to idle', () => {
    const { state, events } = run([
      status('running', 0),
      command('maintenance-start', 10),
      command('maintenance-start', 11),
      command('maintenance-end', 20),
    ])
    expect(
      events
        .filter((e) => e.type === 'MachineStateChanged')
        .map((e) => (e as { state: string }).state),
    ).toEqual(['running', 'maintenance', 'idle'])
    expect(state.state).toBe('idle')
  })
})
