import type { MachineEvent } from '../../../src/domain/events'
import {
  applyMachineEvent,
  decideMachine,
  initialMachineState,
  type MachineInput,
} from '../../../src/domain/machine'
import type { RunState } from '../../../src/domain/oee'
import { DEFAULT_RULES } from '../../../src/domain/rules'

const ctx = { now: 0, rules: DEFAULT_RULES, idealCycleSeconds: () => null }

function changes(inputs: MachineInput[]) {
  let state = initialMachineState('m1', DEFAULT_RULES)
  const events: MachineEvent[] = []
  for (const input of inputs) {
    const out = decideMachine(state, input, ctx)
    events.push(...out)
    state = out.reduce((s, e) => applyMachineEvent(s, e, DEFAULT_RULES), state)
  }
  return {
    state,
    changes: events.flatMap((e) =>
      e.type === 'MachineStateChanged' ? [[e.previousState, e.state, e.reason]] : [],
    ),
  }
}

const status = (
  state: Exclude<RunState, 'unknown'>,
  at: number,
  reason: string | null = null,
): MachineInput => ({ kind: 'status', state, at, reason })

describe("a machine's stop reasons", () => {
  it('emits a change when the reason changes while the machine stays stopped', () => {
    const { changes: c, state } = changes([
      status('running', 0),
      status('idle', 1000, 'SETUP'),
      status('idle', 2000, 'BREAK'),
      status('running', 3000),
    ])
    expect(c).toEqual([
      ['unknown', 'running', null],
      ['running', 'idle', 'SETUP'],
      ['idle', 'idle', 'BREAK'],
      ['idle', 'running', null],
    ])
    expect(state.stateReason).toBeNull()
  })

  it('emits nothing for a repeat of the state with the same reason or with none', () => {
    const { changes: c, state } = changes([
      status('down', 0, 'BRK'),
      status('down', 1000, 'BRK'),
      status('down', 2000),
      status('running', 3000, 'ignored'),
      status('running', 4000, 'still ignored'),
    ])
    expect(c).toEqual([
      ['unknown', 'down', 'BRK'],
      ['down', 'running', 'ignored'],
    ])
    expect(state.stateSince).toBe(3000)
  })

  it('remembers the reason through a replay of the events', () => {
    const { state } = changes([status('down', 0, 'BRK')])
    expect(state.stateReason).toBe('BRK')
    expect(decideMachine(state, status('down', 5000, 'BRK'), ctx)).toEqual([])
  })
})
