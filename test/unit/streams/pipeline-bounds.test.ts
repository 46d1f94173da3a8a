import { BoundReached } from '../../../src/domain/bounds'
import { machineAllowList } from '../../../src/domain/machine-allow-list'
import type { InboundMessage } from '../../../src/streams/inbound'
import { settleMessage, type Handlers } from '../../../src/streams/pipeline'

const production = (machineId: string): InboundMessage => ({
  topic: `factory/machines/${machineId}/production`,
  payload: Buffer.from(JSON.stringify({ timeOfProduction: 0, order: 1, partId: 1 })),
  receivedAt: 0,
  ack: () => undefined,
})

function handlers(over: Partial<Handlers> = {}) {
  const dispatched: string[] = []
  const letters: string[] = []
  const bounds: string[] = []
  const h: Handlers = {
    dispatch: (input) => {
      dispatched.push(input.entityKey)
      return Promise.resolve('applied')
    },
    deadLetter: (l) => {
      letters.push(l.reason)
      return Promise.resolve()
    },
    onBound: (b) => bounds.push(b),
    ...over,
  }
  return { h, dispatched, letters, bounds }
}

const options = { topicPrefix: 'factory', maxPayloadBytes: 1024 }

describe('bounds in the pipeline', () => {
  it('dead-letters an input for a machine off the allow-list before any actor sees it', async () => {
    const t = handlers({ allowed: machineAllowList(['press-*', '1']) })
    const settle = settleMessage(options, t.h)
    const outcomes = await Promise.all(['1', 'press-7', '2'].map((id) => settle(production(id))))
    expect(outcomes.map((o) => o.outcome)).toEqual(['applied', 'applied', 'dead-lettered'])
    expect(t.dispatched).toEqual(['1', 'press-7'])
    expect(t.letters).toEqual(['machine 2 is not in MACHINE_ALLOW_LIST'])
    expect(t.bounds).toEqual(['machine-allow-list'])
  })

  it('dead-letters an input an actor refused at a bound with that bound’s reason', async () => {
    const t = handlers({
      dispatch: () => Promise.reject(new BoundReached('metrics-per-machine', 'too many names')),
    })
    const processed = await settleMessage(options, t.h)(production('1'))
    expect(processed.outcome).toBe('dead-lettered')
    expect(t.letters).toEqual(['too many names'])
    expect(t.bounds).toEqual(['metrics-per-machine'])
  })
})
