import type { PartProduced } from '../../../src/domain/events'
import { applyMachineEvent, initialMachineState } from '../../../src/domain/machine'

const produced = (sequence: number, damaged: boolean, recordedAt: number): PartProduced => ({
  eventId: `e${sequence}`,
  type: 'PartProduced',
  key: 'm1',
  sequence,
  occurredAt: recordedAt - 5,
  recordedAt,
  machineId: 'm1',
  partId: 10 + sequence,
  order: 100,
  damaged,
  var1: null,
  var2: null,
  var3: null,
  var4: null,
  messageId: null,
})

describe('machine state', () => {
  it('counts parts produced and scrapped and remembers the last order and part', () => {
    const events = [produced(1, false, 1000), produced(2, true, 2000), produced(3, false, 3000)]
    const state = events.reduce(applyMachineEvent, initialMachineState('m1'))
    expect(state).toMatchObject({
      produced: 3,
      scrapped: 1,
      lastOrder: 100,
      lastPartId: 13,
      sequence: 3,
      lastSeenAt: 3000,
      lastProducedAt: 2995,
    })
  })

  it('never moves lastSeenAt backwards', () => {
    const state = [produced(1, false, 5000), produced(2, false, 4000)].reduce(
      applyMachineEvent,
      initialMachineState('m1'),
    )
    expect(state.lastSeenAt).toBe(5000)
  })
})
