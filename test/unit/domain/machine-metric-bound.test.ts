import { BoundReached } from '../../../src/domain/bounds'
import {
  applyMachineEvent,
  decideMachine,
  initialMachineState,
  type MachineInput,
  type MachineState,
} from '../../../src/domain/machine'
import { DEFAULT_RULES, type MachineRules } from '../../../src/domain/rules'

const rules: MachineRules = { ...DEFAULT_RULES, maxMetricsPerMachine: 3 }
const ctx = { now: 0, rules, idealCycleSeconds: () => null }
const telemetry = (metrics: Record<string, number>): MachineInput => ({
  kind: 'telemetry',
  at: 1,
  metrics,
})

/** decide + apply, as the actor does; refused inputs leave the state as it was. */
function feed(state: MachineState, input: MachineInput): MachineState {
  return decideMachine(state, input, ctx).reduce((s, e) => applyMachineEvent(s, e, rules), state)
}

describe('the bound on metric names per machine', () => {
  const start = initialMachineState('m1', rules)

  it('keeps readings up to the bound', () => {
    const s = feed(feed(start, telemetry({ a: 1, b: 2 })), telemetry({ c: 3, a: 4 }))
    expect(s.metrics).toEqual({ a: 4, b: 2, c: 3 })
  })

  it('refuses a whole reading that would add names past the bound, with the reason', () => {
    const full = feed(start, telemetry({ a: 1, b: 2, c: 3 }))
    const refused = () => decideMachine(full, telemetry({ a: 9, d: 4 }), ctx)
    expect(refused).toThrow(BoundReached)
    expect(refused).toThrow(/4 metric names, over MAX_METRICS_PER_MACHINE \(3\); 1 new: d/)
    // Known names alone still apply.
    expect(feed(full, telemetry({ a: 9 })).metrics).toEqual({ a: 9, b: 2, c: 3 })
  })

  it('names the bound it reached, for the count on /metrics', () => {
    try {
      decideMachine(start, telemetry({ a: 1, b: 2, c: 3, d: 4 }), ctx)
      throw new Error('expected a refusal')
    } catch (err) {
      expect(err).toBeInstanceOf(BoundReached)
      expect((err as BoundReached).bound).toBe('metrics-per-machine')
      expect((err as BoundReached).code).toBe('BOUND_REACHED')
    }
  })

  it('treats names of the object prototype as new names', () => {
    const full = feed(start, telemetry({ a: 1, b: 2, c: 3 }))
    expect(() => decideMachine(full, telemetry({ constructor: 1 }), ctx)).toThrow(BoundReached)
  })

  it('rebuilds the same state from the events alone (replay)', () => {
    const inputs = [telemetry({ a: 1, b: 2 }), telemetry({ c: 3 }), telemetry({ a: 5 })]
    let live = start
    const events = []
    for (const input of inputs) {
      const out = decideMachine(live, input, ctx)
      events.push(...out)
      live = out.reduce((s, e) => applyMachineEvent(s, e, rules), live)
    }
    const replayed = events.reduce((s, e) => applyMachineEvent(s, e, rules), start)
    expect(replayed.metrics).toEqual(live.metrics)
    expect(Object.keys(replayed.metrics)).toHaveLength(3)
  })
})
