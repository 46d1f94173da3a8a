import type { MachineEvent } from '../../../../src/domain/events'
import {
  applyMachineEvent,
  decideMachine,
  initialMachineState,
  type MachineInput,
  type MachineState,
} from '../../../../src/domain/machine'
import { DEFAULT_RULES, type MachineRules } from '../../../../src/domain/rules'
import { hot } from './rules'

const S = 1_000
const rules: MachineRules = { ...DEFAULT_RULES, alarms: { current: () => [hot] } }

/** One machine fed inputs at given service times, as its actor would. */
class Machine {
  state: MachineState = initialMachineState('m1', rules)
  readonly events: MachineEvent[] = []

  feed(now: number, input: MachineInput): string[] {
    const out = decideMachine(this.state, input, { now, rules, idealCycleSeconds: () => null })
    this.events.push(...out)
    this.state = out.reduce((s, e) => applyMachineEvent(s, e, rules), this.state)
    return out.map((e) => e.type)
  }
}

const reading = (temperature: number): MachineInput => ({
  kind: 'telemetry',
  at: 0,
  metrics: { temperature },
})
const tick: MachineInput = { kind: 'heartbeat-check' }
const acknowledge: MachineInput = {
  kind: 'alarm',
  command: { action: 'acknowledge', ruleId: 'hot' },
  requestedBy: 'shift-lead',
}

describe('a machine’s alarms as its state', () => {
  it('raises on the tick that ends the on delay, is acknowledged by command, and clears', () => {
    const m = new Machine()
    expect(m.feed(0, reading(85))).toEqual(['MachineMetricsRecorded'])
    expect(m.feed(29 * S, tick)).toEqual([])
    expect(m.feed(30 * S, tick)).toEqual(['AlarmRaised'])
    expect(m.feed(31 * S, acknowledge)).toEqual(['AlarmAcknowledged'])
    expect(m.state.alarms?.alarms['hot']).toMatchObject({
      state: 'active-acknowledged',
      acknowledgedBy: 'shift-lead',
      acknowledgedAt: 31 * S,
    })
    expect(m.feed(32 * S, acknowledge)).toEqual([]) // refused: already acknowledged
    m.feed(40 * S, reading(70))
    expect(m.feed(50 * S, tick)).toEqual(['AlarmCleared'])
    expect(m.state.alarms?.alarms).toEqual({})
  })

  it('folds the same alarms from its events as it had live, delays pending included', () => {
    const m = new Machine()
    m.feed(0, reading(85))
    m.feed(30 * S, tick)
    m.feed(35 * S, reading(70)) // off delay pending
    const replayed = m.events.reduce(
      (s, e) => applyMachineEvent(s, e, rules),
      initialMachineState('m1', rules),
    )
    expect(replayed).toEqual(m.state)
    expect(replayed.alarms?.tracks['hot']).toEqual({ on: false, since: 35 * S })
  })

  it('reads a state from a snapshot older than alarms as one with none', () => {
    const m = new Machine()
    delete m.state.alarms
    expect(m.feed(0, reading(85))).toEqual(['MachineMetricsRecorded'])
    expect(m.feed(30 * S, tick)).toEqual(['AlarmRaised'])
  })
})
